//! H.264 access-unit inspection (ITU-T H.264 §7.3): NAL types, slice types, the recovery-point SEI and the
//! SPS fields a player needs (profile, level, resolution, interlacing, frame rate).
//!
//! Broadcast encoders rarely send IDR pictures after the first one; random access points are non-IDR I
//! pictures led by SPS/PPS or carrying a recovery-point SEI (see `hls.md` §4), and both count as keyframes.

use super::nal;
use super::{AccessUnitInfo, CodecProfile, VideoParams};
use crate::bits::BitReader;

/// nal_unit_type values (Table 7-1).
pub mod nal_type {
    pub const SLICE_NON_IDR: u8 = 1;
    pub const SLICE_IDR: u8 = 5;
    pub const SEI: u8 = 6;
    pub const SPS: u8 = 7;
    pub const PPS: u8 = 8;
    pub const AUD: u8 = 9;
}

/// SEI payloadType of recovery_point (Annex D.1.8).
const SEI_RECOVERY_POINT: u32 = 6;
/// How much of a NAL unit is unescaped to read headers: slice headers and SEI prefixes are short.
const HEADER_PEEK: usize = 64;
/// How much of an SEI NAL unit is read for the recovery point.
const SEI_PEEK: usize = 512;
/// SPS with VUI stay well below this.
const SPS_PEEK: usize = 1024;

pub fn nal_unit_type(nal: &[u8]) -> Option<u8> {
    nal.first().map(|b| b & 0x1F)
}

/// slice_type % 5 of a slice NAL (0 P, 1 B, 2 I, 3 SP, 4 SI) and first_mb_in_slice.
fn slice_header(nal: &[u8]) -> Option<(u32, u32)> {
    let rbsp = nal::rbsp(nal.get(1..)?, HEADER_PEEK);
    let mut reader = BitReader::new(&rbsp);
    let first_mb_in_slice = reader.read_ue()?;
    let slice_type = reader.read_ue()?;
    (slice_type <= 9).then_some((first_mb_in_slice, slice_type % 5))
}

/// Whether an SEI NAL carries a recovery point with recovery_frame_cnt = 0.
fn has_exact_recovery_point(nal: &[u8]) -> bool {
    let rbsp = nal::rbsp(nal.get(1..).unwrap_or(&[]), SEI_PEEK);
    let mut pos = 0;
    // sei_message(): payloadType and payloadSize are coded as runs of 0xFF plus a last byte.
    while pos < rbsp.len() && rbsp[pos] != 0x80 {
        let mut read_varint = || {
            let mut value = 0u32;
            loop {
                let byte = *rbsp.get(pos)?;
                pos += 1;
                value = value.saturating_add(u32::from(byte));
                if byte != 0xFF {
                    return Some(value);
                }
            }
        };
        let Some(payload_type) = read_varint() else {
            return false;
        };
        let Some(payload_size) = read_varint() else {
            return false;
        };
        let Some(end) = pos.checked_add(payload_size as usize) else {
            return false;
        };
        if payload_type == SEI_RECOVERY_POINT {
            let body = rbsp.get(pos..end.min(rbsp.len())).unwrap_or(&[]);
            return BitReader::new(body).read_ue() == Some(0);
        }
        pos = end;
    }
    false
}

/// Classifies one access unit (the payload of one video PES).
pub fn inspect(data: &[u8]) -> AccessUnitInfo {
    let mut info = AccessUnitInfo::default();
    let (mut sps, mut pps, mut recovery, mut idr) = (false, false, false, false);
    let mut first_picture_intra: Option<bool> = None;
    // Only the start of each NAL unit is read: the slice data is never scanned.
    for unit in nal::unit_prefixes(data, 1 + SEI_PEEK.max(HEADER_PEEK)) {
        match nal_unit_type(unit) {
            Some(nal_type::SPS) => sps = true,
            Some(nal_type::PPS) => pps = true,
            Some(nal_type::SEI) => recovery |= has_exact_recovery_point(unit),
            Some(t @ (nal_type::SLICE_NON_IDR | nal_type::SLICE_IDR)) => {
                idr |= t == nal_type::SLICE_IDR;
                let Some((first_mb, slice_type)) = slice_header(unit) else {
                    continue;
                };
                if first_mb == 0 && first_picture_intra.is_some() {
                    break; // a second picture (field pair) starts: the first one decided it
                }
                let intra = matches!(slice_type, 2 | 4);
                first_picture_intra = Some(first_picture_intra.unwrap_or(true) && intra);
                if !intra {
                    break; // not a random access point; the rest of the access unit cannot change that
                }
            }
            _ => {}
        }
    }
    info.has_parameter_sets = sps && pps;
    info.keyframe =
        idr || (first_picture_intra == Some(true) && (info.has_parameter_sets || recovery));
    info
}

/// Parameter-set NAL units (SPS, PPS) of an access unit, in order.
pub fn parameter_sets(data: &[u8]) -> Vec<&[u8]> {
    nal::units(data)
        .filter(|u| matches!(nal_unit_type(u), Some(nal_type::SPS | nal_type::PPS)))
        .collect()
}

/// Whether the access unit begins with an access unit delimiter.
pub fn starts_with_aud(data: &[u8]) -> bool {
    nal::units(data).next().and_then(nal_unit_type) == Some(nal_type::AUD)
}

pub(super) fn skip_scaling_list(reader: &mut BitReader<'_>, size: usize) -> Option<()> {
    let (mut last, mut next) = (8i32, 8i32);
    for _ in 0..size {
        if next != 0 {
            next = (last + reader.read_se()? + 256) % 256;
        }
        last = if next == 0 { last } else { next };
    }
    Some(())
}

/// Parses a sequence parameter set NAL (§7.3.2.1.1, VUI timing from Annex E).
pub fn parse_sps(nal: &[u8]) -> Option<VideoParams> {
    let rbsp = nal::rbsp(nal.get(1..)?, SPS_PEEK);
    let mut r = BitReader::new(&rbsp);
    let profile_idc = r.read_bits(8)?;
    let constraint_flags = r.read_bits(8)?;
    let level_idc = r.read_bits(8)?;
    let _seq_parameter_set_id = r.read_ue()?;
    let mut chroma_format_idc = 1;
    if matches!(
        profile_idc,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    ) {
        chroma_format_idc = r.read_ue()?;
        if chroma_format_idc == 3 {
            let separate_colour_plane_flag = r.read_bit()?;
            if separate_colour_plane_flag {
                chroma_format_idc = 0;
            }
        }
        let _bit_depth_luma_minus8 = r.read_ue()?;
        let _bit_depth_chroma_minus8 = r.read_ue()?;
        let _qpprime_y_zero_transform_bypass_flag = r.read_bit()?;
        if r.read_bit()? {
            let lists = if chroma_format_idc == 3 { 12 } else { 8 };
            for i in 0..lists {
                if r.read_bit()? {
                    skip_scaling_list(&mut r, if i < 6 { 16 } else { 64 })?;
                }
            }
        }
    }
    let _log2_max_frame_num_minus4 = r.read_ue()?;
    match r.read_ue()? {
        0 => {
            r.read_ue()?;
        }
        1 => {
            r.read_bit()?;
            r.read_se()?;
            r.read_se()?;
            let cycle = r.read_ue()?;
            if cycle > 255 {
                return None;
            }
            for _ in 0..cycle {
                r.read_se()?;
            }
        }
        _ => {}
    }
    let _max_num_ref_frames = r.read_ue()?;
    let _gaps_in_frame_num_value_allowed_flag = r.read_bit()?;
    let pic_width_in_mbs_minus1 = r.read_ue()?;
    let pic_height_in_map_units_minus1 = r.read_ue()?;
    let frame_mbs_only_flag = r.read_bit()?;
    if !frame_mbs_only_flag {
        let _mb_adaptive_frame_field_flag = r.read_bit()?;
    }
    let _direct_8x8_inference_flag = r.read_bit()?;
    let field_factor = if frame_mbs_only_flag { 1 } else { 2 };
    let (mut crop_x, mut crop_y) = (0u32, 0u32);
    if r.read_bit()? {
        let (left, right, top, bottom) = (r.read_ue()?, r.read_ue()?, r.read_ue()?, r.read_ue()?);
        let (unit_x, unit_y) = match chroma_format_idc {
            1 => (2, 2 * field_factor),
            2 => (2, field_factor),
            _ => (1, field_factor),
        };
        crop_x = unit_x * left.saturating_add(right);
        crop_y = unit_y * top.saturating_add(bottom);
    }
    let width = (pic_width_in_mbs_minus1.checked_add(1)?.checked_mul(16)?).checked_sub(crop_x)?;
    let height = (field_factor
        * pic_height_in_map_units_minus1
            .checked_add(1)?
            .checked_mul(16)?)
    .checked_sub(crop_y)?;
    let frame_rate = if r.read_bit().unwrap_or(false) {
        vui_frame_rate(&mut r)
    } else {
        None
    };
    Some(VideoParams {
        width,
        height,
        interlaced: Some(!frame_mbs_only_flag),
        profile: Some(profile_idc as u8),
        level: Some(level_idc as u8),
        frame_rate,
        codec_profile: Some(CodecProfile::Avc {
            profile_idc: profile_idc as u8,
            constraint_flags: constraint_flags as u8,
            level_idc: level_idc as u8,
        }),
    })
}

/// Frame rate from vui_parameters() timing_info (Annex E.1.1), as (numerator, denominator):
/// time_scale / (2 × num_units_in_tick). A tick is a field period (E.2.1: a frame lasts two ticks, however it
/// is coded), so this is the frame rate a player shows: 50 for 720p50 (time_scale 100, 1 unit per tick) and 25
/// for 1080i25, whose VUI states the field rate of 50.
fn vui_frame_rate(r: &mut BitReader<'_>) -> Option<(u32, u32)> {
    if r.read_bit()? && r.read_bits(8)? == 255 {
        r.skip_bits(32)?;
    }
    if r.read_bit()? {
        r.read_bit()?;
    }
    if r.read_bit()? {
        r.skip_bits(4)?;
        if r.read_bit()? {
            r.skip_bits(24)?;
        }
    }
    if r.read_bit()? {
        r.read_ue()?;
        r.read_ue()?;
    }
    if !r.read_bit()? {
        return None;
    }
    let num_units_in_tick = r.read_bits(32)?;
    let time_scale = r.read_bits(32)?;
    (num_units_in_tick > 0 && time_scale > 0)
        .then(|| (time_scale, num_units_in_tick.saturating_mul(2)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::h264::{Sps, access_unit, recovery_point_sei, slice};

    const AUD: [u8; 2] = [0x09, 0xF0];
    const PPS: [u8; 3] = [0x68, 0xCE, 0x38];

    #[test]
    fn idr_is_a_keyframe() {
        let au = access_unit(&[
            AUD.to_vec(),
            Sps::hd720().nal(),
            PPS.to_vec(),
            slice(5, 0, 7),
        ]);
        let info = inspect(&au);
        assert!(info.keyframe);
        assert!(info.has_parameter_sets);
    }

    #[test]
    fn broadcast_i_frame_with_parameter_sets_is_a_keyframe() {
        let au = access_unit(&[
            AUD.to_vec(),
            Sps::hd720().nal(),
            PPS.to_vec(),
            slice(1, 0, 7),
            slice(1, 1800, 7),
        ]);
        assert!(inspect(&au).keyframe);
    }

    #[test]
    fn i_frame_with_recovery_point_but_no_parameter_sets_is_a_keyframe() {
        let au = access_unit(&[AUD.to_vec(), recovery_point_sei(0), slice(1, 0, 2)]);
        let info = inspect(&au);
        assert!(info.keyframe);
        assert!(!info.has_parameter_sets);
    }

    #[test]
    fn bare_i_frame_and_p_frames_are_not_keyframes() {
        assert!(!inspect(&access_unit(&[AUD.to_vec(), slice(1, 0, 7)])).keyframe);
        assert!(
            !inspect(&access_unit(&[
                AUD.to_vec(),
                recovery_point_sei(3),
                slice(1, 0, 7)
            ]))
            .keyframe
        );
        let mixed = access_unit(&[
            Sps::hd720().nal(),
            PPS.to_vec(),
            slice(1, 0, 7),
            slice(1, 1800, 5),
        ]);
        assert!(!inspect(&mixed).keyframe);
    }

    #[test]
    fn i_field_followed_by_p_field_is_a_keyframe() {
        let au = access_unit(&[
            Sps::hd720().nal(),
            PPS.to_vec(),
            slice(1, 0, 7),
            slice(1, 0, 5),
        ]);
        assert!(inspect(&au).keyframe);
    }

    #[test]
    fn sps_yields_resolution_profile_and_frame_rate() {
        let params = parse_sps(&Sps::hd720().nal()).unwrap();
        assert_eq!((params.width, params.height), (1280, 720));
        assert_eq!(params.interlaced, Some(false));
        assert_eq!(params.profile, Some(100));
        assert_eq!(params.level, Some(40));
        assert_eq!(params.frame_rate, Some((100, 2)));
    }

    #[test]
    fn interlaced_1080_sps_applies_cropping_per_field() {
        let sps = Sps {
            pic_width_in_mbs_minus1: 119,
            pic_height_in_map_units_minus1: 33,
            frame_mbs_only_flag: false,
            frame_crop_bottom_offset: 2,
            timing: None,
            ..Sps::hd720()
        };
        let params = parse_sps(&sps.nal()).unwrap();
        assert_eq!((params.width, params.height), (1920, 1080));
        assert_eq!(params.interlaced, Some(true));
        assert_eq!(params.frame_rate, None);
    }

    #[test]
    fn sps_keeps_the_constraint_flags_byte_for_the_codecs_string() {
        let main = Sps {
            profile_idc: 77,
            constraint_flags: 0x40, // constraint_set1_flag: Main profile constraints
            level_idc: 31,
            ..Sps::hd720()
        };
        let params = parse_sps(&main.nal()).unwrap();
        assert_eq!(
            params.codec_profile,
            Some(CodecProfile::Avc {
                profile_idc: 77,
                constraint_flags: 0x40,
                level_idc: 31
            })
        );
        assert_eq!(
            (params.width, params.height),
            (1280, 720),
            "no chroma syntax below High"
        );
    }

    #[test]
    fn truncated_sps_is_none() {
        let nal = Sps::hd720().nal();
        assert!(parse_sps(&nal[..6]).is_none());
    }
}
