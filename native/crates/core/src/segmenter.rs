//! Turns muxable units into output: one continuous transport stream, or HLS segments cut at keyframes.
//!
//! Cut rule: segment boundaries are scheduled every `target` on the media timeline; a segment ends at the
//! first keyframe at or after its scheduled boundary. The schedule never runs more than half a target
//! behind the last cut, so segments average the target, last at most target + one GOP, and never shrink
//! below half a target after a long GOP. Without video the first audio stream drives the cuts and every
//! frame is a boundary (cuts on frame counts). Each segment starts with PAT and PMT; a segment after a
//! timeline break or a stream change carries the discontinuity flag.
//!
//! When no keyframe comes for [`forced_cut_after`] (a stream whose random-access points are not
//! recognised), the segment is cut anyway so memory stays bounded; such a segment is marked
//! `keyframe: false`.

use std::collections::VecDeque;

use crate::mux::{MuxConfig, Muxer};
use crate::timestamp::{CLOCK_90K, MediaTime};

/// Largest segment held in memory; a longer one is cut at the next unit.
pub const MAX_SEGMENT_BYTES: usize = 64 * 1024 * 1024;
/// Tables are repeated at least this often in continuous TS output (0.4 s, below DVB's 0.5 s).
const TABLE_INTERVAL: i64 = 36_000;

/// Segment length after which a cut is forced without a keyframe.
pub fn forced_cut_after(target: i64) -> i64 {
    (3 * target).max(10 * CLOCK_90K)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputMode {
    /// One continuous transport stream.
    Ts,
    /// HLS segments of about `target` 90 kHz ticks.
    Hls { target: i64 },
}

/// A finished HLS media segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Media sequence number, from 0, one per segment.
    pub sequence: u64,
    /// Presentation time of the first frame.
    pub start: MediaTime,
    /// Duration in 90 kHz ticks.
    pub duration: i64,
    /// Starts with a keyframe (always, unless the cut was forced).
    pub keyframe: bool,
    /// Follows a timeline break or a change of streams.
    pub discontinuity: bool,
    /// The transport stream bytes, PAT/PMT first.
    pub data: Vec<u8>,
}

/// One access unit or audio frame to write.
#[derive(Clone, Copy, Debug)]
pub struct Unit<'a> {
    /// Index into the muxer's stream list.
    pub stream: usize,
    pub pts: MediaTime,
    pub dts: MediaTime,
    /// Presentation duration in ticks (0 if unknown).
    pub duration: i64,
    pub data: &'a [u8],
    /// A decoder can start here (video keyframe; every audio frame).
    pub keyframe: bool,
}

#[derive(Debug)]
struct OpenSegment {
    start: MediaTime,
    end: MediaTime,
    data: Vec<u8>,
    keyframe: bool,
    discontinuity: bool,
}

/// Counters the engine turns into statistics and warnings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SegmenterCounters {
    pub segments: u64,
    pub forced_cuts: u64,
    /// Units that arrived while no segment could be open (before the first keyframe).
    pub dropped_units: u64,
}

#[derive(Debug)]
pub struct Segmenter {
    mode: OutputMode,
    muxer: Muxer,
    /// The stream whose keyframes (or frames, without video) decide the cuts.
    primary: Option<usize>,
    has_video: bool,
    open: Option<OpenSegment>,
    next_sequence: u64,
    next_discontinuity: bool,
    next_cut: MediaTime,
    ts: Vec<u8>,
    started: bool,
    last_tables: Option<MediaTime>,
    done: VecDeque<Segment>,
    counters: SegmenterCounters,
    /// Size of the last segment, to allocate the next one without regrowing it.
    last_size: usize,
}

impl Segmenter {
    /// `video_stream` is the index of the video stream in `config`, if there is one; without video the
    /// first stream drives the cuts.
    pub fn new(mode: OutputMode, config: MuxConfig, video_stream: Option<usize>) -> Self {
        let primary = video_stream.or((!config.streams.is_empty()).then_some(0));
        Segmenter {
            mode,
            muxer: Muxer::new(config),
            primary,
            has_video: video_stream.is_some(),
            open: None,
            next_sequence: 0,
            next_discontinuity: false,
            next_cut: MediaTime::ZERO,
            ts: Vec::new(),
            started: false,
            last_tables: None,
            done: VecDeque::new(),
            counters: SegmenterCounters::default(),
            last_size: 0,
        }
    }

    pub fn counters(&self) -> SegmenterCounters {
        self.counters
    }

    pub fn config(&self) -> &MuxConfig {
        self.muxer.config()
    }

    /// Whether output has begun (a segment is open, or TS output has started).
    pub fn started(&self) -> bool {
        self.open.is_some() || (self.mode == OutputMode::Ts && self.started)
    }

    /// Writes one unit; completed segments become available through [`Segmenter::pull_segment`].
    pub fn write(&mut self, unit: &Unit<'_>) {
        match self.mode {
            OutputMode::Ts => self.write_ts(unit),
            OutputMode::Hls { target } => self.write_hls(unit, target),
        }
    }

    fn write_ts(&mut self, unit: &Unit<'_>) {
        let primary = Some(unit.stream) == self.primary;
        if !self.started {
            if self.has_video && !(primary && unit.keyframe) {
                self.counters.dropped_units += 1;
                return;
            }
            self.started = true;
        }
        let tables_due = self.last_tables.is_none_or(|last| {
            (primary && unit.keyframe && self.has_video)
                || unit.dts.saturating_sub(last).abs() >= TABLE_INTERVAL
        });
        if tables_due {
            self.muxer.write_tables(&mut self.ts);
            self.last_tables = Some(unit.dts);
        }
        self.muxer.write_pes(
            &mut self.ts,
            unit.stream,
            unit.pts,
            unit.dts,
            unit.data,
            unit.keyframe,
        );
    }

    fn write_hls(&mut self, unit: &Unit<'_>, target: i64) {
        let primary = Some(unit.stream) == self.primary;
        let boundary = primary && unit.keyframe;
        match &self.open {
            None if boundary || (primary && !self.has_video) => {
                self.open_segment(unit.pts, true, target)
            }
            None => {
                self.counters.dropped_units += 1;
                return;
            }
            Some(open) => {
                if boundary && unit.pts >= self.next_cut {
                    self.close(Some(unit.pts));
                    self.open_segment(unit.pts, true, target);
                } else if primary
                    && (unit.pts.saturating_sub(open.start) >= forced_cut_after(target)
                        || open.data.len() >= MAX_SEGMENT_BYTES)
                {
                    self.counters.forced_cuts += 1;
                    self.close(Some(unit.pts));
                    self.open_segment(unit.pts, false, target);
                }
            }
        }
        let Some(open) = self.open.as_mut() else {
            return;
        };
        self.muxer.write_pes(
            &mut open.data,
            unit.stream,
            unit.pts,
            unit.dts,
            unit.data,
            unit.keyframe,
        );
        let end = unit.pts.saturating_add(unit.duration);
        if primary && end > open.end {
            open.end = end;
        }
    }

    fn open_segment(&mut self, start: MediaTime, keyframe: bool, target: i64) {
        let fresh = self.open.is_none() && (self.next_sequence == 0 || self.next_discontinuity);
        self.next_cut = if fresh {
            start.saturating_add(target)
        } else {
            (self.next_cut.saturating_add(target)).max(start.saturating_add(target / 2))
        };
        let mut data = Vec::with_capacity((self.last_size + self.last_size / 8).max(64 * 1024));
        self.muxer.write_tables(&mut data);
        self.open = Some(OpenSegment {
            start,
            end: start,
            data,
            keyframe,
            discontinuity: std::mem::take(&mut self.next_discontinuity),
        });
    }

    /// Closes the open segment; its duration runs to `end` (the next segment's start) or to the end of its
    /// last frame of the primary stream.
    fn close(&mut self, end: Option<MediaTime>) {
        let Some(open) = self.open.take() else { return };
        let end = end.unwrap_or(open.end);
        self.counters.segments += 1;
        self.last_size = open.data.len();
        self.done.push_back(Segment {
            sequence: self.next_sequence,
            start: open.start,
            duration: end.saturating_sub(open.start).max(0),
            keyframe: open.keyframe,
            discontinuity: open.discontinuity,
            data: open.data,
        });
        self.next_sequence += 1;
    }

    /// A timeline break: the open segment ends, the next one is flagged, packets carry discontinuity_indicator.
    pub fn discontinuity(&mut self) {
        self.close(None);
        self.next_discontinuity = true;
        self.muxer.mark_discontinuity();
        self.started = false;
        self.last_tables = None;
    }

    /// The stream set changed: the open segment ends and the next one starts with the new tables.
    pub fn reconfigure(&mut self, config: MuxConfig, video_stream: Option<usize>) {
        self.close(None);
        self.next_discontinuity = true;
        self.primary = video_stream.or((!config.streams.is_empty()).then_some(0));
        self.has_video = video_stream.is_some();
        self.muxer.reconfigure(config);
        self.started = false;
        self.last_tables = None;
    }

    /// Ends the output: the open segment is closed.
    pub fn finish(&mut self) {
        self.close(None);
    }

    pub fn pull_segment(&mut self) -> Option<Segment> {
        self.done.pop_front()
    }

    /// Takes the continuous TS bytes written so far. The next buffer is allocated at the size of this
    /// one (plus an eighth), so steady output does not regrow (and copy) it packet by packet.
    pub fn take_ts(&mut self) -> Vec<u8> {
        if self.ts.is_empty() {
            return Vec::new();
        }
        let size = self.ts.len();
        std::mem::replace(&mut self.ts, Vec::with_capacity(size + size / 8))
    }

    /// Continuous TS bytes written and not taken yet.
    pub fn pending_ts(&self) -> usize {
        self.ts.len()
    }

    /// Bytes held in the open segment or unread TS output.
    pub fn buffered(&self) -> usize {
        self.ts.len()
            + self.open.as_ref().map_or(0, |o| o.data.len())
            + self.done.iter().map(|s| s.data.len()).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mux::MuxStream;
    use crate::packet::Pid;
    use crate::pes::stream_id;
    use crate::stream_type::StreamType;

    fn config(with_video: bool) -> MuxConfig {
        let mut streams = Vec::new();
        if with_video {
            streams.push(MuxStream {
                pid: Pid::new(0x100),
                stream_type: StreamType::H264,
                stream_id: stream_id::VIDEO,
                descriptors: vec![],
            });
        }
        streams.push(MuxStream {
            pid: Pid::new(0x101),
            stream_type: StreamType::AAC_ADTS,
            stream_id: stream_id::AUDIO,
            descriptors: vec![],
        });
        MuxConfig {
            transport_stream_id: 1,
            program_number: 1,
            pcr_pid: streams[0].pid,
            streams,
        }
    }

    const FRAME: i64 = 1800; // 50 fps
    const TARGET: i64 = 2 * CLOCK_90K;

    /// Feeds `seconds` of 50 fps video with a keyframe every `gop` frames, plus audio every 1920 ticks.
    fn feed(segmenter: &mut Segmenter, start: i64, frames: i64, gop: i64) {
        let mut audio_t = start;
        for i in 0..frames {
            let t = MediaTime(start + i * FRAME);
            segmenter.write(&Unit {
                stream: 0,
                pts: t,
                dts: t,
                duration: FRAME,
                data: &[0u8; 1000],
                keyframe: i % gop == 0,
            });
            while audio_t < t.ticks() + FRAME {
                let a = MediaTime(audio_t);
                segmenter.write(&Unit {
                    stream: 1,
                    pts: a,
                    dts: a,
                    duration: 1920,
                    data: &[1u8; 300],
                    keyframe: true,
                });
                audio_t += 1920;
            }
        }
    }

    fn drain(segmenter: &mut Segmenter) -> Vec<Segment> {
        std::iter::from_fn(|| segmenter.pull_segment()).collect()
    }

    #[test]
    fn cuts_at_keyframes_averaging_the_target() {
        let mut segmenter =
            Segmenter::new(OutputMode::Hls { target: TARGET }, config(true), Some(0));
        feed(&mut segmenter, 900_000, 1000, 32); // 20 s, GOP 0.64 s
        segmenter.finish();
        let segments = drain(&mut segmenter);
        let durations: Vec<f64> = segments
            .iter()
            .map(|s| s.duration as f64 / 90_000.0)
            .collect();
        assert!(segments.iter().all(|s| s.keyframe && !s.discontinuity));
        assert!(
            segments
                .windows(2)
                .all(|w| w[0].start.ticks() + w[0].duration == w[1].start.ticks())
        );
        assert!(durations.iter().all(|d| *d <= 2.0 + 0.64), "{durations:?}");
        assert!(
            durations[..durations.len() - 1].iter().all(|d| *d >= 1.0),
            "{durations:?}"
        );
        assert_eq!(
            segments.iter().map(|s| s.duration).sum::<i64>(),
            20 * CLOCK_90K
        );
        assert_eq!(segments.len(), 10);
        assert_eq!(
            segments.iter().map(|s| s.sequence).collect::<Vec<_>>(),
            (0..10).collect::<Vec<_>>()
        );
    }

    #[test]
    fn long_gop_makes_long_segments_then_recovers_to_the_target() {
        let mut segmenter =
            Segmenter::new(OutputMode::Hls { target: TARGET }, config(true), Some(0));
        feed(&mut segmenter, 0, 500, 250); // 10 s with a 5 s GOP
        feed(&mut segmenter, 500 * FRAME, 500, 25); // then 10 s with a 0.5 s GOP
        segmenter.finish();
        let durations: Vec<f64> = drain(&mut segmenter)
            .iter()
            .map(|s| s.duration as f64 / 90_000.0)
            .collect();
        assert_eq!(durations[..2], [5.0, 5.0]);
        assert!(
            durations[2..].iter().all(|d| *d >= 1.0 && *d <= 2.5),
            "{durations:?}"
        );
    }

    #[test]
    fn audio_only_is_cut_on_frame_counts() {
        let mut segmenter = Segmenter::new(OutputMode::Hls { target: TARGET }, config(false), None);
        for i in 0..1000 {
            let t = MediaTime(i * 1920);
            segmenter.write(&Unit {
                stream: 0,
                pts: t,
                dts: t,
                duration: 1920,
                data: &[0u8; 300],
                keyframe: true,
            });
        }
        segmenter.finish();
        let segments = drain(&mut segmenter);
        assert_eq!(segments.len(), 11);
        assert!(
            segments[..10]
                .iter()
                .all(|s| (s.duration - TARGET).abs() < 1920)
        );
    }

    #[test]
    fn discontinuity_closes_and_flags_the_next_segment() {
        let mut segmenter =
            Segmenter::new(OutputMode::Hls { target: TARGET }, config(true), Some(0));
        feed(&mut segmenter, 0, 150, 25);
        segmenter.discontinuity();
        feed(&mut segmenter, 50_000_000, 150, 25);
        segmenter.finish();
        let segments = drain(&mut segmenter);
        let flagged: Vec<bool> = segments.iter().map(|s| s.discontinuity).collect();
        assert_eq!(flagged, vec![false, false, true, false]);
        assert_eq!(segments[2].start, MediaTime(50_000_000));
    }

    #[test]
    fn missing_keyframes_force_a_bounded_cut() {
        let mut segmenter =
            Segmenter::new(OutputMode::Hls { target: TARGET }, config(true), Some(0));
        feed(&mut segmenter, 0, 1500, 100_000); // 30 s, only the first frame is a keyframe
        segmenter.finish();
        let segments = drain(&mut segmenter);
        assert_eq!(segmenter.counters().forced_cuts, 2);
        assert!(segments[0].keyframe && !segments[1].keyframe);
        assert!(
            segments
                .iter()
                .all(|s| s.duration <= forced_cut_after(TARGET))
        );
    }

    #[test]
    fn ts_output_waits_for_a_keyframe_and_repeats_tables() {
        let mut segmenter = Segmenter::new(OutputMode::Ts, config(true), Some(0));
        let t = MediaTime(0);
        segmenter.write(&Unit {
            stream: 1,
            pts: t,
            dts: t,
            duration: 1920,
            data: &[1u8; 10],
            keyframe: true,
        });
        assert!(segmenter.take_ts().is_empty());
        assert_eq!(segmenter.counters().dropped_units, 1);
        feed(&mut segmenter, 0, 50, 25);
        let ts = segmenter.take_ts();
        let pat_packets = ts
            .chunks(188)
            .filter(|p| p[1] & 0x1F == 0 && p[2] == 0)
            .count();
        assert_eq!(
            ts[..4],
            [0x47, 0x40, 0x00, 0x10],
            "output starts with the PAT"
        );
        assert!(
            pat_packets >= 3,
            "tables at the two keyframes and at least once in between"
        );
    }
}
