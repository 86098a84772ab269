//! AC-3 and E-AC-3 sync frame headers (ATSC A/52 §5.4.1 and Annex E §2.3.1).

use super::{FrameHeader, HeaderResult};

const SYNCWORD: [u8; 2] = [0x0B, 0x77];
/// Nominal bit rate in kb/s per frmsizecod / 2 (A/52 Table 5.18).
const BITRATES: [u32; 19] = [
    32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 576, 640,
];
/// Full-bandwidth channels per acmod (Table 5.8).
const ACMOD_CHANNELS: [u8; 8] = [2, 1, 2, 3, 3, 4, 4, 5];

/// bsid of a sync frame: ≤ 10 is AC-3 syntax, 11–16 E-AC-3.
fn bsid(data: &[u8]) -> Option<u8> {
    Some(data.get(5)? >> 3)
}

/// Parses an AC-3 sync frame header.
pub fn parse_ac3(data: &[u8]) -> HeaderResult {
    if data.len() < 7 {
        return HeaderResult::NeedMore;
    }
    if data[..2] != SYNCWORD {
        return HeaderResult::Invalid;
    }
    match bsid(data) {
        Some(b) if b <= 10 => {}
        Some(11..=16) => return parse_eac3(data),
        _ => return HeaderResult::Invalid,
    }
    let fscod = data[4] >> 6;
    let frmsizecod = usize::from(data[4] & 0x3F);
    let Some(&bitrate) = BITRATES.get(frmsizecod / 2) else {
        return HeaderResult::Invalid;
    };
    let (sample_rate, words) = match fscod {
        0 => (48_000, bitrate * 2),
        1 => (44_100, 320 * bitrate / 147 + (frmsizecod as u32 & 1)),
        2 => (32_000, bitrate * 3),
        _ => return HeaderResult::Invalid,
    };
    // acmod and lfeon follow bsid/bsmod; optional mix-level fields shift lfeon.
    let acmod = data[6] >> 5;
    let mut bit = 3u32; // bits of byte 6 consumed by acmod
    if acmod & 1 != 0 && acmod != 1 {
        bit += 2;
    }
    if acmod & 4 != 0 {
        bit += 2;
    }
    if acmod == 2 {
        bit += 2;
    }
    let lfe_byte = data.get(6 + bit as usize / 8).copied().unwrap_or(0);
    let lfeon = (lfe_byte >> (7 - bit % 8)) & 1;
    HeaderResult::Valid(FrameHeader {
        size: words as usize * 2,
        samples: 1536,
        sample_rate,
        channels: ACMOD_CHANNELS[usize::from(acmod)] + lfeon,
        starts_access_unit: true,
    })
}

/// Parses an E-AC-3 sync frame header. Dependent substreams and additional independent substreams do not
/// start an access unit: they belong to the frame of independent substream 0 before them.
pub fn parse_eac3(data: &[u8]) -> HeaderResult {
    if data.len() < 6 {
        return HeaderResult::NeedMore;
    }
    if data[..2] != SYNCWORD {
        return HeaderResult::Invalid;
    }
    match bsid(data) {
        Some(11..=16) => {}
        Some(b) if b <= 10 => return parse_ac3(data),
        _ => return HeaderResult::Invalid,
    }
    let strmtyp = data[2] >> 6;
    let substreamid = (data[2] >> 3) & 0x07;
    let frmsiz = (usize::from(data[2] & 0x07) << 8) | usize::from(data[3]);
    let fscod = data[4] >> 6;
    let (sample_rate, blocks) = if fscod == 3 {
        let rate = match (data[4] >> 4) & 0x03 {
            0 => 24_000,
            1 => 22_050,
            2 => 16_000,
            _ => return HeaderResult::Invalid,
        };
        (rate, 6)
    } else {
        (
            [48_000, 44_100, 32_000][usize::from(fscod)],
            [1, 2, 3, 6][usize::from((data[4] >> 4) & 0x03)],
        )
    };
    if strmtyp == 3 {
        return HeaderResult::Invalid;
    }
    let acmod = (data[4] >> 1) & 0x07;
    let lfeon = data[4] & 0x01;
    HeaderResult::Valid(FrameHeader {
        size: (frmsiz + 1) * 2,
        samples: 256 * blocks,
        sample_rate,
        channels: ACMOD_CHANNELS[usize::from(acmod)] + lfeon,
        starts_access_unit: strmtyp == 0 && substreamid == 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::audio::{ac3_frame, eac3_frame};

    #[test]
    fn ac3_448k_5_1_at_48k() {
        let frame = ac3_frame(0, 30, 7, true);
        let HeaderResult::Valid(h) = parse_ac3(&frame) else {
            panic!()
        };
        assert_eq!(
            (h.size, h.samples, h.sample_rate, h.channels),
            (1792, 1536, 48_000, 6)
        );
    }

    #[test]
    fn ac3_stereo_at_44k_odd_size_code_adds_a_word() {
        let HeaderResult::Valid(h) = parse_ac3(&ac3_frame(1, 1, 2, false)) else {
            panic!()
        };
        assert_eq!((h.size, h.sample_rate, h.channels), (140, 44_100, 2));
    }

    #[test]
    fn eac3_independent_and_dependent_substreams() {
        let HeaderResult::Valid(h) = parse_eac3(&eac3_frame(0, 0, 767, 7, true)) else {
            panic!()
        };
        assert_eq!(
            (h.size, h.samples, h.channels, h.starts_access_unit),
            (1536, 1536, 6, true)
        );
        let HeaderResult::Valid(d) = parse_eac3(&eac3_frame(1, 0, 100, 2, false)) else {
            panic!()
        };
        assert!(!d.starts_access_unit);
    }

    #[test]
    fn bad_sync_and_reserved_codes_are_invalid() {
        assert_eq!(
            parse_ac3(&[0x0B, 0x78, 0, 0, 0, 0x40, 0]),
            HeaderResult::Invalid
        );
        let mut frame = ac3_frame(0, 30, 7, true);
        frame[4] = 0xC0 | 30; // fscod 3 is reserved
        assert_eq!(parse_ac3(&frame), HeaderResult::Invalid);
        assert_eq!(parse_ac3(&frame[..3]), HeaderResult::NeedMore);
    }
}
