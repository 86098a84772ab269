//! AAC transport framings: ADTS (ISO/IEC 13818-7 §6.2 / 14496-3 §1.A.2) and LOAS AudioSyncStream
//! (ISO/IEC 14496-3 §1.7.2), plus the ADTS header the multiplexer writes in front of encoded AAC.

use super::{FrameHeader, HeaderResult};

pub const ADTS_HEADER_SIZE: usize = 7;
const SAMPLE_RATES: [u32; 13] = [96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000, 7_350];

pub fn parse_adts(data: &[u8]) -> HeaderResult {
    if data.len() < ADTS_HEADER_SIZE {
        return HeaderResult::NeedMore;
    }
    if data[0] != 0xFF || data[1] & 0xF6 != 0xF0 {
        return HeaderResult::Invalid;
    }
    let Some(&sample_rate) = SAMPLE_RATES.get(usize::from((data[2] >> 2) & 0x0F)) else { return HeaderResult::Invalid };
    let channel_configuration = ((data[2] & 0x01) << 2) | (data[3] >> 6);
    let frame_length = (usize::from(data[3] & 0x03) << 11) | (usize::from(data[4]) << 3) | usize::from(data[5] >> 5);
    if frame_length < ADTS_HEADER_SIZE {
        return HeaderResult::Invalid;
    }
    let blocks = u32::from(data[6] & 0x03) + 1;
    HeaderResult::Valid(FrameHeader {
        size: frame_length,
        samples: 1024 * blocks,
        sample_rate,
        channels: if channel_configuration == 7 { 8 } else { channel_configuration },
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
    HeaderResult::Valid(FrameHeader { size: 3 + length, samples: 1024, sample_rate: 0, channels: 0, starts_access_unit: true })
}

/// Writes an ADTS header (MPEG-4, no CRC, one raw data block) for an AAC-LC frame of `payload_len` bytes.
pub fn write_adts_header(out: &mut Vec<u8>, sample_rate: u32, channels: u8, payload_len: usize) {
    let sf_index = SAMPLE_RATES.iter().position(|&r| r == sample_rate).unwrap_or(3) as u8;
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
        let HeaderResult::Valid(h) = parse_adts(&frame) else { panic!() };
        assert_eq!((h.size, h.samples, h.sample_rate, h.channels), (378, 1024, 48_000, 2));
    }

    #[test]
    fn loas_length_is_read() {
        let HeaderResult::Valid(h) = parse_loas(&[0x56, 0xE1, 0x00, 0]) else { panic!() };
        assert_eq!(h.size, 259);
        assert_eq!(parse_loas(&[0x56, 0xE0, 0x00]), HeaderResult::Invalid);
    }
}
