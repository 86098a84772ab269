//! AAC transport framings: ADTS (ISO/IEC 13818-7 §6.2 / 14496-3 §1.A.2) and LOAS AudioSyncStream
//! (ISO/IEC 14496-3 §1.7.2), plus the ADTS header the multiplexer writes in front of encoded AAC.

use super::{FrameHeader, HeaderResult};
use crate::bits::BitReader;

pub const ADTS_HEADER_SIZE: usize = 7;
const SAMPLE_RATES: [u32; 13] = [
    96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000,
    7_350,
];

pub fn parse_adts(data: &[u8]) -> HeaderResult {
    if data.len() < ADTS_HEADER_SIZE {
        return HeaderResult::NeedMore;
    }
    if data[0] != 0xFF || data[1] & 0xF6 != 0xF0 {
        return HeaderResult::Invalid;
    }
    let Some(&sample_rate) = SAMPLE_RATES.get(usize::from((data[2] >> 2) & 0x0F)) else {
        return HeaderResult::Invalid;
    };
    let channel_configuration = ((data[2] & 0x01) << 2) | (data[3] >> 6);
    let frame_length = (usize::from(data[3] & 0x03) << 11)
        | (usize::from(data[4]) << 3)
        | usize::from(data[5] >> 5);
    if frame_length < ADTS_HEADER_SIZE {
        return HeaderResult::Invalid;
    }
    let blocks = u32::from(data[6] & 0x03) + 1;
    HeaderResult::Valid(FrameHeader {
        size: frame_length,
        samples: 1024 * blocks,
        sample_rate,
        channels: if channel_configuration == 7 {
            8
        } else {
            channel_configuration
        },
        starts_access_unit: true,
    })
}

/// LOAS: 11-bit syncword 0x2B7 and a 13-bit audioMuxLengthBytes. The sample rate and channels live in the
/// StreamMuxConfig inside, which only the decoder reads; they are reported as 0 here.
pub fn parse_loas(data: &[u8]) -> HeaderResult {
    if data.len() < 3 {
        return HeaderResult::NeedMore;
    }
    if data[0] != 0x56 || data[1] & 0xE0 != 0xE0 {
        return HeaderResult::Invalid;
    }
    let length = (usize::from(data[1] & 0x1F) << 8) | usize::from(data[2]);
    if length == 0 {
        return HeaderResult::Invalid;
    }
    let (sample_rate, channels, samples) = data
        .get(3..)
        .and_then(stream_mux_config)
        .map_or((0, 0, 1024), |c| (c.sample_rate, c.channels, c.samples));
    HeaderResult::Valid(FrameHeader {
        size: 3 + length,
        samples,
        sample_rate,
        channels,
        starts_access_unit: true,
    })
}

/// What the AudioSpecificConfig inside a StreamMuxConfig says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LatmConfig {
    audio_object_type: u8,
    sample_rate: u32,
    channels: u8,
    samples: u32,
}

/// Reads the format from the StreamMuxConfig of an AudioMuxElement (ISO/IEC 14496-3 §1.7.3) when the frame
/// carries one (useSameStreamMux = 0, audioMuxVersion 0). Frames that reuse the previous configuration give
/// `None`; the framer then keeps the last known format.
fn stream_mux_config(element: &[u8]) -> Option<LatmConfig> {
    let mut r = BitReader::new(element);
    if r.read_bit()? {
        return None; // useSameStreamMux
    }
    if r.read_bit()? {
        return None; // audioMuxVersion 1 (LatmGetValue lengths) is not decoded here
    }
    let _all_streams_same_time_framing = r.read_bit()?;
    let _num_sub_frames = r.read_bits(6)?;
    let _num_program = r.read_bits(4)?;
    let _num_layer = r.read_bits(3)?;
    // AudioSpecificConfig (§1.6.2.1)
    let mut object_type = r.read_bits(5)?;
    if object_type == 31 {
        object_type = 32 + r.read_bits(6)?;
    }
    let mut rate = sampling_frequency(&mut r)?;
    let channels = r.read_bits(4)? as u8;
    let mut samples = 1024;
    if object_type == 5 || object_type == 29 {
        // Explicit SBR: the decoder outputs twice the core samples at the extension rate.
        rate = sampling_frequency(&mut r)?;
        samples = 2048;
    }
    Some(LatmConfig {
        audio_object_type: object_type as u8,
        sample_rate: rate,
        channels: if channels == 7 { 8 } else { channels },
        samples,
    })
}

/// audioObjectType of an ADTS frame: its `profile` field plus one (ISO/IEC 14496-3 §1.A.3.2.1). HE-AAC
/// signalled implicitly says 2 (AAC LC) here, as its ADTS header does.
pub fn adts_audio_object_type(frame: &[u8]) -> Option<u8> {
    (frame.len() >= ADTS_HEADER_SIZE && frame[0] == 0xFF && frame[1] & 0xF6 == 0xF0)
        .then(|| (frame[2] >> 6) + 1)
}

/// audioObjectType of a LOAS frame whose AudioMuxElement carries a StreamMuxConfig (`None` for frames that
/// reuse the previous one).
pub fn latm_audio_object_type(frame: &[u8]) -> Option<u8> {
    if frame.len() < 3 || frame[0] != 0x56 || frame[1] & 0xE0 != 0xE0 {
        return None;
    }
    stream_mux_config(&frame[3..]).map(|c| c.audio_object_type)
}

fn sampling_frequency(r: &mut BitReader<'_>) -> Option<u32> {
    match r.read_bits(4)? {
        0xF => r.read_bits(24),
        index => SAMPLE_RATES.get(index as usize).copied(),
    }
}

/// Writes an ADTS header (MPEG-4, no CRC, one raw data block) for an AAC-LC frame of `payload_len` bytes.
pub fn write_adts_header(out: &mut Vec<u8>, sample_rate: u32, channels: u8, payload_len: usize) {
    let sf_index = SAMPLE_RATES
        .iter()
        .position(|&r| r == sample_rate)
        .unwrap_or(3) as u8;
    let length = payload_len + ADTS_HEADER_SIZE;
    let profile = 1u8; // AAC LC (audio object type 2, minus one)
    out.push(0xFF);
    out.push(0xF1);
    out.push((profile << 6) | (sf_index << 2) | ((channels >> 2) & 0x01));
    out.push(((channels & 0x03) << 6) | ((length >> 11) as u8 & 0x03));
    out.push((length >> 3) as u8);
    out.push((((length & 0x07) as u8) << 5) | 0x1F);
    out.push(0xFC);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adts_header_roundtrips() {
        let mut frame = Vec::new();
        write_adts_header(&mut frame, 48_000, 2, 371);
        frame.resize(frame.len() + 371, 0);
        let HeaderResult::Valid(h) = parse_adts(&frame) else {
            panic!()
        };
        assert_eq!(
            (h.size, h.samples, h.sample_rate, h.channels),
            (378, 1024, 48_000, 2)
        );
    }

    #[test]
    fn loas_length_is_read() {
        let HeaderResult::Valid(h) = parse_loas(&[0x56, 0xE1, 0x00, 0x80]) else {
            panic!()
        };
        assert_eq!(
            (h.size, h.sample_rate),
            (259, 0),
            "useSameStreamMux: format unknown here"
        );
        assert_eq!(parse_loas(&[0x56, 0xE0, 0x00]), HeaderResult::Invalid);
    }

    #[test]
    fn loas_stream_mux_config_gives_the_format() {
        let mut w = crate::bits::BitWriter::new();
        w.bits(11, 0x2B7).bits(13, 20);
        w.bit(false)
            .bit(false)
            .bit(true)
            .bits(6, 0)
            .bits(4, 0)
            .bits(3, 0); // StreamMuxConfig, version 0
        w.bits(5, 2).bits(4, 3).bits(4, 2); // AAC LC, 48 kHz, stereo
        let mut frame = w.into_bytes();
        frame.resize(23, 0);
        let HeaderResult::Valid(h) = parse_loas(&frame) else {
            panic!()
        };
        assert_eq!((h.sample_rate, h.channels, h.samples), (48_000, 2, 1024));
        assert_eq!(latm_audio_object_type(&frame), Some(2));
        assert_eq!(latm_audio_object_type(&[0x56, 0xE1, 0x00, 0x80]), None);
    }

    #[test]
    fn adts_profile_gives_the_audio_object_type() {
        let mut frame = Vec::new();
        write_adts_header(&mut frame, 48_000, 2, 10);
        assert_eq!(adts_audio_object_type(&frame), Some(2));
        frame[2] &= 0x3F; // profile 0: AAC Main
        assert_eq!(adts_audio_object_type(&frame), Some(1));
        assert_eq!(adts_audio_object_type(&frame[..4]), None);
    }
}
