//! HEVC access-unit inspection (ITU-T H.265 §7.3): IRAP pictures (NAL types 16–23) are keyframes;
//! VPS/SPS/PPS are the parameter sets; the SPS gives profile, level and resolution.

use super::nal;
use super::{AccessUnitInfo, CodecProfile, VideoParams};
use crate::bits::BitReader;

/// nal_unit_type values (Table 7-1).
pub mod nal_type {
    pub const IRAP_FIRST: u8 = 16;
    pub const IRAP_LAST: u8 = 23;
    pub const VPS: u8 = 32;
    pub const SPS: u8 = 33;
    pub const PPS: u8 = 34;
    pub const AUD: u8 = 35;
}

pub fn nal_unit_type(nal: &[u8]) -> Option<u8> {
    nal.first().map(|b| (b >> 1) & 0x3F)
}

pub fn inspect(data: &[u8]) -> AccessUnitInfo {
    let (mut vps, mut sps, mut pps, mut irap) = (false, false, false, false);
    // Only the NAL unit headers are read: the slice data is never scanned.
    for unit in nal::unit_prefixes(data, 2) {
        match nal_unit_type(unit) {
            Some(nal_type::VPS) => vps = true,
            Some(nal_type::SPS) => sps = true,
            Some(nal_type::PPS) => pps = true,
            Some(nal_type::IRAP_FIRST..=nal_type::IRAP_LAST) => {
                irap = true;
                break; // parameter sets precede the first slice
            }
            Some(0..=31) => break, // the first slice is not IRAP: nothing later changes that
            _ => {}
        }
    }
    AccessUnitInfo {
        keyframe: irap,
        has_parameter_sets: vps && sps && pps,
    }
}

pub fn parameter_sets(data: &[u8]) -> Vec<&[u8]> {
    nal::units(data)
        .filter(|u| {
            matches!(
                nal_unit_type(u),
                Some(nal_type::VPS | nal_type::SPS | nal_type::PPS)
            )
        })
        .collect()
}

pub fn starts_with_aud(data: &[u8]) -> bool {
    nal::units(data).next().and_then(nal_unit_type) == Some(nal_type::AUD)
}

/// Parses seq_parameter_set_rbsp() up to the conformance window (§7.3.2.2.1).
pub fn parse_sps(nal: &[u8]) -> Option<VideoParams> {
    let rbsp = nal::rbsp(nal.get(2..)?, 512);
    let mut r = BitReader::new(&rbsp);
    let _sps_video_parameter_set_id = r.read_bits(4)?;
    let max_sub_layers_minus1 = r.read_bits(3)?;
    let _temporal_id_nesting = r.read_bit()?;
    // profile_tier_level(1, sps_max_sub_layers_minus1), §7.3.3
    let general_profile_space = r.read_bits(2)? as u8;
    let general_tier_flag = r.read_bit()?;
    let general_profile_idc = r.read_bits(5)?;
    let general_profile_compatibility_flags = r.read_bits(32)?;
    // The 48 constraint indicator bits: progressive, interlaced, non_packed, frame_only, then 44 more.
    let mut general_constraint_indicator_flags = [0u8; 6];
    for byte in &mut general_constraint_indicator_flags {
        *byte = r.read_bits(8)? as u8;
    }
    let general_progressive_source_flag = general_constraint_indicator_flags[0] & 0x80 != 0;
    let general_interlaced_source_flag = general_constraint_indicator_flags[0] & 0x40 != 0;
    let general_level_idc = r.read_bits(8)?;
    let mut sub_layers = Vec::new();
    for _ in 0..max_sub_layers_minus1 {
        sub_layers.push((r.read_bit()?, r.read_bit()?));
    }
    if max_sub_layers_minus1 > 0 {
        r.skip_bits(2 * (8 - max_sub_layers_minus1 as usize))?;
    }
    for (profile_present, level_present) in sub_layers {
        if profile_present {
            r.skip_bits(88)?;
        }
        if level_present {
            r.skip_bits(8)?;
        }
    }
    let _sps_seq_parameter_set_id = r.read_ue()?;
    let chroma_format_idc = r.read_ue()?;
    let mut separate_colour_plane = false;
    if chroma_format_idc == 3 {
        separate_colour_plane = r.read_bit()?;
    }
    let width = r.read_ue()?;
    let height = r.read_ue()?;
    let (sub_width, sub_height) = match (chroma_format_idc, separate_colour_plane) {
        (1, _) => (2, 2),
        (2, _) => (2, 1),
        _ => (1, 1),
    };
    let (mut crop_x, mut crop_y) = (0u32, 0u32);
    if r.read_bit()? {
        let (left, right, top, bottom) = (r.read_ue()?, r.read_ue()?, r.read_ue()?, r.read_ue()?);
        crop_x = sub_width * left.saturating_add(right);
        crop_y = sub_height * top.saturating_add(bottom);
    }
    Some(VideoParams {
        width: width.checked_sub(crop_x)?,
        height: height.checked_sub(crop_y)?,
        interlaced: Some(general_interlaced_source_flag && !general_progressive_source_flag),
        profile: Some(general_profile_idc as u8),
        level: Some(general_level_idc as u8),
        frame_rate: None,
        codec_profile: Some(CodecProfile::Hevc {
            general_profile_space,
            general_tier_flag,
            general_profile_idc: general_profile_idc as u8,
            general_profile_compatibility_flags,
            general_constraint_indicator_flags,
            general_level_idc: general_level_idc as u8,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bits::BitWriter;

    fn nal_header(nal_type: u8) -> Vec<u8> {
        vec![nal_type << 1, 1]
    }

    fn sps_2160p_main10() -> Vec<u8> {
        let mut w = BitWriter::new();
        w.bits(4, 0).bits(3, 0).bit(true);
        w.bits(3, 0)
            .bits(5, 2)
            .bits(32, 0x2000_0000)
            .bit(true)
            .bit(false);
        w.bits(2, 0).bits(32, 0).bits(11, 0).bit(false);
        w.bits(8, 153);
        w.ue(0).ue(1).ue(3840).ue(2160).bit(false);
        let mut nal = nal_header(nal_type::SPS);
        nal.extend(nal::escape_rbsp(&w.finish_rbsp()));
        nal
    }

    #[test]
    fn irap_is_a_keyframe_and_trailing_pictures_are_not() {
        let mut au = Vec::new();
        for unit in [
            nal_header(nal_type::AUD),
            nal_header(nal_type::VPS),
            sps_2160p_main10(),
            nal_header(nal_type::PPS),
            nal_header(19),
        ] {
            nal::push_unit(&mut au, &unit);
        }
        let info = inspect(&au);
        assert!(info.keyframe && info.has_parameter_sets);
        assert!(starts_with_aud(&au));
        assert_eq!(parameter_sets(&au).len(), 3);
        let mut trailing = Vec::new();
        nal::push_unit(&mut trailing, &nal_header(1));
        assert!(!inspect(&trailing).keyframe);
    }

    #[test]
    fn sps_yields_resolution_and_profile() {
        let params = parse_sps(&sps_2160p_main10()).unwrap();
        assert_eq!((params.width, params.height), (3840, 2160));
        assert_eq!(params.profile, Some(2));
        assert_eq!(params.level, Some(153));
        assert_eq!(params.interlaced, Some(false));
        assert_eq!(
            params.codec_profile,
            Some(CodecProfile::Hevc {
                general_profile_space: 0,
                general_tier_flag: false,
                general_profile_idc: 2,
                general_profile_compatibility_flags: 0x2000_0000,
                general_constraint_indicator_flags: [0x80, 0, 0, 0, 0, 0],
                general_level_idc: 153,
            })
        );
    }
}
