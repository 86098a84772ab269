//! Elementary-stream inspection: what the segmenter and the prober need to know about video access units.
//! Dispatch over codecs is a `match` on [`VideoCodec`], not a trait object.

pub mod h264;
pub mod h264_start;
pub mod hevc;
pub mod mpeg2;
pub mod nal;

use crate::stream_type::VideoCodec;

/// What one access unit (one video PES) is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccessUnitInfo {
    /// A decoder can start here: IDR/IRAP, a broadcast I picture led by parameter sets or a recovery
    /// point, or an MPEG-2 I picture after a sequence header.
    pub keyframe: bool,
    /// The access unit carries its own parameter sets (SPS+PPS, VPS+SPS+PPS, sequence header).
    pub has_parameter_sets: bool,
}

/// Stream format read from parameter sets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VideoParams {
    pub width: u32,
    pub height: u32,
    pub interlaced: Option<bool>,
    /// profile_idc (H.264/HEVC) or profile_and_level_indication's profile (MPEG-2).
    pub profile: Option<u8>,
    pub level: Option<u8>,
    /// Frames per second as (numerator, denominator).
    pub frame_rate: Option<(u32, u32)>,
    /// The profile, level and constraint fields an RFC 6381 `codecs` string is built from.
    pub codec_profile: Option<CodecProfile>,
}

/// The parameter-set fields of an RFC 6381 `codecs` parameter, named as the specs name them; see
/// [`crate::codecs`] for the strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodecProfile {
    /// H.264 seq_parameter_set_data() (§7.3.2.1.1): `avc1.PPCCLL` (ISO/IEC 14496-15 §5.4.1).
    Avc {
        profile_idc: u8,
        /// constraint_set0_flag … constraint_set5_flag and reserved_zero_2bits, as the byte they fill.
        constraint_flags: u8,
        level_idc: u8,
    },
    /// H.265 profile_tier_level() general fields (§7.3.3): `hvc1.…` (ISO/IEC 14496-15 Annex E.3).
    Hevc {
        general_profile_space: u8,
        general_tier_flag: bool,
        general_profile_idc: u8,
        /// general_profile_compatibility_flag[0..32], flag 0 in the most significant bit.
        general_profile_compatibility_flags: u32,
        /// The 48 bits from general_progressive_source_flag on (the constraint indicator flags).
        general_constraint_indicator_flags: [u8; 6],
        general_level_idc: u8,
    },
    /// MPEG-2 video sequence_extension() profile_and_level_indication (ISO/IEC 13818-2 §6.3.5), `None` for
    /// MPEG-1 video (no sequence extension): `mp4v.<objectTypeIndication>` (RFC 6381 §3.3).
    Mpeg2 {
        profile_and_level_indication: Option<u8>,
    },
}

pub fn inspect(codec: VideoCodec, access_unit: &[u8]) -> AccessUnitInfo {
    match codec {
        VideoCodec::H264 => h264::inspect(access_unit),
        VideoCodec::Hevc => hevc::inspect(access_unit),
        VideoCodec::Mpeg2 => mpeg2::inspect(access_unit),
    }
}

/// Parameter sets carried by an access unit, in stream order.
pub fn parameter_sets(codec: VideoCodec, access_unit: &[u8]) -> Vec<&[u8]> {
    match codec {
        VideoCodec::H264 => h264::parameter_sets(access_unit),
        VideoCodec::Hevc => hevc::parameter_sets(access_unit),
        VideoCodec::Mpeg2 => mpeg2::parameter_sets(access_unit),
    }
}

/// Reads the stream format from the parameter sets of an access unit, when it has them.
pub fn video_params(codec: VideoCodec, access_unit: &[u8]) -> Option<VideoParams> {
    match codec {
        VideoCodec::H264 => nal::units(access_unit)
            .find(|u| h264::nal_unit_type(u) == Some(h264::nal_type::SPS))
            .and_then(h264::parse_sps),
        VideoCodec::Hevc => nal::units(access_unit)
            .find(|u| hevc::nal_unit_type(u) == Some(hevc::nal_type::SPS))
            .and_then(hevc::parse_sps),
        VideoCodec::Mpeg2 => mpeg2::parse_sequence(access_unit),
    }
}

/// Returns `access_unit` with `parameter_sets` inserted after a leading access unit delimiter (or at the
/// start), so a segment that begins with a keyframe lacking them stays decodable on its own.
pub fn with_parameter_sets(
    codec: VideoCodec,
    access_unit: &[u8],
    parameter_sets: &[Vec<u8>],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        access_unit.len() + parameter_sets.iter().map(|p| p.len() + 4).sum::<usize>(),
    );
    let has_aud = match codec {
        VideoCodec::H264 => h264::starts_with_aud(access_unit),
        VideoCodec::Hevc => hevc::starts_with_aud(access_unit),
        VideoCodec::Mpeg2 => false,
    };
    let split = if has_aud {
        nal::find_start_code(
            access_unit,
            nal::find_start_code(access_unit, 0).map_or(0, |p| p + 3),
        )
        .map(|p| {
            if p > 0 && access_unit[p - 1] == 0 {
                p - 1
            } else {
                p
            }
        })
        .unwrap_or(access_unit.len())
    } else {
        0
    };
    out.extend_from_slice(&access_unit[..split]);
    for set in parameter_sets {
        nal::push_unit(&mut out, set);
    }
    out.extend_from_slice(&access_unit[split..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_sets_go_after_the_delimiter() {
        let sps = crate::testing::h264::Sps::hd720().nal();
        let pps = vec![0x68, 0xCE, 0x38];
        let bare = crate::testing::h264::access_unit(&[
            vec![0x09, 0xF0],
            crate::testing::h264::recovery_point_sei(0),
            crate::testing::h264::slice(1, 0, 7),
        ]);
        assert!(!inspect(VideoCodec::H264, &bare).has_parameter_sets);
        let fixed = with_parameter_sets(VideoCodec::H264, &bare, &[sps.clone(), pps.clone()]);
        let types: Vec<u8> = nal::units(&fixed).filter_map(h264::nal_unit_type).collect();
        assert_eq!(types, vec![9, 7, 8, 6, 1]);
        let info = inspect(VideoCodec::H264, &fixed);
        assert!(info.keyframe && info.has_parameter_sets);
        assert_eq!(video_params(VideoCodec::H264, &fixed).unwrap().width, 1280);
    }
}
