//! Audio framing: splits PES payloads into codec frames (AC-3, E-AC-3, MPEG audio, ADTS, LOAS) and gives
//! each frame its presentation time.
//!
//! Frames may straddle PES boundaries, and a PES PTS belongs to the first frame that *starts* in that PES
//! (ISO/IEC 13818-1 §2.4.3.7); later frames get the previous time plus one frame duration. After garbage the
//! framer only trusts a sync word once the next frame's header follows it ("locking"), so a stray 0xFFF in MP2
//! data does not produce a bogus frame.

pub mod aac;
pub mod ac3;
pub mod mpa;

use std::collections::VecDeque;

use crate::stream_type::AudioCodec;
use crate::timestamp::MediaTime;

/// Bytes held while searching for frames; a larger backlog means the stream is not what the PMT says.
pub const MAX_FRAMER_BUFFER: usize = 256 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    /// Frame size in bytes, header included.
    pub size: usize,
    /// PCM samples per channel the frame decodes to.
    pub samples: u32,
    /// 0 when the framing does not say (LOAS).
    pub sample_rate: u32,
    /// 0 when the framing does not say (LOAS).
    pub channels: u8,
    /// False for E-AC-3 dependent substreams, which are appended to the frame before them.
    pub starts_access_unit: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderResult {
    Valid(FrameHeader),
    Invalid,
    NeedMore,
}

pub fn parse_header(codec: AudioCodec, data: &[u8]) -> HeaderResult {
    match codec {
        AudioCodec::Ac3 => ac3::parse_ac3(data),
        AudioCodec::Eac3 => ac3::parse_eac3(data),
        AudioCodec::Mpeg => mpa::parse(data),
        AudioCodec::AacAdts => aac::parse_adts(data),
        AudioCodec::AacLatm => aac::parse_loas(data),
    }
}

/// One audio access unit, ready for a decoder or for pass-through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudioFrame {
    pub data: Vec<u8>,
    /// Presentation time; `None` until the stream has carried a PTS.
    pub pts: Option<MediaTime>,
    pub samples: u32,
    pub sample_rate: u32,
    pub channels: u8,
}

impl AudioFrame {
    pub fn duration(&self) -> i64 {
        if self.sample_rate == 0 {
            0
        } else {
            MediaTime::from_samples(i64::from(self.samples), self.sample_rate).ticks()
        }
    }
}

/// What went wrong while framing (reported as warnings by the demultiplexer's user).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FramerReport {
    /// Bytes skipped to find the next sync word.
    pub skipped_bytes: usize,
    /// Backlog dropped because it exceeded [`MAX_FRAMER_BUFFER`].
    pub overflowed: bool,
}

/// Splits one audio PID's PES payloads into frames.
#[derive(Debug)]
pub struct AudioFramer {
    codec: AudioCodec,
    buffer: Vec<u8>,
    /// Absolute stream offset of `buffer[0]`.
    base: u64,
    /// (stream offset where a PES payload began, its PTS)
    marks: VecDeque<(u64, MediaTime)>,
    locked: bool,
    next_pts: Option<MediaTime>,
    /// E-AC-3 access unit being collected (independent frame plus dependent substreams).
    pending: Option<AudioFrame>,
    ready: VecDeque<AudioFrame>,
    report: FramerReport,
    /// Last (sample rate, channels, samples) a header stated, for framings that state it only sometimes
    /// (LATM repeats its StreamMuxConfig only now and then).
    format: Option<(u32, u8, u32)>,
}

impl AudioFramer {
    pub fn new(codec: AudioCodec) -> Self {
        AudioFramer {
            codec,
            buffer: Vec::new(),
            base: 0,
            marks: VecDeque::new(),
            locked: false,
            next_pts: None,
            pending: None,
            ready: VecDeque::new(),
            report: FramerReport::default(),
            format: None,
        }
    }

    pub fn codec(&self) -> AudioCodec {
        self.codec
    }

    /// Takes and resets the counters of what was skipped since the last call.
    pub fn take_report(&mut self) -> FramerReport {
        std::mem::take(&mut self.report)
    }

    /// Forgets partial data after a loss; timing restarts from the next PTS.
    pub fn reset(&mut self) {
        self.base += self.buffer.len() as u64;
        self.buffer.clear();
        self.marks.clear();
        self.locked = false;
        self.next_pts = None;
        if let Some(frame) = self.pending.take() {
            self.ready.push_back(frame);
        }
    }

    /// Adds one PES payload and its PTS.
    pub fn push(&mut self, payload: &[u8], pts: Option<MediaTime>) {
        if self.buffer.len() + payload.len() > MAX_FRAMER_BUFFER {
            self.report.overflowed = true;
            self.report.skipped_bytes += self.buffer.len();
            self.reset();
        }
        if let Some(pts) = pts {
            self.marks
                .push_back((self.base + self.buffer.len() as u64, pts));
        }
        self.buffer.extend_from_slice(payload);
        self.scan(false);
    }

    /// Emits whatever complete frame is still held (end of input).
    pub fn flush(&mut self) {
        self.scan(true);
        if let Some(frame) = self.pending.take() {
            self.ready.push_back(frame);
        }
    }

    pub fn pull(&mut self) -> Option<AudioFrame> {
        self.ready.pop_front()
    }

    fn scan(&mut self, at_end: bool) {
        let mut pos = 0usize;
        loop {
            let rest = &self.buffer[pos..];
            let header = match parse_header(self.codec, rest) {
                HeaderResult::NeedMore => break,
                HeaderResult::Invalid => {
                    pos += self.skip_to_candidate(pos);
                    continue;
                }
                HeaderResult::Valid(h) => h,
            };
            if rest.len() < header.size {
                break;
            }
            if !self.locked {
                match parse_header(self.codec, &rest[header.size..]) {
                    HeaderResult::Valid(_) => self.locked = true,
                    // Wait for the next header to confirm this one, unless no more data will come.
                    HeaderResult::NeedMore if !at_end => break,
                    HeaderResult::NeedMore => {}
                    HeaderResult::Invalid => {
                        pos += self.skip_to_candidate(pos);
                        continue;
                    }
                }
            }
            let offset = self.base + pos as u64;
            let data = rest[..header.size].to_vec();
            pos += header.size;
            self.emit(offset, header, data);
        }
        self.buffer.drain(..pos);
        self.base += pos as u64;
    }

    /// Skips past the current byte to the next possible sync position; counts the bytes and unlocks.
    fn skip_to_candidate(&mut self, pos: usize) -> usize {
        self.locked = false;
        let first = match self.codec {
            AudioCodec::Ac3 | AudioCodec::Eac3 => 0x0B,
            AudioCodec::Mpeg | AudioCodec::AacAdts => 0xFF,
            AudioCodec::AacLatm => 0x56,
        };
        let skip = self.buffer[pos + 1..]
            .iter()
            .position(|&b| b == first)
            .map_or(self.buffer.len() - pos, |i| i + 1);
        self.report.skipped_bytes += skip;
        skip
    }

    /// The PTS of the latest PES that began at or before `offset` and has not been used yet: a PES PTS
    /// belongs to the first frame starting at or after the PES start.
    fn pts_for(&mut self, offset: u64) -> Option<MediaTime> {
        let mut found = None;
        while let Some(&(mark, pts)) = self.marks.front() {
            if mark > offset {
                break;
            }
            self.marks.pop_front();
            found = Some(pts);
        }
        found
    }

    fn emit(&mut self, offset: u64, mut header: FrameHeader, data: Vec<u8>) {
        if header.sample_rate > 0 {
            self.format = Some((header.sample_rate, header.channels, header.samples));
        } else if let Some((rate, channels, samples)) = self.format {
            (header.sample_rate, header.channels, header.samples) = (rate, channels, samples);
        }
        if !header.starts_access_unit {
            // Only E-AC-3 dependent substreams: append to the access unit in progress.
            if let Some(pending) = self.pending.as_mut() {
                pending.data.extend_from_slice(&data);
            }
            return;
        }
        let explicit = self.pts_for(offset);
        let pts = explicit.or(self.next_pts);
        let frame = AudioFrame {
            data,
            pts,
            samples: header.samples,
            sample_rate: header.sample_rate,
            channels: header.channels,
        };
        self.next_pts = pts.map(|p| p.saturating_add(frame.duration()));
        if self.codec == AudioCodec::Eac3 {
            if let Some(done) = self.pending.replace(frame) {
                self.ready.push_back(done);
            }
        } else {
            self.ready.push_back(frame);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(framer: &mut AudioFramer) -> Vec<AudioFrame> {
        std::iter::from_fn(|| framer.pull()).collect()
    }

    #[test]
    fn frames_straddling_pes_boundaries_get_the_right_times() {
        let frame = crate::testing::audio::mpa_frame(2, 9, 1, false); // 480 bytes, 1152 samples = 2160 ticks
        let stream: Vec<u8> = (0..6).flat_map(|_| frame.clone()).collect();
        let mut framer = AudioFramer::new(AudioCodec::Mpeg);
        // PES 1: frames 0-1 and half of frame 2; PES 2 starts mid frame 2 with the PTS of frame 3.
        framer.push(&stream[..1200], Some(MediaTime(90_000)));
        framer.push(&stream[1200..], Some(MediaTime(90_000 + 3 * 2160)));
        framer.flush();
        let times: Vec<i64> = drain(&mut framer)
            .iter()
            .map(|f| f.pts.unwrap().ticks())
            .collect();
        assert_eq!(times, (0..6).map(|i| 90_000 + i * 2160).collect::<Vec<_>>());
    }

    #[test]
    fn garbage_is_skipped_and_counted_before_locking() {
        let frame = crate::testing::audio::ac3_frame(0, 30, 7, true);
        let mut data = vec![0x0B, 0x77, 0x12, 0x00, 0x01];
        for _ in 0..3 {
            data.extend_from_slice(&frame);
        }
        let mut framer = AudioFramer::new(AudioCodec::Ac3);
        framer.push(&data, Some(MediaTime(0)));
        framer.flush();
        let frames = drain(&mut framer);
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0].channels, 6);
        assert_eq!(framer.take_report().skipped_bytes, 5);
    }

    #[test]
    fn eac3_dependent_substreams_join_their_independent_frame() {
        let independent = crate::testing::audio::eac3_frame(0, 0, 383, 2, false);
        let dependent = crate::testing::audio::eac3_frame(1, 0, 100, 2, false);
        let mut data = Vec::new();
        for _ in 0..3 {
            data.extend_from_slice(&independent);
            data.extend_from_slice(&dependent);
        }
        let mut framer = AudioFramer::new(AudioCodec::Eac3);
        framer.push(&data, Some(MediaTime(0)));
        framer.flush();
        let frames = drain(&mut framer);
        assert_eq!(frames.len(), 3);
        assert!(
            frames
                .iter()
                .all(|f| f.data.len() == independent.len() + dependent.len())
        );
        assert_eq!(frames[2].pts, Some(MediaTime(2 * 2880)));
    }

    #[test]
    fn backlog_is_bounded() {
        let mut framer = AudioFramer::new(AudioCodec::AacAdts);
        // A valid header announcing a long frame that never completes, then zeros.
        let mut data = Vec::new();
        aac::write_adts_header(&mut data, 48_000, 2, 8000);
        framer.push(&data, None);
        for _ in 0..100 {
            framer.push(&[0u8; 4096], None);
        }
        assert!(framer.buffer.len() <= MAX_FRAMER_BUFFER);
        assert!(framer.take_report().skipped_bytes > 0);
    }
}
