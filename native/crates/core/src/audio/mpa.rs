//! MPEG-1/2 audio frame headers (ISO/IEC 11172-3 §2.4.2.3, ISO/IEC 13818-3 for the LSF extension).

use super::{FrameHeader, HeaderResult};

const BITRATES_V1: [[u32; 15]; 3] = [
    [
        0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
    ],
    [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
    ],
    [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ],
];
const BITRATES_V2: [[u32; 15]; 3] = [
    [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
    ],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];

pub fn parse(data: &[u8]) -> HeaderResult {
    if data.len() < 4 {
        return HeaderResult::NeedMore;
    }
    if data[0] != 0xFF || data[1] & 0xE0 != 0xE0 {
        return HeaderResult::Invalid;
    }
    let version = (data[1] >> 3) & 0x03; // 0: MPEG-2.5, 2: MPEG-2, 3: MPEG-1
    let layer = (data[1] >> 1) & 0x03; // 1: III, 2: II, 3: I
    let bitrate_index = usize::from(data[2] >> 4);
    let sampling_frequency = usize::from((data[2] >> 2) & 0x03);
    let padding = u32::from((data[2] >> 1) & 0x01);
    let mono = data[3] >> 6 == 3;
    if version == 1
        || layer == 0
        || bitrate_index == 0
        || bitrate_index == 15
        || sampling_frequency == 3
    {
        return HeaderResult::Invalid;
    }
    let layer_index = usize::from(3 - layer); // 0: I, 1: II, 2: III
    let bitrate = if version == 3 {
        BITRATES_V1
    } else {
        BITRATES_V2
    }[layer_index][bitrate_index]
        * 1000;
    let sample_rate = [44_100, 48_000, 32_000][sampling_frequency]
        >> match version {
            3 => 0,
            2 => 1,
            _ => 2,
        };
    let (size, samples) = match layer_index {
        0 => ((12 * bitrate / sample_rate + padding) * 4, 384),
        1 => (144 * bitrate / sample_rate + padding, 1152),
        _ if version == 3 => (144 * bitrate / sample_rate + padding, 1152),
        _ => (72 * bitrate / sample_rate + padding, 576),
    };
    if size < 4 {
        return HeaderResult::Invalid;
    }
    HeaderResult::Valid(FrameHeader {
        size: size as usize,
        samples,
        sample_rate,
        channels: if mono { 1 } else { 2 },
        starts_access_unit: true,
    })
}

/// Whether a frame is MPEG-1 audio (ID bit set, ISO/IEC 11172-3) rather than the lower sampling frequencies of
/// ISO/IEC 13818-3 (or the unofficial MPEG-2.5); `None` when the bytes are no frame header.
pub fn is_mpeg1(frame: &[u8]) -> Option<bool> {
    match parse(frame) {
        HeaderResult::Valid(_) => Some((frame[1] >> 3) & 0x03 == 3),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::audio::mpa_frame as frame;

    #[test]
    fn mp2_stereo_160k_at_48k() {
        let HeaderResult::Valid(h) = parse(&frame(2, 9, 1, false)) else {
            panic!()
        };
        assert_eq!(
            (h.size, h.samples, h.sample_rate, h.channels),
            (480, 1152, 48_000, 2)
        );
    }

    #[test]
    fn layer_one_and_mono_are_read() {
        let HeaderResult::Valid(h) = parse(&frame(3, 1, 0, true)) else {
            panic!()
        };
        assert_eq!((h.samples, h.sample_rate, h.channels), (384, 44_100, 1));
    }

    #[test]
    fn the_id_bit_tells_mpeg1_from_mpeg2_lsf() {
        let mut header = frame(2, 9, 1, false);
        assert_eq!(is_mpeg1(&header), Some(true));
        header[1] &= !0x08; // ID 0: ISO/IEC 13818-3, 24 kHz
        assert_eq!(is_mpeg1(&header), Some(false));
        assert_eq!(is_mpeg1(&[0, 0, 0, 0]), None);
    }

    #[test]
    fn free_format_and_reserved_values_are_invalid() {
        let mut header = frame(2, 9, 1, false);
        header[2] &= 0x0F; // bitrate index 0 (free format)
        assert_eq!(parse(&header), HeaderResult::Invalid);
        assert_eq!(parse(&[0xFF, 0xE0 | 0x08, 0x90, 0]), HeaderResult::Invalid); // version 01 reserved
    }
}
