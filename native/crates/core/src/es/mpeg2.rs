//! MPEG-2 video inspection (ISO/IEC 13818-2 §6.2): sequence header, sequence extension and picture header.
//! A keyframe is an I picture preceded by a sequence header in the same access unit, so a segment starting
//! there can be decoded on its own.

use super::nal;
use super::{AccessUnitInfo, CodecProfile, VideoParams};
use crate::bits::BitReader;

/// start_code values (Table 6-1).
pub mod start_code {
    pub const PICTURE: u8 = 0x00;
    pub const SEQUENCE_HEADER: u8 = 0xB3;
    pub const EXTENSION: u8 = 0xB5;
    pub const GROUP: u8 = 0xB8;
}

/// picture_coding_type of an I picture.
const CODING_TYPE_I: u32 = 1;

pub fn inspect(data: &[u8]) -> AccessUnitInfo {
    let mut sequence_header = false;
    let mut first_picture_intra = None;
    for unit in nal::units(data) {
        match unit.first() {
            Some(&start_code::SEQUENCE_HEADER) => sequence_header = true,
            Some(&start_code::PICTURE) => {
                let mut r = BitReader::new(&unit[1..]);
                let coding_type = r.skip_bits(10).and_then(|_| r.read_bits(3));
                first_picture_intra = Some(coding_type == Some(CODING_TYPE_I));
                break; // slices follow; the first picture decided it
            }
            _ => {}
        }
    }
    AccessUnitInfo {
        keyframe: sequence_header && first_picture_intra == Some(true),
        has_parameter_sets: sequence_header,
    }
}

/// The sequence header and its extensions, which a segment needs before its first picture.
pub fn parameter_sets(data: &[u8]) -> Vec<&[u8]> {
    nal::units(data)
        .take_while(|u| {
            u.first() != Some(&start_code::PICTURE) && u.first() != Some(&start_code::GROUP)
        })
        .filter(|u| {
            matches!(
                u.first(),
                Some(&(start_code::SEQUENCE_HEADER | start_code::EXTENSION))
            )
        })
        .collect()
}

/// frame_rate_code → (numerator, denominator) (Table 6-4).
fn frame_rate(code: u32) -> Option<(u32, u32)> {
    Some(match code {
        1 => (24_000, 1001),
        2 => (24, 1),
        3 => (25, 1),
        4 => (30_000, 1001),
        5 => (30, 1),
        6 => (50, 1),
        7 => (60_000, 1001),
        8 => (60, 1),
        _ => return None,
    })
}

/// Reads the sequence header and, when present, the sequence extension of an access unit.
pub fn parse_sequence(data: &[u8]) -> Option<VideoParams> {
    let mut params: Option<VideoParams> = None;
    for unit in nal::units(data) {
        match unit.first() {
            Some(&start_code::SEQUENCE_HEADER) => {
                let mut r = BitReader::new(&unit[1..]);
                let width = r.read_bits(12)?;
                let height = r.read_bits(12)?;
                let _aspect_ratio_information = r.read_bits(4)?;
                let frame_rate_code = r.read_bits(4)?;
                params = Some(VideoParams {
                    width,
                    height,
                    interlaced: Some(false),
                    profile: None,
                    level: None,
                    frame_rate: frame_rate(frame_rate_code),
                    codec_profile: Some(CodecProfile::Mpeg2 {
                        profile_and_level_indication: None,
                    }),
                });
            }
            Some(&start_code::EXTENSION) => {
                let mut r = BitReader::new(&unit[1..]);
                // extension_start_code_identifier 1 = sequence_extension (§6.2.2.3)
                if r.read_bits(4) == Some(1)
                    && let Some(p) = params.as_mut()
                {
                    let profile_and_level = r.read_bits(8)?;
                    let progressive_sequence = r.read_bit()?;
                    p.profile = Some(((profile_and_level >> 4) & 0x07) as u8);
                    p.level = Some((profile_and_level & 0x0F) as u8);
                    p.interlaced = Some(!progressive_sequence);
                    p.codec_profile = Some(CodecProfile::Mpeg2 {
                        profile_and_level_indication: Some(profile_and_level as u8),
                    });
                }
            }
            Some(&start_code::PICTURE) => break,
            _ => {}
        }
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bits::BitWriter;

    fn sequence_header(width: u32, height: u32, frame_rate_code: u32) -> Vec<u8> {
        let mut w = BitWriter::new();
        w.bits(8, u32::from(start_code::SEQUENCE_HEADER));
        w.bits(12, width)
            .bits(12, height)
            .bits(4, 3)
            .bits(4, frame_rate_code)
            .bits(18, 10_000)
            .bit(true);
        w.bits(10, 112).bit(false).bit(false).bit(false);
        w.into_bytes()
    }

    fn sequence_extension(progressive_sequence: bool) -> Vec<u8> {
        let mut w = BitWriter::new();
        w.bits(8, u32::from(start_code::EXTENSION))
            .bits(4, 1)
            .bits(8, 0x48)
            .bit(progressive_sequence);
        w.bits(2, 1)
            .bits(2, 0)
            .bits(2, 0)
            .bits(12, 0)
            .bit(true)
            .bits(8, 0)
            .bit(false)
            .bits(2, 0)
            .bits(5, 0);
        w.into_bytes()
    }

    fn picture(coding_type: u32) -> Vec<u8> {
        let mut w = BitWriter::new();
        w.bits(8, u32::from(start_code::PICTURE))
            .bits(10, 0)
            .bits(3, coding_type)
            .bits(16, 0xFFFF);
        w.into_bytes()
    }

    fn access_unit(units: &[Vec<u8>]) -> Vec<u8> {
        let mut out = Vec::new();
        for unit in units {
            out.extend_from_slice(&[0, 0, 1]);
            out.extend_from_slice(unit);
        }
        out
    }

    #[test]
    fn i_picture_after_sequence_header_is_a_keyframe() {
        let au = access_unit(&[
            sequence_header(720, 576, 3),
            sequence_extension(false),
            picture(1),
        ]);
        assert!(inspect(&au).keyframe);
        assert_eq!(parameter_sets(&au).len(), 2);
        assert!(!inspect(&access_unit(&[picture(1)])).keyframe);
        assert!(!inspect(&access_unit(&[sequence_header(720, 576, 3), picture(2)])).keyframe);
    }

    #[test]
    fn sequence_header_and_extension_give_the_format() {
        let au = access_unit(&[
            sequence_header(720, 576, 3),
            sequence_extension(false),
            picture(1),
        ]);
        let params = parse_sequence(&au).unwrap();
        assert_eq!((params.width, params.height), (720, 576));
        assert_eq!(params.frame_rate, Some((25, 1)));
        assert_eq!(params.interlaced, Some(true));
        assert_eq!(params.profile, Some(4));
        assert_eq!(params.level, Some(8));
        assert_eq!(
            params.codec_profile,
            Some(CodecProfile::Mpeg2 {
                profile_and_level_indication: Some(0x48)
            })
        );
    }
}
