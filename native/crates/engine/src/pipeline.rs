//! The live pipeline: transport stream bytes in, a transport stream or HLS segments out.
//!
//! Contract (single-threaded, no I/O): [`Pipeline::push`] any number of bytes, then [`Pipeline::pull`]
//! until `None`; [`Pipeline::finish`] once at the end flushes the tail (last audio frames, last segment),
//! after which `pull` drains the rest. Outputs of one `push` are bounded by what that input produced.
//! A caller may also push several times before pulling: continuous TS output then accumulates into one
//! larger [`Output::Ts`] ([`Pipeline::pending_ts_bytes`] says how much is waiting), segments queue up.
//!
//! Flow: the demultiplexer follows one program; video waits for its first keyframe (a start mid-GOP and
//! every timeline break discard video up to the next keyframe), audio that arrives meanwhile is held (at
//! most [`MAX_WAITING_AUDIO`] frames) and released from the keyframe's PTS on, so output starts aligned.
//! Every unit's timestamp goes through [`Timeline`]; a break closes the segment, drains the audio encoders
//! and restarts cleanly with a discontinuity. A PMT change rebuilds the output streams the same way.
//!
//! Every stream set announces itself: an [`Output::Streams`] comes before the first `Ts`/`Segment` output
//! made with it (the first one of the pipeline, and the first one after each change of streams). Output
//! starts at a video keyframe that follows its parameter sets, so the video's format is known by then.

use std::collections::VecDeque;

use e2gate_codec::TranscoderSettings;
use e2gate_core::codecs;
use e2gate_core::demux::{AudioUnit, DemuxEvent, Demuxer, ProgramInfo, ProgramSelector, VideoUnit};
use e2gate_core::es;
use e2gate_core::segmenter::{OutputMode, Segment, Segmenter, Unit};
use e2gate_core::stream_type::{StreamType, VideoCodec};
use e2gate_core::timestamp::MediaTime;
use e2gate_core::warning::{WarningCounts, WarningKind};

use crate::audio_track::{AudioOut, AudioTrack};
use crate::layout::{AudioRoute, Layout, OutputStream};
use crate::options::{OptionError, OutputKind, PipelineOptions, VideoOutput};
use crate::timeline::{Timeline, Verdict};
use crate::video_track::{VideoOut, VideoTrack};

/// Audio frames held while video waits for its first keyframe (~10 s of two tracks).
pub const MAX_WAITING_AUDIO: usize = 1024;

/// What the pipeline produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// The output streams every following `Ts`/`Segment` output carries (until the next `Streams`), with
    /// what the stream said about their format; a segment's `parts` follow this order.
    Streams(Vec<OutputStream>),
    /// A piece of the continuous transport stream.
    Ts(Vec<u8>),
    /// A complete HLS segment.
    Segment(Segment),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PipelineState {
    /// No PMT of the requested program yet (or it has nothing to output).
    WaitingForProgram,
    /// Video is discarded until a keyframe arrives (start mid-GOP, scrambled start, after a break).
    WaitingForKeyframe,
    Streaming,
}

impl PipelineState {
    pub fn name(self) -> &'static str {
        match self {
            PipelineState::WaitingForProgram => "waiting_for_program",
            PipelineState::WaitingForKeyframe => "waiting_for_keyframe",
            PipelineState::Streaming => "streaming",
        }
    }
}

/// A snapshot of counters for metrics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stats {
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub packets_in: u64,
    pub continuity_errors: u64,
    pub warnings: WarningCounts,
    pub segments: u64,
    pub state: PipelineState,
    pub program_number: Option<u16>,
    pub video_frames: u64,
    pub audio_frames_in: u64,
    pub audio_frames_out: u64,
    pub streams: Vec<OutputStream>,
    /// The video encoder backend in use (`software`, `vaapi`, `nvenc`); `None` while video is copied.
    pub video_encoder: Option<&'static str>,
}

pub struct Pipeline {
    options: PipelineOptions,
    demux: Demuxer,
    layout: Option<Layout>,
    video: Option<VideoTrack>,
    audio: Vec<AudioTrack>,
    segmenter: Option<Segmenter>,
    /// The layout's streams, their formats completed from the stream.
    streams: Vec<OutputStream>,
    /// The stream set has not been announced yet (an [`Output::Streams`] is due before the next output).
    announce: bool,
    timeline: Timeline,
    video_start: Option<MediaTime>,
    waiting_audio: VecDeque<AudioUnit>,
    outputs: VecDeque<Output>,
    warnings: WarningCounts,
    audio_out: Vec<AudioOut>,
    video_out: Vec<VideoOut>,
    bytes_out: u64,
    video_frames: u64,
    finished: bool,
}

impl Pipeline {
    pub fn new(mut options: PipelineOptions) -> Result<Self, OptionError> {
        options.validate()?;
        if let VideoOutput::Transcode { settings, .. } = &mut options.video {
            // An IDR at every segment boundary the segmenter schedules (a quarter target in with fast start).
            let target = MediaTime::from_secs_f64(options.segment_duration).ticks();
            settings.gop = target;
            settings.first_gop =
                (options.output == OutputKind::Hls && options.fast_start).then_some(target / 4);
        }
        let selector = options
            .service_id
            .map_or(ProgramSelector::First, ProgramSelector::ServiceId);
        Ok(Pipeline {
            demux: Demuxer::new(selector),
            options,
            layout: None,
            video: None,
            audio: Vec::new(),
            segmenter: None,
            streams: Vec::new(),
            announce: false,
            timeline: Timeline::default(),
            video_start: None,
            waiting_audio: VecDeque::new(),
            outputs: VecDeque::new(),
            warnings: WarningCounts::default(),
            audio_out: Vec::new(),
            video_out: Vec::new(),
            bytes_out: 0,
            video_frames: 0,
            finished: false,
        })
    }

    /// Feeds transport stream bytes. Ignored after [`Pipeline::finish`].
    pub fn push(&mut self, bytes: &[u8]) {
        if self.finished {
            return;
        }
        self.demux.push(bytes);
        self.drain_demux();
        self.collect_outputs();
    }

    /// Ends the input: flushes partial PES, the audio encoders and the last segment.
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        self.demux.finish();
        self.drain_demux();
        self.flush_video();
        self.flush_audio();
        if let Some(segmenter) = self.segmenter.as_mut() {
            segmenter.finish();
        }
        self.collect_outputs();
    }

    /// The next output: queued segments first, then the continuous TS written since the last pull (one
    /// output, however many pushes produced it).
    pub fn pull(&mut self) -> Option<Output> {
        if let Some(output) = self.outputs.pop_front() {
            return Some(output);
        }
        let bytes = self.take_ts()?;
        if self.announce {
            self.outputs.push_back(Output::Ts(bytes));
            return Some(self.announcement());
        }
        Some(Output::Ts(bytes))
    }

    /// The continuous TS written so far, counted as output; `None` when there is none.
    fn take_ts(&mut self) -> Option<Vec<u8>> {
        let mut bytes = self.segmenter.as_mut()?.take_ts();
        if bytes.is_empty() {
            return None;
        }
        // The buffer leaves as a JS Buffer with its whole capacity: after a large batched output, a small one
        // would otherwise carry the batch's spare room.
        if bytes.capacity() > 2 * bytes.len() {
            bytes.shrink_to_fit();
        }
        self.bytes_out += bytes.len() as u64;
        Some(bytes)
    }

    /// The [`Output::Streams`] of the current stream set; it is announced from now on.
    fn announcement(&mut self) -> Output {
        self.announce = false;
        Output::Streams(self.streams.clone())
    }

    /// Continuous TS bytes written and not pulled yet (always 0 for HLS output).
    pub fn pending_ts_bytes(&self) -> usize {
        self.segmenter.as_ref().map_or(0, Segmenter::pending_ts)
    }

    /// Whether a complete segment waits to be pulled.
    pub fn has_pending_segment(&self) -> bool {
        !self.outputs.is_empty()
    }

    pub fn state(&self) -> PipelineState {
        match (&self.layout, &self.video) {
            (None, _) => PipelineState::WaitingForProgram,
            (Some(_), Some(video)) if video.output_pending() => PipelineState::WaitingForKeyframe,
            _ => PipelineState::Streaming,
        }
    }

    /// The followed program as its PMT describes it.
    pub fn program(&self) -> Option<&ProgramInfo> {
        self.demux.program()
    }

    pub fn stats(&self) -> Stats {
        let counters = self.demux.counters();
        let mut warnings = self.warnings.clone();
        if let Some(segmenter) = self.segmenter.as_ref() {
            warnings.add(
                WarningKind::ForcedSegmentCut,
                segmenter.counters().forced_cuts,
            );
        }
        Stats {
            bytes_in: counters.bytes,
            bytes_out: self.bytes_out,
            packets_in: counters.packets,
            continuity_errors: counters.continuity_errors,
            warnings,
            segments: self.segmenter.as_ref().map_or(0, |s| s.counters().segments),
            state: self.state(),
            program_number: self.demux.program().map(|p| p.program_number),
            video_frames: self.video_frames,
            audio_frames_in: self.audio.iter().map(AudioTrack::frames_in).sum(),
            audio_frames_out: self.audio.iter().map(AudioTrack::frames_out).sum(),
            streams: self.streams.clone(),
            video_encoder: self.video.as_ref().and_then(VideoTrack::encoder),
        }
    }

    fn drain_demux(&mut self) {
        while let Some(event) = self.demux.pull() {
            match event {
                DemuxEvent::Program(program) => self.on_program(&program),
                DemuxEvent::Video(unit) => self.on_video(unit),
                DemuxEvent::Audio(unit) => self.on_audio(unit),
                DemuxEvent::Warning(warning) => self.warnings.add(warning.kind, 1),
            }
        }
    }

    fn on_program(&mut self, program: &ProgramInfo) {
        let layout = Layout::build(program, &self.options);
        if layout.is_some() && layout == self.layout {
            return; // e.g. a track outside the language filter came or went
        }
        let Some(layout) = layout else {
            self.flush_video();
            self.flush_audio();
            self.seal_outputs();
            self.layout = None;
            self.video = None;
            self.audio.clear();
            self.streams.clear();
            self.announce = false;
            return;
        };
        // Tracks that keep their source, codec and route keep their encoder: no priming gap, no overlap.
        let mut previous = std::mem::take(&mut self.audio);
        let settings = TranscoderSettings {
            bitrate: self.options.audio_bitrate,
        };
        let tracks: Vec<AudioTrack> = layout
            .audio
            .iter()
            .map(|spec| {
                let same = |t: &AudioTrack| {
                    t.spec().source == spec.source
                        && t.spec().codec == spec.codec
                        && t.spec().route == spec.route
                };
                match previous.iter().position(same) {
                    Some(index) => {
                        let mut track = previous.swap_remove(index);
                        track.set_output(spec.output);
                        track
                    }
                    None => AudioTrack::new(*spec, settings),
                }
            })
            .collect();
        self.audio = previous;
        self.flush_video();
        self.flush_audio();
        self.audio = tracks;
        self.seal_outputs();
        let video_output = layout.video.map(|v| v.output);
        match self.segmenter.as_mut() {
            Some(segmenter) => segmenter.reconfigure(layout.mux.clone(), video_output),
            None => {
                let target = MediaTime::from_secs_f64(self.options.segment_duration).ticks();
                let mode = match self.options.output {
                    OutputKind::Ts => OutputMode::Ts,
                    OutputKind::Hls if self.options.hls_renditions => {
                        OutputMode::HlsRenditions { target }
                    }
                    OutputKind::Hls => OutputMode::Hls { target },
                };
                self.segmenter = Some(
                    Segmenter::new(mode, layout.mux.clone(), video_output)
                        .fast_start(self.options.fast_start),
                );
            }
        }
        let previous_video = self.video.take();
        self.video = layout.video.map(|spec| {
            let mut track = VideoTrack::new(spec, &self.options.video);
            if let Some(previous) = previous_video {
                track.inherit(previous);
            }
            track
        });
        self.timeline.reset();
        self.video_start = None;
        self.waiting_audio.clear();
        self.streams = layout.streams.clone();
        self.announce = true;
        self.layout = Some(layout);
    }

    /// Everything written with the current stream set becomes output before the set changes: the open
    /// segment closes, and continuous TS is queued (announced first if it has not been).
    fn seal_outputs(&mut self) {
        if let Some(segmenter) = self.segmenter.as_mut() {
            segmenter.finish();
        }
        self.collect_outputs();
        if let Some(bytes) = self.take_ts() {
            if self.announce {
                let announcement = self.announcement();
                self.outputs.push_back(announcement);
            }
            self.outputs.push_back(Output::Ts(bytes));
        }
    }

    /// Completes the video stream's format from a keyframe's parameter sets.
    fn learn_video(&mut self, codec: VideoCodec, output: usize, access_unit: &[u8]) {
        let Some(format) = self.streams.get_mut(output).map(|s| &mut s.format) else {
            return;
        };
        let Some(params) = es::video_params(codec, access_unit) else {
            return;
        };
        format.codecs = codecs::video(codec, params.codec_profile.as_ref());
        format.width = Some(params.width);
        format.height = Some(params.height);
        format.frame_rate = params.frame_rate;
        format.interlaced = params.interlaced;
    }

    /// Completes the format of the tracks that copy `unit`'s source from its first frame header.
    fn learn_audio(&mut self, unit: &AudioUnit) {
        let Some(layout) = self.layout.as_ref() else {
            return;
        };
        for spec in &layout.audio {
            if spec.source != unit.pid || spec.route != AudioRoute::Copy {
                continue;
            }
            let (Some(stream), Some(mux)) = (
                self.streams.get_mut(spec.output),
                layout.mux.streams.get(spec.output),
            ) else {
                continue;
            };
            if stream.format.channels.is_none() {
                stream.format.channels = (unit.frame.channels > 0).then_some(unit.frame.channels);
                stream.format.codecs =
                    codecs::audio(unit.codec, mux.stream_type, Some(&unit.frame.data));
            }
        }
    }

    fn on_video(&mut self, unit: VideoUnit) {
        let Some(source) = self.video.as_ref().map(|v| v.spec().source) else {
            return;
        };
        if unit.pid != source {
            return;
        }
        match self.timeline.check(unit.pid, unit.dts) {
            Verdict::Stale => return,
            Verdict::Break => self.discontinuity(),
            Verdict::Accept => {}
        }
        let Some(video) = self.video.as_mut() else {
            return;
        };
        let mut out = std::mem::take(&mut self.video_out);
        video.process(unit, &mut out, &mut self.warnings);
        self.write_video(&mut out);
        self.video_out = out;
    }

    fn write_video(&mut self, out: &mut Vec<VideoOut>) {
        let Some(spec) = self.video.as_ref().map(|v| *v.spec()) else {
            out.clear();
            return;
        };
        // Copied H.264, or the transcoder's H.264 whatever the source was.
        let codec = match self
            .layout
            .as_ref()
            .and_then(|l| l.mux.streams.get(spec.output))
        {
            Some(stream) if stream.stream_type == StreamType::H264 => VideoCodec::H264,
            _ => spec.codec,
        };
        for frame in out.drain(..) {
            if frame.rendition >= spec.renditions {
                continue;
            }
            let output = spec.output + frame.rendition;
            if frame.rendition == 0 {
                self.video_frames += 1;
            }
            let unknown = self
                .streams
                .get(output)
                .is_some_and(|s| s.format.width.is_none());
            if frame.parameter_sets && (frame.keyframe || unknown) {
                self.learn_video(codec, output, &frame.data);
            }
            if let Some(segmenter) = self.segmenter.as_mut() {
                segmenter.write(&Unit {
                    stream: output,
                    pts: frame.pts,
                    dts: frame.dts,
                    duration: frame.duration,
                    data: &frame.data,
                    keyframe: frame.keyframe,
                });
            }
            if frame.first {
                self.video_start = Some(frame.pts);
                self.release_waiting_audio();
            }
        }
    }

    fn flush_video(&mut self) {
        let Some(video) = self.video.as_mut() else {
            return;
        };
        let mut out = std::mem::take(&mut self.video_out);
        video.flush(&mut out, &mut self.warnings);
        self.write_video(&mut out);
        self.video_out = out;
    }

    fn on_audio(&mut self, unit: AudioUnit) {
        if !self.audio.iter().any(|t| t.spec().source == unit.pid) {
            return;
        }
        self.learn_audio(&unit);
        match self.timeline.check(unit.pid, unit.pts) {
            Verdict::Stale => return,
            Verdict::Break => self.discontinuity(),
            Verdict::Accept => {}
        }
        if self.video.as_ref().is_some_and(VideoTrack::output_pending) {
            if self.waiting_audio.len() >= MAX_WAITING_AUDIO {
                self.waiting_audio.pop_front();
                self.warnings.add(WarningKind::AudioBeforeVideo, 1);
            }
            self.waiting_audio.push_back(unit);
            return;
        }
        if self
            .video_start
            .is_some_and(|start| unit.pts.saturating_add(unit.frame.duration()) <= start)
        {
            // Arrived after the video start but plays before it (audio lags video in the multiplex).
            self.warnings.add(WarningKind::AudioBeforeVideo, 1);
            return;
        }
        self.feed_audio(&unit);
    }

    fn release_waiting_audio(&mut self) {
        let Some(start) = self.video_start else {
            return;
        };
        let waiting = std::mem::take(&mut self.waiting_audio);
        let mut dropped = 0;
        for unit in &waiting {
            if unit.pts.saturating_add(unit.frame.duration()) <= start {
                dropped += 1;
            } else {
                self.feed_audio(unit);
            }
        }
        if dropped > 0 {
            self.warnings.add(WarningKind::AudioBeforeVideo, 1);
        }
    }

    fn feed_audio(&mut self, unit: &AudioUnit) {
        let mut out = std::mem::take(&mut self.audio_out);
        for track in self
            .audio
            .iter_mut()
            .filter(|t| t.spec().source == unit.pid)
        {
            track.process(unit, &mut out, &mut self.warnings);
        }
        self.write_audio(&mut out);
        self.audio_out = out;
    }

    fn write_audio(&mut self, out: &mut Vec<AudioOut>) {
        let Some(segmenter) = self.segmenter.as_mut() else {
            out.clear();
            return;
        };
        for frame in out.drain(..) {
            segmenter.write(&Unit {
                stream: frame.output,
                pts: frame.pts,
                dts: frame.pts,
                duration: frame.duration,
                data: &frame.data,
                keyframe: true,
            });
        }
    }

    fn flush_audio(&mut self) {
        let mut out = std::mem::take(&mut self.audio_out);
        for track in &mut self.audio {
            track.flush(&mut out, &mut self.warnings);
        }
        self.write_audio(&mut out);
        self.audio_out = out;
    }

    /// The source broke (the caller reconnected its upstream): what follows is a new stretch of the stream
    /// even when its timestamps happen to continue, so output restarts at the next keyframe with a
    /// discontinuity (`#EXT-X-DISCONTINUITY`, TS discontinuity_indicator). Before any output it changes
    /// nothing.
    pub fn source_break(&mut self) {
        let started = self
            .segmenter
            .as_ref()
            .is_some_and(|segmenter| segmenter.started());
        if started {
            self.restart();
        }
    }

    /// A timeline break: drain the encoders into the old segment, close it, wait for a keyframe.
    fn discontinuity(&mut self) {
        self.warnings.add(WarningKind::TimestampJump, 1);
        self.restart();
    }

    fn restart(&mut self) {
        self.flush_video();
        self.flush_audio();
        if let Some(segmenter) = self.segmenter.as_mut() {
            segmenter.discontinuity();
        }
        if let Some(video) = self.video.as_mut() {
            video.restart();
        }
        self.video_start = None;
        self.waiting_audio.clear();
    }

    /// Moves finished segments to the output queue; continuous TS stays in the segmenter until `pull`.
    fn collect_outputs(&mut self) {
        let Some(segmenter) = self.segmenter.as_mut() else {
            return;
        };
        while let Some(segment) = segmenter.pull_segment() {
            if self.announce {
                self.announce = false;
                self.outputs
                    .push_back(Output::Streams(self.streams.clone()));
            }
            self.bytes_out += segment.size() as u64;
            self.outputs.push_back(Output::Segment(segment));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use e2gate_core::demux::Demuxer;
    use e2gate_core::descriptor::AudioType;
    use e2gate_core::mux::Muxer;
    use e2gate_core::stream_type::AudioCodec;
    use e2gate_core::testing::audio::mpa_frame;
    use e2gate_core::testing::h264::{AUD, PPS, Sps, access_unit, slice};
    use e2gate_core::testing::mux::h264_with_mpeg_audio;
    use e2gate_core::timestamp::CLOCK_90K;

    const FRAME: i64 = 3600; // 25 fps
    const MP2_FRAME: i64 = 2160; // 1152 samples at 48 kHz

    fn source() -> Muxer {
        Muxer::new(h264_with_mpeg_audio(28, "deu", AudioType::UNDEFINED))
    }

    /// `frames` of 25 fps video from `start` with a keyframe every `gop`, MP2 silence alongside; audio
    /// frames whose start falls in `audio_hole` are left out.
    fn stream(
        muxer: &mut Muxer,
        start: i64,
        frames: i64,
        gop: i64,
        audio_hole: std::ops::Range<i64>,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        muxer.write_tables(&mut out);
        let mp2 = mpa_frame(2, 10, 1, false);
        let mut audio_t = start;
        for i in 0..frames {
            let t = MediaTime(start + i * FRAME);
            let key = i % gop == 0;
            let au = if key {
                access_unit(&[
                    AUD.to_vec(),
                    Sps::hd720().nal(),
                    PPS.to_vec(),
                    slice(1, 0, 7),
                ])
            } else {
                access_unit(&[AUD.to_vec(), slice(1, 0, 5)])
            };
            muxer.write_pes(&mut out, 0, t, t, &au, key);
            while audio_t < t.ticks() + FRAME {
                if !audio_hole.contains(&audio_t) {
                    muxer.write_pes(
                        &mut out,
                        1,
                        MediaTime(audio_t),
                        MediaTime(audio_t),
                        &mp2,
                        true,
                    );
                }
                audio_t += MP2_FRAME;
            }
        }
        out
    }

    fn run(options: PipelineOptions, input: &[u8]) -> (Vec<Output>, Stats) {
        let mut pipeline = Pipeline::new(options).unwrap();
        let mut outputs = Vec::new();
        for chunk in input.chunks(10_000) {
            pipeline.push(chunk);
            outputs.extend(std::iter::from_fn(|| pipeline.pull()));
        }
        pipeline.finish();
        outputs.extend(std::iter::from_fn(|| pipeline.pull()));
        (outputs, pipeline.stats())
    }

    fn demux(ts: &[u8]) -> Vec<DemuxEvent> {
        let mut demuxer = Demuxer::new(ProgramSelector::First);
        demuxer.push(ts);
        demuxer.finish();
        std::iter::from_fn(|| demuxer.pull()).collect()
    }

    fn hls(target: f64) -> PipelineOptions {
        PipelineOptions {
            output: OutputKind::Hls,
            segment_duration: target,
            ..Default::default()
        }
    }

    #[test]
    fn ts_output_copies_video_and_carries_aac_aligned_with_the_input() {
        let input = stream(&mut source(), 900_000, 100, 25, 0..0);
        let (outputs, stats) = run(PipelineOptions::default(), &input);
        assert_eq!(stats.warnings.total(), 0, "{:?}", stats.warnings);
        assert_eq!(stats.video_frames, 100);
        let ts: Vec<u8> = outputs
            .into_iter()
            .flat_map(|o| if let Output::Ts(b) = o { b } else { vec![] })
            .collect();
        let events = demux(&ts);
        let Some(DemuxEvent::Program(program)) = events.first() else {
            panic!("program first")
        };
        let codecs: Vec<&str> = program.streams.iter().map(|s| s.codec.name()).collect();
        assert_eq!(codecs, vec!["h264", "aac"]);
        assert_eq!(program.streams[1].language.unwrap().as_str(), "deu");
        let audio: Vec<&AudioUnit> = events
            .iter()
            .filter_map(|e| {
                if let DemuxEvent::Audio(a) = e {
                    Some(a)
                } else {
                    None
                }
            })
            .collect();
        assert!(audio.iter().all(|a| a.codec == AudioCodec::AacAdts
            && a.frame.sample_rate == 48_000
            && a.frame.channels == 2));
        // The first AAC frame is the encoder's priming, one frame before the first input sample.
        assert_eq!(audio[0].pts, MediaTime(900_000 - 1920));
        assert!(
            audio
                .windows(2)
                .all(|w| w[1].pts.ticks() - w[0].pts.ticks() == 1920)
        );
        let covered = audio.last().unwrap().pts.ticks() + 1920 - 900_000;
        let input_audio = 4 * CLOCK_90K; // 100 frames at 25 fps
        assert!(
            (covered - input_audio).abs() <= MP2_FRAME + 1920,
            "{covered}"
        );
    }

    fn announced(outputs: &[Output]) -> Vec<&Vec<OutputStream>> {
        outputs
            .iter()
            .filter_map(|o| {
                if let Output::Streams(s) = o {
                    Some(s)
                } else {
                    None
                }
            })
            .collect()
    }

    #[test]
    fn the_stream_set_is_announced_once_before_the_first_output_with_the_video_format() {
        let input = stream(&mut source(), 900_000, 100, 25, 0..0);
        for options in [PipelineOptions::default(), hls(2.0)] {
            let (outputs, stats) = run(options, &input);
            assert!(matches!(outputs[0], Output::Streams(_)), "{:?}", outputs[0]);
            let streams = announced(&outputs);
            assert_eq!(streams.len(), 1);
            let video = &streams[0][0].format;
            assert_eq!(video.codecs, "avc1.640028");
            assert_eq!((video.width, video.height), (Some(1280), Some(720)));
            assert_eq!(video.frame_rate, Some((100, 2)));
            assert_eq!(video.interlaced, Some(false));
            let audio = &streams[0][1].format;
            assert_eq!(
                (audio.codecs.as_str(), audio.channels),
                ("mp4a.40.2", Some(2))
            );
            assert_eq!(stats.streams, *streams[0]);
        }
    }

    #[test]
    fn copied_mp2_is_described_from_its_frame_header() {
        let input = stream(&mut source(), 900_000, 50, 25, 0..0);
        let options = PipelineOptions {
            audio_output: crate::options::AudioOutput::Copy,
            ..PipelineOptions::default()
        };
        let (outputs, _) = run(options, &input);
        let audio = &announced(&outputs)[0][1];
        assert_eq!(audio.codec, "mp2");
        // MPEG-1 Layer II on a stream declared ISO/IEC 13818-3 (stream_type 0x04): the header decides.
        assert_eq!(
            (audio.format.codecs.as_str(), audio.format.channels),
            ("mp4a.6B", Some(2))
        );
    }

    #[test]
    fn hls_renditions_give_one_part_per_stream_on_a_shared_timeline() {
        let input = stream(&mut source(), 900_000, 250, 25, 0..0);
        let options = PipelineOptions {
            hls_renditions: true,
            ..hls(2.0)
        };
        let (outputs, stats) = run(options, &input);
        assert_eq!(stats.warnings.total(), 0, "{:?}", stats.warnings);
        assert!(matches!(outputs[0], Output::Streams(_)));
        let segments: Vec<&Segment> = outputs
            .iter()
            .filter_map(|o| {
                if let Output::Segment(s) = o {
                    Some(s)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(segments.len(), 5);
        for segment in &segments {
            assert!(segment.data.is_empty());
            assert_eq!(segment.parts.len(), 2);
            let video = demux(&segment.parts[0]);
            let audio = demux(&segment.parts[1]);
            let Some(DemuxEvent::Program(program)) = audio.first() else {
                panic!("program first")
            };
            assert_eq!(program.streams.len(), 1);
            assert_eq!(program.streams[0].codec.name(), "aac");
            let first_video = video
                .iter()
                .find_map(|e| {
                    if let DemuxEvent::Video(v) = e {
                        Some(v.pts)
                    } else {
                        None
                    }
                })
                .unwrap();
            let first_audio = audio
                .iter()
                .find_map(|e| {
                    if let DemuxEvent::Audio(a) = e {
                        Some(a.pts)
                    } else {
                        None
                    }
                })
                .unwrap();
            assert_eq!(first_video, segment.start);
            assert!(
                (first_audio.ticks() - first_video.ticks()).abs() <= 1920,
                "{segment:?}"
            );
        }
    }

    #[test]
    fn hls_segments_start_at_keyframes_and_add_up_to_the_input() {
        let input = stream(&mut source(), 0, 250, 25, 0..0);
        let (outputs, stats) = run(hls(2.0), &input);
        let segments: Vec<Segment> = outputs
            .into_iter()
            .filter_map(|o| {
                if let Output::Segment(s) = o {
                    Some(s)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(stats.segments, segments.len() as u64);
        assert_eq!(segments.len(), 5);
        assert!(
            segments
                .iter()
                .all(|s| s.keyframe && !s.discontinuity && s.duration == 2 * CLOCK_90K)
        );
        for segment in &segments {
            let videos: Vec<_> = demux(&segment.data)
                .into_iter()
                .filter_map(|e| {
                    if let DemuxEvent::Video(v) = e {
                        Some(v)
                    } else {
                        None
                    }
                })
                .collect();
            assert!(videos[0].info.keyframe && videos[0].pts == segment.start);
        }
    }

    #[test]
    fn a_marked_source_break_flags_the_next_segment_even_when_timestamps_continue() {
        let input = stream(&mut source(), 0, 200, 25, 0..0);
        let half = (input.len() / 2) / 188 * 188;
        let mut pipeline = Pipeline::new(hls(2.0)).unwrap();
        let mut outputs = Vec::new();
        pipeline.source_break(); // before any output: nothing to break
        pipeline.push(&input[..half]);
        outputs.extend(std::iter::from_fn(|| pipeline.pull()));
        pipeline.source_break();
        pipeline.push(&input[half..]);
        pipeline.finish();
        outputs.extend(std::iter::from_fn(|| pipeline.pull()));
        let flags: Vec<bool> = outputs
            .iter()
            .filter_map(|o| match o {
                Output::Segment(s) => Some(s.discontinuity),
                _ => None,
            })
            .collect();
        assert_eq!(flags.iter().filter(|&&flag| flag).count(), 1, "{flags:?}");
        assert!(!flags[0]);
        assert_eq!(pipeline.stats().warnings.get(WarningKind::TimestampJump), 0);
    }

    #[test]
    fn a_source_restart_closes_the_segment_and_flags_the_next() {
        let mut input = stream(&mut source(), 0, 100, 25, 0..0);
        input.extend(stream(&mut source(), 0, 100, 25, 0..0));
        let (outputs, stats) = run(hls(2.0), &input);
        let flags: Vec<bool> = outputs
            .iter()
            .filter_map(|o| {
                if let Output::Segment(s) = o {
                    Some(s.discontinuity)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(flags, vec![false, false, true, false]);
        assert!(stats.warnings.get(WarningKind::TimestampJump) >= 1);
    }

    #[test]
    fn a_short_audio_gap_is_filled_with_silence() {
        let input = stream(&mut source(), 0, 100, 25, 90_000..90_000 + 3 * MP2_FRAME);
        let (outputs, stats) = run(PipelineOptions::default(), &input);
        assert_eq!(stats.warnings.get(WarningKind::AudioGapFilled), 1);
        let ts: Vec<u8> = outputs
            .into_iter()
            .flat_map(|o| if let Output::Ts(b) = o { b } else { vec![] })
            .collect();
        let audio: Vec<MediaTime> = demux(&ts)
            .into_iter()
            .filter_map(|e| {
                if let DemuxEvent::Audio(a) = e {
                    Some(a.pts)
                } else {
                    None
                }
            })
            .collect();
        assert!(
            audio
                .windows(2)
                .all(|w| w[1].ticks() - w[0].ticks() == 1920),
            "continuous AAC timeline"
        );
    }

    #[test]
    fn video_before_the_first_keyframe_is_dropped_and_audio_waits_for_it() {
        let input = stream(&mut source(), 0, 60, 25, 0..0);
        // Start in the middle of the first GOP: skip the first keyframe's packets.
        let first_keyframe_end = input
            .chunks(188)
            .position(|p| {
                ((u16::from(p[1] & 0x1F) << 8) | u16::from(p[2])) == 0x100
                    && p[1] & 0x40 != 0
                    && p[3] & 0x20 != 0
            })
            .unwrap();
        let mut cut = input[..2 * 188].to_vec(); // PAT, PMT
        cut.extend_from_slice(&input[(first_keyframe_end + 1) * 188..]);
        let (outputs, stats) = run(PipelineOptions::default(), &cut);
        assert_eq!(stats.warnings.get(WarningKind::SkippedBeforeKeyframe), 1);
        let ts: Vec<u8> = outputs
            .into_iter()
            .flat_map(|o| if let Output::Ts(b) = o { b } else { vec![] })
            .collect();
        let events = demux(&ts);
        let first_video = events
            .iter()
            .find_map(|e| {
                if let DemuxEvent::Video(v) = e {
                    Some(v)
                } else {
                    None
                }
            })
            .unwrap();
        assert!(first_video.info.keyframe);
        assert_eq!(first_video.pts, MediaTime(25 * FRAME));
        let first_audio = events
            .iter()
            .find_map(|e| {
                if let DemuxEvent::Audio(a) = e {
                    Some(a.pts)
                } else {
                    None
                }
            })
            .unwrap();
        assert!(
            first_audio.ticks() + 1920 + MP2_FRAME > 25 * FRAME,
            "audio starts with the video"
        );
    }
}
