//! Packetized elementary stream packets (ISO/IEC 13818-1 §2.4.3.6): header parsing, reassembly from TS
//! payloads, and writing.

use crate::timestamp::Timestamp;

/// Upper bound of one reassembled PES (a UHD HEVC I-frame is ~1–2 MB; anything larger is treated as hostile).
pub const MAX_PES_SIZE: usize = 8 * 1024 * 1024;

/// stream_id values used by the engine (§2.4.3.7 Table 2-22).
pub mod stream_id {
    /// private_stream_1: AC-3, E-AC-3, teletext, subtitles in DVB.
    pub const PRIVATE_STREAM_1: u8 = 0xBD;
    pub const PADDING_STREAM: u8 = 0xBE;
    pub const PRIVATE_STREAM_2: u8 = 0xBF;
    /// First MPEG audio stream (0xC0–0xDF); AAC uses it too.
    pub const AUDIO: u8 = 0xC0;
    /// First video stream (0xE0–0xEF).
    pub const VIDEO: u8 = 0xE0;
}

/// Why a PES was not delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PesError {
    /// packet_start_code_prefix missing or header fields running past the data.
    Malformed,
    /// Reassembly exceeded [`MAX_PES_SIZE`].
    LimitExceeded,
    /// A packet of this PES was lost (continuity error or scrambled packet).
    Interrupted,
}

/// The fields of a PES header the engine uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PesHeader {
    pub stream_id: u8,
    /// PES_packet_length; `None` when 0 (unbounded, video only).
    pub pes_packet_length: Option<usize>,
    pub data_alignment_indicator: bool,
    pub pts: Option<Timestamp>,
    pub dts: Option<Timestamp>,
    /// Offset of the first payload byte from the start of the PES.
    pub payload_offset: usize,
}

fn has_optional_header(stream_id: u8) -> bool {
    !matches!(
        stream_id,
        0xBC | stream_id::PADDING_STREAM
            | stream_id::PRIVATE_STREAM_2
            | 0xF0
            | 0xF1
            | 0xF2
            | 0xF8
            | 0xFF
    )
}

/// Reads a 5-byte PTS or DTS field (marker bits are not checked: broadcast encoders get them wrong).
fn read_timestamp(b: &[u8]) -> Option<Timestamp> {
    let b: &[u8; 5] = b.get(..5)?.try_into().ok()?;
    let value = (u64::from(b[0] >> 1) & 0x07) << 30
        | u64::from(b[1]) << 22
        | (u64::from(b[2]) >> 1) << 15
        | u64::from(b[3]) << 7
        | u64::from(b[4]) >> 1;
    Some(Timestamp::new(value))
}

fn write_timestamp(out: &mut Vec<u8>, prefix: u8, ts: Timestamp) {
    let v = ts.ticks();
    out.push((prefix << 4) | (((v >> 30) as u8 & 0x07) << 1) | 1);
    out.push((v >> 22) as u8);
    out.push((((v >> 15) as u8) << 1) | 1);
    out.push((v >> 7) as u8);
    out.push(((v as u8) << 1) | 1);
}

impl PesHeader {
    /// Parses the header at the start of a PES.
    pub fn parse(data: &[u8]) -> Result<Self, PesError> {
        if data.len() < 6 || data[..3] != [0, 0, 1] {
            return Err(PesError::Malformed);
        }
        let stream_id = data[3];
        let length = usize::from(u16::from_be_bytes([data[4], data[5]]));
        let pes_packet_length = (length != 0).then_some(length);
        if !has_optional_header(stream_id) {
            return Ok(PesHeader {
                stream_id,
                pes_packet_length,
                data_alignment_indicator: false,
                pts: None,
                dts: None,
                payload_offset: 6,
            });
        }
        if data.len() < 9 || data[6] & 0xC0 != 0x80 {
            return Err(PesError::Malformed);
        }
        let header_data_length = usize::from(data[8]);
        let payload_offset = 9 + header_data_length;
        if data.len() < payload_offset {
            return Err(PesError::Malformed);
        }
        let fields = &data[9..payload_offset];
        let (pts, dts) = match data[7] >> 6 {
            0b10 => (
                Some(read_timestamp(fields).ok_or(PesError::Malformed)?),
                None,
            ),
            0b11 => (
                Some(read_timestamp(fields).ok_or(PesError::Malformed)?),
                Some(read_timestamp(fields.get(5..).unwrap_or(&[])).ok_or(PesError::Malformed)?),
            ),
            _ => (None, None),
        };
        Ok(PesHeader {
            stream_id,
            pes_packet_length,
            data_alignment_indicator: data[6] & 0x04 != 0,
            pts,
            dts,
            payload_offset,
        })
    }
}

/// A reassembled PES: header fields plus the elementary-stream bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PesPacket {
    pub header: PesHeader,
    pub payload: Vec<u8>,
    /// random_access_indicator of the first packet.
    pub random_access: bool,
    /// The first packet had discontinuity_indicator set.
    pub discontinuity: bool,
}

/// Reassembles the PES packets of one PID from TS payloads.
///
/// A PES ends when its PES_packet_length is reached (audio: delivered at once) or when the next
/// payload_unit_start_indicator arrives (video with length 0). The header is kept apart from the payload,
/// so the elementary-stream bytes are copied once. At most [`MAX_PES_SIZE`] bytes are held.
#[derive(Debug, Default)]
pub struct PesAssembler {
    header: Vec<u8>,
    /// Length of the complete header once known (6, or 9 + PES_header_data_length).
    header_len: Option<usize>,
    malformed: bool,
    buffer: Vec<u8>,
    /// Payload bytes still expected; `None` while unknown or unbounded.
    expected: Option<usize>,
    active: bool,
    random_access: bool,
    discontinuity: bool,
    /// Size of the recent large PES (the largest, decaying by 1/16 per PES), to size the next buffer so
    /// that even a keyframe rarely regrows (and copies) it.
    peak_size: usize,
    /// Size of the last PES: the reservation never exceeds a few times it, so many small PES queued
    /// after one large push do not each hold a keyframe-sized buffer.
    last_size: usize,
}

impl PesAssembler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes held for the PES in progress.
    pub fn buffered(&self) -> usize {
        self.header.len() + self.buffer.len()
    }

    /// Drops the PES in progress after a lost packet; returns whether one was dropped.
    pub fn interrupt(&mut self) -> bool {
        let dropped = self.active;
        self.reset();
        dropped
    }

    fn reset(&mut self) {
        self.header.clear();
        self.header_len = None;
        self.malformed = false;
        self.buffer.clear();
        self.active = false;
        self.expected = None;
    }

    /// Feeds one packet payload and returns what completed.
    pub fn push(
        &mut self,
        payload: &[u8],
        payload_unit_start: bool,
        random_access: bool,
        discontinuity: bool,
        out: &mut Vec<Result<PesPacket, PesError>>,
    ) {
        if payload_unit_start {
            if self.active {
                out.push(self.finish());
            }
            self.reset();
            self.active = true;
            self.random_access = random_access;
            self.discontinuity = discontinuity;
        } else if !self.active {
            return; // continuation of a PES whose start we never saw
        }
        let data = self.take_header(payload);
        if self.malformed || self.header_len.is_none() {
            return;
        }
        if self.buffer.len() + data.len() > MAX_PES_SIZE {
            self.reset();
            out.push(Err(PesError::LimitExceeded));
            return;
        }
        if self.buffer.capacity() == 0 {
            let hint = self.peak_size.min(self.last_size.saturating_mul(4));
            self.buffer.reserve(hint.max(data.len()));
        }
        self.buffer.extend_from_slice(data);
        if let Some(expected) = self.expected
            && self.buffer.len() >= expected
        {
            self.buffer.truncate(expected);
            out.push(self.finish());
        }
    }

    /// Moves header bytes from the front of `data` into `header` until the header is complete; returns
    /// the rest (payload bytes).
    fn take_header<'a>(&mut self, mut data: &'a [u8]) -> &'a [u8] {
        while self.header_len.is_none() && !self.malformed {
            let have = self.header.len();
            // 6 bytes tell the stream_id and length; streams with the optional header need 9 to know its
            // length.
            let target = if have < 6 || !has_optional_header(self.header[3]) {
                6
            } else if have < 9 {
                9
            } else {
                9 + usize::from(self.header[8])
            };
            if have >= 3 && self.header[..3] != [0, 0, 1] {
                self.malformed = true;
                break;
            }
            if have >= target {
                self.header_len = Some(target);
                let length = usize::from(u16::from_be_bytes([self.header[4], self.header[5]]));
                self.expected = (length != 0).then(|| (6 + length).saturating_sub(target));
                break;
            }
            if data.is_empty() {
                break;
            }
            let take = (target - have).min(data.len());
            self.header.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        data
    }

    /// Delivers the PES in progress, if any (end of input).
    pub fn flush(&mut self, out: &mut Vec<Result<PesPacket, PesError>>) {
        if self.active {
            out.push(self.finish());
        }
    }

    fn finish(&mut self) -> Result<PesPacket, PesError> {
        self.active = false;
        self.expected = None;
        if self.malformed || self.header_len.is_none() {
            return Err(PesError::Malformed);
        }
        let header = PesHeader::parse(&self.header)?;
        let payload = std::mem::take(&mut self.buffer);
        self.peak_size = payload.len().max(self.peak_size - self.peak_size / 16);
        self.last_size = payload.len();
        Ok(PesPacket {
            header,
            payload,
            random_access: self.random_access,
            discontinuity: self.discontinuity,
        })
    }
}

/// Writes a PES header. `payload_len` sets PES_packet_length (0 when it does not fit, allowed for video).
pub fn write_pes_header(
    out: &mut Vec<u8>,
    stream_id: u8,
    pts: Option<Timestamp>,
    dts: Option<Timestamp>,
    payload_len: usize,
) {
    let dts = dts.filter(|d| Some(*d) != pts);
    let header_data_length = match (pts, dts) {
        (Some(_), Some(_)) => 10,
        (Some(_), None) => 5,
        _ => 0,
    };
    let length = 3 + header_data_length + payload_len;
    let length = if length > usize::from(u16::MAX) {
        0
    } else {
        length as u16
    };
    out.extend_from_slice(&[0, 0, 1, stream_id]);
    out.extend_from_slice(&length.to_be_bytes());
    out.push(0x84); // '10', data_alignment_indicator
    out.push(match (pts, dts) {
        (Some(_), Some(_)) => 0xC0,
        (Some(_), None) => 0x80,
        _ => 0x00,
    });
    out.push(header_data_length as u8);
    if let Some(pts) = pts {
        write_timestamp(out, if dts.is_some() { 0b0011 } else { 0b0010 }, pts);
    }
    if let Some(dts) = dts {
        write_timestamp(out, 0b0001, dts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pes(stream_id: u8, pts: Option<u64>, dts: Option<u64>, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_pes_header(
            &mut out,
            stream_id,
            pts.map(Timestamp::new),
            dts.map(Timestamp::new),
            payload.len(),
        );
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn header_roundtrips_pts_and_dts_including_the_33rd_bit() {
        let data = pes(stream_id::VIDEO, Some((1 << 33) - 1), Some(1 << 32), b"abc");
        let header = PesHeader::parse(&data).unwrap();
        assert_eq!(header.pts, Some(Timestamp::new((1 << 33) - 1)));
        assert_eq!(header.dts, Some(Timestamp::new(1 << 32)));
        assert!(header.data_alignment_indicator);
        assert_eq!(&data[header.payload_offset..], b"abc");
    }

    #[test]
    fn bounded_pes_completes_without_waiting_for_the_next_start() {
        let data = pes(stream_id::AUDIO, Some(900), None, &[7u8; 300]);
        let mut assembler = PesAssembler::new();
        let mut out = Vec::new();
        assembler.push(&data[..184], true, false, false, &mut out);
        assert!(out.is_empty());
        assembler.push(&data[184..], false, false, false, &mut out);
        let packet = out.pop().unwrap().unwrap();
        assert_eq!(packet.payload, vec![7u8; 300]);
        assert_eq!(packet.header.pts, Some(Timestamp::new(900)));
    }

    #[test]
    fn unbounded_pes_completes_at_the_next_start() {
        let mut data = pes(stream_id::VIDEO, Some(1), None, &[]);
        data[4] = 0;
        data[5] = 0;
        data.extend_from_slice(&[1, 2, 3]);
        let mut assembler = PesAssembler::new();
        let mut out = Vec::new();
        assembler.push(&data, true, true, false, &mut out);
        assembler.push(&[4, 5], false, false, false, &mut out);
        assert!(out.is_empty());
        assembler.push(&data, true, false, false, &mut out);
        let first = out.pop().unwrap().unwrap();
        assert_eq!(first.payload, vec![1, 2, 3, 4, 5]);
        assert!(first.random_access);
    }

    #[test]
    fn garbage_start_is_malformed_and_oversize_is_a_limit() {
        let mut assembler = PesAssembler::new();
        let mut out = Vec::new();
        assembler.push(&[9, 9, 9, 9, 9, 9, 9, 9, 9], true, false, false, &mut out);
        assembler.flush(&mut out);
        assert_eq!(out.pop(), Some(Err(PesError::Malformed)));
        let mut header = pes(stream_id::VIDEO, None, None, &[]);
        header[4] = 0;
        header[5] = 0;
        assembler.push(&header, true, false, false, &mut out);
        let chunk = vec![0u8; 184];
        for _ in 0..MAX_PES_SIZE / 184 + 1 {
            assembler.push(&chunk, false, false, false, &mut out);
        }
        assert_eq!(out.pop(), Some(Err(PesError::LimitExceeded)));
        assert!(assembler.buffered() < MAX_PES_SIZE);
    }
}
