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
//!
//! Renditions ([`OutputMode::HlsRenditions`]): every output stream gets its own multiplexer (its own PAT,
//! a PMT that lists only that stream, its own continuity counters and PCR), and each segment is one
//! transport stream per output stream ([`Segment::parts`]), cut at the same boundaries. The stream that
//! drives the cuts is split in arrival (decode) order as above; every other stream is split by
//! presentation time at the cut, so all parts of a segment cover the same span: a unit at or after the
//! scheduled boundary is held (multiplexed, not yet placed) until the cut is known, and a cut segment is
//! given out only once every other stream has reached its end (the AAC encoder and the source multiplex
//! deliver audio a little late), or [`FOLLOWER_GRACE`] after it on the cutting stream's clock. Units of
//! the other streams that end before the first segment of a timeline starts (the AAC encoder's priming
//! frame, audio that began before the first keyframe) belong to no segment and are left out, so every part
//! starts within one frame of the cutting stream's.

use std::collections::VecDeque;

use crate::mux::{MuxConfig, MuxStream, Muxer};
use crate::timestamp::{CLOCK_90K, MediaTime};

/// Largest segment held in memory; a longer one is cut at the next unit.
pub const MAX_SEGMENT_BYTES: usize = 64 * 1024 * 1024;
/// Tables are repeated at least this often in continuous TS output (0.4 s, below DVB's 0.5 s).
const TABLE_INTERVAL: i64 = 36_000;
/// With renditions, how far the cutting stream may run past a segment's end before the segment is given
/// out without waiting for a stream that has not reached that end (a silent or dead audio track).
pub const FOLLOWER_GRACE: i64 = CLOCK_90K;
/// Sequence-number stand-in for "held until the next cut" when placing a unit.
const HELD: u64 = u64::MAX;

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
    /// HLS segments of about `target` 90 kHz ticks, each written as one transport stream per output stream
    /// (see [`Segment::parts`]).
    HlsRenditions { target: i64 },
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
    /// The transport stream bytes, PAT/PMT first; empty with [`OutputMode::HlsRenditions`].
    pub data: Vec<u8>,
    /// With [`OutputMode::HlsRenditions`]: one transport stream per output stream (index = stream index
    /// in the [`MuxConfig`]), each starting with its own PAT and a PMT that lists only that stream. Empty
    /// otherwise.
    pub parts: Vec<Vec<u8>>,
}

impl Segment {
    /// End of the segment on the media timeline (the next segment's start).
    pub fn end(&self) -> MediaTime {
        self.start.saturating_add(self.duration)
    }

    /// Bytes of the segment, every part included.
    pub fn size(&self) -> usize {
        self.data.len() + self.parts.iter().map(Vec::len).sum::<usize>()
    }
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
    parts: Vec<Vec<u8>>,
    keyframe: bool,
    discontinuity: bool,
    /// The first segment of a timeline (output start, after a break or a change of streams).
    first: bool,
}

impl OpenSegment {
    fn size(&self) -> usize {
        self.data.len() + self.parts.iter().map(Vec::len).sum::<usize>()
    }
}

/// Counters the engine turns into statistics and warnings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SegmenterCounters {
    pub segments: u64,
    pub forced_cuts: u64,
    /// Units that arrived while no segment could be open (before the first keyframe).
    pub dropped_units: u64,
}

/// Units of one stream multiplexed at or after the scheduled cut and not yet given to a segment.
#[derive(Debug, Default)]
struct Held {
    bytes: Vec<u8>,
    /// (PTS, offset in `bytes`) of each unit, in arrival order.
    units: Vec<(MediaTime, usize)>,
    /// Sequence number of the segment the stream's last unit before these went to.
    floor: u64,
}

/// The per-stream state of [`OutputMode::HlsRenditions`].
#[derive(Debug)]
struct Renditions {
    /// One multiplexer per output stream, each with a PMT that lists that stream alone.
    muxers: Vec<Muxer>,
    /// Segments the cutting stream has ended, held until every other stream has reached their end.
    closing: VecDeque<Segment>,
    /// Per stream: units at or after the scheduled cut.
    held: Vec<Held>,
    /// Per stream: the latest presentation time written.
    reached: Vec<Option<MediaTime>>,
    /// Per stream: sequence number of the segment (or [`HELD`]) the last unit went to; a stream's units
    /// never go to an earlier segment than the one before them, so each part's packets stay in order.
    placed: Vec<u64>,
    /// Per stream: size of the last part, to allocate the next one without regrowing it.
    last_sizes: Vec<usize>,
}

/// Where a unit of a stream that does not drive the cuts belongs by its presentation time: the sequence
/// number of the waiting segment that ends after it, of the open segment, or [`HELD`] when it lies at or after
/// the next scheduled cut.
fn destination(
    closing: &VecDeque<Segment>,
    pts: MediaTime,
    next_cut: MediaTime,
    open_sequence: u64,
) -> u64 {
    match closing.iter().find(|s| pts < s.end()) {
        Some(segment) => segment.sequence,
        None if pts >= next_cut => HELD,
        None => open_sequence,
    }
}

/// The configuration of one stream's rendition: the program with that stream alone, carrying the PCR.
fn single(config: &MuxConfig, stream: &MuxStream) -> MuxConfig {
    MuxConfig {
        transport_stream_id: config.transport_stream_id,
        program_number: config.program_number,
        pcr_pid: stream.pid,
        streams: vec![stream.clone()],
    }
}

impl Renditions {
    fn new(config: &MuxConfig) -> Self {
        let n = config.streams.len();
        Renditions {
            muxers: config
                .streams
                .iter()
                .map(|s| Muxer::new(single(config, s)))
                .collect(),
            closing: VecDeque::new(),
            held: (0..n).map(|_| Held::default()).collect(),
            reached: vec![None; n],
            placed: vec![0; n],
            last_sizes: vec![0; n],
        }
    }

    /// A new stream set: a stream that keeps its PID keeps its multiplexer (its counters continue, or restart
    /// with a new PMT version when its entry changed); a new stream starts a new one.
    fn reconfigure(&mut self, config: &MuxConfig) {
        let mut previous: Vec<Option<Muxer>> = std::mem::take(&mut self.muxers)
            .into_iter()
            .map(Some)
            .collect();
        self.muxers = config
            .streams
            .iter()
            .map(|s| {
                let reused = previous
                    .iter_mut()
                    .find(|m| m.as_ref().is_some_and(|m| m.config().pcr_pid == s.pid))
                    .and_then(Option::take);
                match reused {
                    Some(mut muxer) => {
                        muxer.reconfigure(single(config, s));
                        muxer
                    }
                    None => Muxer::new(single(config, s)),
                }
            })
            .collect();
        let n = config.streams.len();
        self.held = (0..n).map(|_| Held::default()).collect();
        self.reached = vec![None; n];
        self.placed = vec![0; n];
        self.last_sizes = vec![0; n];
    }

    fn reach(&mut self, stream: usize, pts: MediaTime) {
        if let Some(reached) = self.reached.get_mut(stream) {
            *reached = Some(reached.map_or(pts, |r| r.max(pts)));
        }
    }

    fn buffered(&self) -> usize {
        self.closing.iter().map(Segment::size).sum::<usize>()
            + self.held.iter().map(|h| h.bytes.len()).sum::<usize>()
    }
}

#[derive(Debug)]
pub struct Segmenter {
    mode: OutputMode,
    muxer: Muxer,
    /// Present with [`OutputMode::HlsRenditions`].
    renditions: Option<Renditions>,
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
    /// The first segment after a start or a break ends at the next keyframe (see [`Segmenter::fast_start`]).
    fast_start: bool,
}

impl Segmenter {
    /// `video_stream` is the index of the video stream in `config`, if there is one; without video the
    /// first stream drives the cuts.
    pub fn new(mode: OutputMode, config: MuxConfig, video_stream: Option<usize>) -> Self {
        let primary = video_stream.or((!config.streams.is_empty()).then_some(0));
        let renditions =
            matches!(mode, OutputMode::HlsRenditions { .. }).then(|| Renditions::new(&config));
        Segmenter {
            mode,
            muxer: Muxer::new(config),
            renditions,
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
            fast_start: false,
        }
    }

    /// Fast start: the first segment after a start or a break ends at the first keyframe a quarter target
    /// in (one GOP for broadcast video; a quarter target of audio frames without video) instead of a target
    /// in, so a live player can begin about a target duration sooner. The cut schedule stays anchored at the
    /// first keyframe, so the following segments still average the target.
    pub fn fast_start(mut self, on: bool) -> Self {
        self.fast_start = on;
        self
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
            OutputMode::HlsRenditions { target } => self.write_renditions(unit, target),
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

    /// Applies the cut rule to a unit of the stream that drives the cuts; returns whether a segment is open
    /// for it.
    fn place_primary(&mut self, unit: &Unit<'_>, target: i64) -> bool {
        match &self.open {
            None if unit.keyframe || !self.has_video => self.open_segment(unit.pts, true, target),
            None => {}
            Some(open) => {
                if unit.keyframe && unit.pts >= self.next_cut {
                    self.close(Some(unit.pts));
                    self.open_segment(unit.pts, true, target);
                } else if unit.pts.saturating_sub(open.start) >= forced_cut_after(target)
                    || open.size() >= MAX_SEGMENT_BYTES
                {
                    self.counters.forced_cuts += 1;
                    self.close(Some(unit.pts));
                    self.open_segment(unit.pts, false, target);
                }
            }
        }
        self.open.is_some()
    }

    fn write_hls(&mut self, unit: &Unit<'_>, target: i64) {
        let primary = Some(unit.stream) == self.primary;
        let open = if primary {
            self.place_primary(unit, target)
        } else {
            self.open.is_some()
        };
        let Some(open) = self.open.as_mut().filter(|_| open) else {
            self.counters.dropped_units += 1;
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

    fn write_renditions(&mut self, unit: &Unit<'_>, target: i64) {
        let primary = Some(unit.stream) == self.primary;
        let open = if primary {
            self.place_primary(unit, target)
        } else {
            self.open.is_some()
        };
        let (Some(open), Some(renditions)) = (
            self.open.as_mut().filter(|_| open),
            self.renditions.as_mut(),
        ) else {
            self.counters.dropped_units += 1;
            return;
        };
        let stream = unit.stream;
        if stream >= renditions.muxers.len() {
            return;
        }
        if !primary
            && open.first
            && renditions.closing.is_empty()
            && unit.pts.saturating_add(unit.duration.max(1)) <= open.start
        {
            self.counters.dropped_units += 1; // before the timeline's first segment
            return;
        }
        // The cutting stream goes in arrival order; the others by presentation time (see the module docs).
        let wanted = if primary {
            self.next_sequence
        } else {
            destination(
                &renditions.closing,
                unit.pts,
                self.next_cut,
                self.next_sequence,
            )
        };
        let previous = renditions.placed[stream];
        let target_sequence = wanted.max(previous);
        renditions.placed[stream] = target_sequence;
        let out = if target_sequence == HELD {
            let held = &mut renditions.held[stream];
            if held.units.is_empty() {
                held.floor = previous;
            }
            held.units.push((unit.pts, held.bytes.len()));
            &mut held.bytes
        } else if target_sequence == self.next_sequence {
            &mut open.parts[stream]
        } else {
            match renditions
                .closing
                .iter_mut()
                .find(|s| s.sequence == target_sequence)
            {
                Some(segment) => &mut segment.parts[stream],
                None => &mut open.parts[stream],
            }
        };
        // Each rendition's multiplexer knows its stream alone, as stream 0.
        renditions.muxers[stream].write_pes(out, 0, unit.pts, unit.dts, unit.data, unit.keyframe);
        let end = unit.pts.saturating_add(unit.duration);
        if primary && end > open.end {
            open.end = end;
        }
        renditions.reach(stream, unit.pts);
        self.release_closing(false);
    }

    fn open_segment(&mut self, start: MediaTime, keyframe: bool, target: i64) {
        let fresh = self.open.is_none() && (self.next_sequence == 0 || self.next_discontinuity);
        self.next_cut = if fresh {
            start.saturating_add(if self.fast_start { target / 4 } else { target })
        } else {
            (self.next_cut.saturating_add(target)).max(start.saturating_add(target / 2))
        };
        let mut open = OpenSegment {
            start,
            end: start,
            data: Vec::new(),
            parts: Vec::new(),
            keyframe,
            discontinuity: std::mem::take(&mut self.next_discontinuity),
            first: fresh,
        };
        match self.renditions.as_mut() {
            None => {
                open.data =
                    Vec::with_capacity((self.last_size + self.last_size / 8).max(64 * 1024));
                self.muxer.write_tables(&mut open.data);
            }
            Some(renditions) => {
                open.parts = renditions
                    .muxers
                    .iter_mut()
                    .zip(&renditions.last_sizes)
                    .map(|(muxer, last)| {
                        let mut part = Vec::with_capacity((last + last / 8).max(4 * 1024));
                        muxer.write_tables(&mut part);
                        part
                    })
                    .collect();
            }
        }
        self.open = Some(open);
        self.place_held();
    }

    /// Gives the units held for the cut that just happened to the segment each belongs to; those at or after
    /// the next scheduled cut stay held.
    fn place_held(&mut self) {
        let (Some(open), Some(renditions)) = (self.open.as_mut(), self.renditions.as_mut()) else {
            return;
        };
        for stream in 0..renditions.held.len() {
            let held = std::mem::take(&mut renditions.held[stream]);
            if held.units.is_empty() {
                renditions.held[stream] = held;
                continue;
            }
            let mut placed = held.floor;
            let mut kept = Held::default();
            for (index, &(pts, offset)) in held.units.iter().enumerate() {
                let end = held
                    .units
                    .get(index + 1)
                    .map_or(held.bytes.len(), |&(_, next)| next);
                let bytes = &held.bytes[offset..end];
                let wanted =
                    destination(&renditions.closing, pts, self.next_cut, self.next_sequence);
                let before = placed;
                placed = placed.max(wanted);
                if placed == HELD {
                    if kept.units.is_empty() {
                        kept.floor = before;
                    }
                    kept.units.push((pts, kept.bytes.len()));
                    kept.bytes.extend_from_slice(bytes);
                } else if placed == self.next_sequence {
                    open.parts[stream].extend_from_slice(bytes);
                } else if let Some(segment) =
                    renditions.closing.iter_mut().find(|s| s.sequence == placed)
                {
                    segment.parts[stream].extend_from_slice(bytes);
                }
            }
            renditions.placed[stream] = placed;
            renditions.held[stream] = kept;
        }
    }

    /// Closes the open segment; its duration runs to `end` (the next segment's start) or to the end of its
    /// last frame of the primary stream. With renditions it waits in `closing` for the other streams.
    fn close(&mut self, end: Option<MediaTime>) {
        let Some(open) = self.open.take() else { return };
        let end = end.unwrap_or(open.end);
        self.counters.segments += 1;
        self.last_size = open.data.len();
        let segment = Segment {
            sequence: self.next_sequence,
            start: open.start,
            duration: end.saturating_sub(open.start).max(0),
            keyframe: open.keyframe,
            discontinuity: open.discontinuity,
            data: open.data,
            parts: open.parts,
        };
        self.next_sequence += 1;
        match self.renditions.as_mut() {
            Some(renditions) => {
                for (last, part) in renditions.last_sizes.iter_mut().zip(&segment.parts) {
                    *last = part.len();
                }
                renditions.closing.push_back(segment);
            }
            None => self.done.push_back(segment),
        }
    }

    /// Gives out the segments that every stream has passed (all of them when `all`).
    fn release_closing(&mut self, all: bool) {
        let Some(renditions) = self.renditions.as_mut() else {
            return;
        };
        let cutting = self
            .primary
            .and_then(|p| renditions.reached.get(p).copied().flatten());
        while let Some(front) = renditions.closing.front() {
            let end = front.end();
            let passed = |(index, reached): (usize, &Option<MediaTime>)| {
                Some(index) == self.primary || reached.is_some_and(|t| t >= end)
            };
            let ready = all
                || cutting.is_some_and(|t| t >= end.saturating_add(FOLLOWER_GRACE))
                || renditions.reached.iter().enumerate().all(passed);
            if !ready {
                break;
            }
            if let Some(segment) = renditions.closing.pop_front() {
                self.done.push_back(segment);
            }
        }
    }

    /// Ends the open segment and gives out every segment: held units go to the open segment first.
    fn end_segments(&mut self) {
        if let (Some(open), Some(renditions)) = (self.open.as_mut(), self.renditions.as_mut()) {
            for (stream, held) in renditions.held.iter_mut().enumerate() {
                if let Some(part) = open.parts.get_mut(stream) {
                    part.extend_from_slice(&held.bytes);
                }
                *held = Held::default();
            }
        }
        self.close(None);
        self.release_closing(true);
        if let Some(renditions) = self.renditions.as_mut() {
            renditions.reached.iter_mut().for_each(|r| *r = None);
            renditions.placed.iter_mut().for_each(|p| *p = 0);
        }
    }

    /// A timeline break: the open segment ends, the next one is flagged, packets carry discontinuity_indicator.
    pub fn discontinuity(&mut self) {
        self.end_segments();
        self.next_discontinuity = true;
        self.muxer.mark_discontinuity();
        if let Some(renditions) = self.renditions.as_mut() {
            renditions
                .muxers
                .iter_mut()
                .for_each(Muxer::mark_discontinuity);
        }
        self.started = false;
        self.last_tables = None;
    }

    /// The stream set changed: the open segment ends and the next one starts with the new tables.
    pub fn reconfigure(&mut self, config: MuxConfig, video_stream: Option<usize>) {
        self.end_segments();
        self.next_discontinuity = true;
        self.primary = video_stream.or((!config.streams.is_empty()).then_some(0));
        self.has_video = video_stream.is_some();
        if let Some(renditions) = self.renditions.as_mut() {
            renditions.reconfigure(&config);
        }
        self.muxer.reconfigure(config);
        self.started = false;
        self.last_tables = None;
    }

    /// Ends the output: the open segment is closed (with renditions, every held segment is given out).
    pub fn finish(&mut self) {
        self.end_segments();
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
            + self.open.as_ref().map_or(0, OpenSegment::size)
            + self.done.iter().map(Segment::size).sum::<usize>()
            + self.renditions.as_ref().map_or(0, Renditions::buffered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mux::MuxStream;
    use crate::packet::{PACKET_SIZE, Packet, Pid};
    use crate::pes::{PesHeader, stream_id};
    use crate::psi::{Pmt, Section};
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
    fn fast_start_makes_the_first_segment_one_gop_after_a_start_and_after_a_break() {
        let mut segmenter =
            Segmenter::new(OutputMode::Hls { target: TARGET }, config(true), Some(0))
                .fast_start(true);
        feed(&mut segmenter, 0, 500, 25); // 10 s, GOP 0.5 s
        segmenter.discontinuity();
        feed(&mut segmenter, 5_000_000, 500, 25);
        segmenter.finish();
        let segments = drain(&mut segmenter);
        let durations: Vec<f64> = segments
            .iter()
            .map(|s| s.duration as f64 / 90_000.0)
            .collect();
        let restart = segments.iter().position(|s| s.discontinuity).unwrap();
        assert_eq!(
            (durations[0], durations[restart]),
            (0.5, 0.5),
            "{durations:?}"
        );
        for run in [
            &durations[1..restart - 1],
            &durations[restart + 1..durations.len() - 1],
        ] {
            assert!(run.iter().all(|d| *d == 2.0), "{durations:?}");
        }
        assert_eq!(durations[..restart].iter().sum::<f64>(), 10.0);
    }

    #[test]
    fn fast_start_without_video_cuts_a_quarter_target_of_audio() {
        let mut segmenter = Segmenter::new(OutputMode::Hls { target: TARGET }, config(false), None)
            .fast_start(true);
        for i in 0..500 {
            let t = MediaTime(i * 1920);
            segmenter.write(&Unit {
                stream: 0,
                pts: t,
                dts: t,
                duration: 1920,
                data: &[1u8; 300],
                keyframe: true,
            });
        }
        let first = drain(&mut segmenter)[0].duration;
        assert!((TARGET / 4..TARGET / 4 + 1920).contains(&first), "{first}");
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

    /// Like [`feed`], but each audio frame is written once video has passed its PTS by `audio_lag` ticks
    /// (negative: audio leads video in the multiplex). Returns the audio frames written.
    fn feed_lagging(
        segmenter: &mut Segmenter,
        start: i64,
        frames: i64,
        gop: i64,
        audio_lag: i64,
    ) -> usize {
        let mut audio_t = start;
        let mut written = 0;
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
            while audio_t + audio_lag < t.ticks() + FRAME {
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
                written += 1;
            }
        }
        written
    }

    fn audio(segmenter: &mut Segmenter, pts: i64) {
        segmenter.write(&Unit {
            stream: 1,
            pts: MediaTime(pts),
            dts: MediaTime(pts),
            duration: 1920,
            data: &[1u8; 300],
            keyframe: true,
        });
    }

    /// What a test reads back from one transport stream.
    #[derive(Debug, Default)]
    struct Parsed {
        pids: std::collections::BTreeSet<u16>,
        /// Elementary PIDs of the (last) PMT.
        pmt_streams: Vec<u16>,
        /// PTS of every PES, with whether its first packet carries discontinuity_indicator.
        pes: Vec<(i64, bool)>,
    }

    fn parse(ts: &[u8]) -> Parsed {
        let mut parsed = Parsed::default();
        for chunk in ts.chunks(PACKET_SIZE) {
            let packet = Packet::new(chunk.try_into().unwrap()).unwrap();
            let pid = packet.pid().value();
            parsed.pids.insert(pid);
            let (Some(payload), true) = (packet.payload(), packet.payload_unit_start_indicator())
            else {
                continue;
            };
            if pid == crate::mux::PMT_PID.value() {
                let section = &payload[1 + usize::from(payload[0])..];
                let length = 3 + (usize::from(section[1] & 0x0F) << 8 | usize::from(section[2]));
                let pmt = Pmt::from_section(&Section::parse(section[..length].to_vec()).unwrap())
                    .unwrap();
                parsed.pmt_streams = pmt
                    .streams
                    .iter()
                    .map(|s| s.elementary_pid.value())
                    .collect();
            } else if (0x100..0x1000).contains(&pid) {
                let header = PesHeader::parse(payload).unwrap();
                let discontinuity = packet
                    .adaptation_field()
                    .is_some_and(|af| af.discontinuity_indicator());
                parsed
                    .pes
                    .push((header.pts.map_or(-1, |t| t.ticks() as i64), discontinuity));
            }
        }
        parsed
    }

    /// Asserts that every PID's continuity counter runs on without a gap (adaptation-only packets repeat it).
    fn assert_continuous(ts: &[u8]) {
        let mut last: std::collections::HashMap<u16, u8> = std::collections::HashMap::new();
        for (index, chunk) in ts.chunks(PACKET_SIZE).enumerate() {
            let packet = Packet::new(chunk.try_into().unwrap()).unwrap();
            let cc = packet.continuity_counter().value();
            if let Some(previous) = last.insert(packet.pid().value(), cc) {
                let expected = if packet.has_payload() {
                    (previous + 1) & 0x0F
                } else {
                    previous
                };
                assert_eq!(
                    cc,
                    expected,
                    "PID {:#x}, packet {index}",
                    packet.pid().value()
                );
            }
        }
    }

    /// 20 s of 50 fps video with 0.64 s GOPs and audio `audio_lag` behind; the segments and the audio frames.
    fn run(mode: OutputMode, audio_lag: i64) -> (Vec<Segment>, usize) {
        let mut segmenter = Segmenter::new(mode, config(true), Some(0));
        let audio = feed_lagging(&mut segmenter, 900_000, 1000, 32, audio_lag);
        segmenter.finish();
        (drain(&mut segmenter), audio)
    }

    #[test]
    fn renditions_cut_one_transport_stream_per_stream_at_the_muxed_boundaries() {
        for audio_lag in [0, 9_000, -45_000] {
            let (muxed, _) = run(OutputMode::Hls { target: TARGET }, audio_lag);
            let (split, written) = run(OutputMode::HlsRenditions { target: TARGET }, audio_lag);
            let shape =
                |s: &Segment| (s.sequence, s.start, s.duration, s.keyframe, s.discontinuity);
            assert_eq!(
                split.iter().map(shape).collect::<Vec<_>>(),
                muxed.iter().map(shape).collect::<Vec<_>>(),
                "lag {audio_lag}"
            );
            let mut audio_frames = 0;
            for (n, segment) in split.iter().enumerate() {
                assert!(segment.data.is_empty());
                assert_eq!(segment.parts.len(), 2);
                for (stream, pid) in [(0, 0x100), (1, 0x101)] {
                    let part = parse(&segment.parts[stream]);
                    assert_eq!(part.pids, [0, pid, 0x1000].into_iter().collect());
                    assert_eq!(part.pmt_streams, vec![pid]);
                    assert_eq!(segment.parts[stream][..3], [0x47, 0x40, 0x00], "PAT first");
                }
                let video = parse(&segment.parts[0]);
                assert_eq!(video.pes[0].0, segment.start.ticks());
                let audio = parse(&segment.parts[1]);
                audio_frames += audio.pes.len();
                let last = n == split.len() - 1;
                assert!(
                    audio
                        .pes
                        .iter()
                        .all(|&(pts, _)| pts >= segment.start.ticks()
                            && (last || pts < segment.end().ticks())),
                    "lag {audio_lag}, segment {n}: audio by presentation time"
                );
                assert!(
                    audio.pes[0].0 - segment.start.ticks() < 1920,
                    "starts with the video"
                );
            }
            assert_eq!(audio_frames, written, "every audio frame, once");
            for stream in 0..2 {
                let joined: Vec<u8> = split.iter().flat_map(|s| s.parts[stream].clone()).collect();
                assert_continuous(&joined);
            }
        }
    }

    #[test]
    fn a_lagging_stream_holds_the_segment_until_it_reaches_the_end() {
        let mut segmenter = Segmenter::new(
            OutputMode::HlsRenditions { target: TARGET },
            config(true),
            Some(0),
        );
        // Video up to its keyframe at 2 s (the first cut); audio, 0.22 s behind, has reached 1.79 s.
        let written = feed_lagging(&mut segmenter, 0, 101, 25, 20_000);
        assert_eq!(segmenter.counters().segments, 1);
        let mut t = written as i64 * 1920;
        while t < TARGET {
            assert!(drain(&mut segmenter).is_empty(), "held at audio {t}");
            audio(&mut segmenter, t);
            t += 1920;
        }
        assert!(drain(&mut segmenter).is_empty());
        audio(&mut segmenter, t); // the first audio frame of the next segment
        let out = drain(&mut segmenter);
        assert_eq!(out.len(), 1);
        let pts: Vec<i64> = parse(&out[0].parts[1]).pes.iter().map(|p| p.0).collect();
        assert_eq!(
            pts,
            (0..(TARGET + 1919) / 1920)
                .map(|k| k * 1920)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn renditions_leave_out_what_ends_before_the_first_segment() {
        let mut segmenter = Segmenter::new(
            OutputMode::HlsRenditions { target: TARGET },
            config(true),
            Some(0),
        );
        segmenter.write(&Unit {
            stream: 0,
            pts: MediaTime(10_000),
            dts: MediaTime(10_000),
            duration: FRAME,
            data: &[0u8; 100],
            keyframe: true,
        });
        for pts in [6_160, 8_080, 10_000 - 960] {
            audio(&mut segmenter, pts); // the first two end by 10 000: the priming frame, a partial one
        }
        segmenter.finish();
        let segments = drain(&mut segmenter);
        let pts: Vec<i64> = parse(&segments[0].parts[1])
            .pes
            .iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(pts, vec![9_040]);
        assert_eq!(segmenter.counters().dropped_units, 2);
    }

    #[test]
    fn a_silent_stream_delays_a_segment_by_the_grace_at_most() {
        let mut segmenter = Segmenter::new(
            OutputMode::HlsRenditions { target: TARGET },
            config(true),
            Some(0),
        );
        for i in 0..500 {
            let t = MediaTime(i * FRAME);
            segmenter.write(&Unit {
                stream: 0,
                pts: t,
                dts: t,
                duration: FRAME,
                data: &[0u8; 100],
                keyframe: i % 25 == 0,
            });
        }
        let out = drain(&mut segmenter);
        // 10 s of video only: the segments ending by 9 s (one grace before the last frame) are out.
        assert_eq!(out.len(), 4);
        assert!(out.iter().all(|s| parse(&s.parts[1]).pes.is_empty()));
    }

    #[test]
    fn renditions_carry_the_discontinuity_flag_and_indicator() {
        let mut segmenter = Segmenter::new(
            OutputMode::HlsRenditions { target: TARGET },
            config(true),
            Some(0),
        );
        let written = feed_lagging(&mut segmenter, 0, 150, 25, 9_000);
        segmenter.discontinuity();
        feed_lagging(&mut segmenter, 50_000_000, 150, 25, 9_000);
        segmenter.finish();
        let segments = drain(&mut segmenter);
        let flagged: Vec<bool> = segments.iter().map(|s| s.discontinuity).collect();
        assert_eq!(flagged, vec![false, false, true, false]);
        for (index, segment) in segments.iter().enumerate() {
            for part in &segment.parts {
                let first = parse(part).pes[0];
                assert_eq!(first.1, index == 2, "segment {index}");
            }
        }
        // Before the break the audio of the first timeline went into its own segments, to the last frame.
        let before: usize = segments[..2]
            .iter()
            .map(|s| parse(&s.parts[1]).pes.len())
            .sum();
        assert_eq!(before, written);
        for stream in 0..2 {
            let joined: Vec<u8> = segments
                .iter()
                .flat_map(|s| s.parts[stream].clone())
                .collect();
            assert_continuous(&joined);
        }
    }

    #[test]
    fn radio_renditions_follow_the_first_audio_stream() {
        let mut radio = config(false);
        radio.streams.push(MuxStream {
            pid: Pid::new(0x102),
            ..radio.streams[0].clone()
        });
        let mut segmenter =
            Segmenter::new(OutputMode::HlsRenditions { target: TARGET }, radio, None);
        for i in 0..500 {
            for (stream, lag) in [(0, 0), (1, 3)] {
                let t = MediaTime((i - lag) * 1920);
                if t.ticks() < 0 {
                    continue;
                }
                segmenter.write(&Unit {
                    stream,
                    pts: t,
                    dts: t,
                    duration: 1920,
                    data: &[0u8; 300],
                    keyframe: true,
                });
            }
        }
        segmenter.finish();
        let segments = drain(&mut segmenter);
        assert_eq!(segments.len(), 6);
        for segment in &segments {
            let first: Vec<i64> = segment.parts.iter().map(|p| parse(p).pes[0].0).collect();
            assert_eq!(first, vec![segment.start.ticks(); 2]);
        }
    }
}
