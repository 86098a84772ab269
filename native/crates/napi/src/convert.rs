//! Engine values → JS objects. Runs on the JS thread inside the threadsafe-function callback; buffers
//! move without copying (`Vec<u8>` becomes an external `Buffer`).

use std::collections::HashMap;

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use e2gate_core::timestamp::CLOCK_90K;
use e2gate_engine::{Output, OutputStream, Stats};

/// One event from a pipeline: `kind` says which fields are set.
/// - `'streams'`: `streams` lists the output streams of every following `'ts'`/`'segment'` output, until the
///   next `'streams'`; it comes before the first of them and again after a change of streams (PMT change).
/// - `'ts'`: `data` holds the next piece of the transport stream.
/// - `'segment'`: `data` holds a complete HLS segment (with `hlsRenditions`: `parts` holds one transport
///   stream per entry of `streams`, and `data` is unset); `sequence`, `duration`, `pts`, `startTime`,
///   `keyframe` and `discontinuity` describe it.
/// - `'drain'`: input refused by `push` can be pushed again.
/// - `'error'`: the pipeline failed (`code`, `message`); no more outputs follow except `'end'`.
/// - `'end'`: the last event after `close()`; `stats` holds the final counters.
#[napi(object)]
pub struct PipelineOutput {
    #[napi(ts_type = "'streams' | 'ts' | 'segment' | 'drain' | 'error' | 'end'")]
    pub kind: String,
    pub data: Option<Buffer>,
    /// With `hlsRenditions`: the segment as one transport stream per output stream; index i belongs to the
    /// i-th entry of the last `'streams'` output.
    pub parts: Option<Vec<Buffer>>,
    /// The output streams (`'streams'` outputs).
    pub streams: Option<Vec<OutputStreamInfo>>,
    /// Media sequence number of the segment (from 0).
    pub sequence: Option<i64>,
    /// Segment duration in seconds.
    pub duration: Option<f64>,
    /// 33-bit 90 kHz PTS of the segment's first frame, as written in the stream.
    pub pts: Option<i64>,
    /// Start of the segment in seconds on the engine's unwrapped timeline (keeps growing across the
    /// 33-bit wrap).
    pub start_time: Option<f64>,
    /// The segment starts with a keyframe (false only for cuts forced by a stream without keyframes).
    pub keyframe: Option<bool>,
    /// The segment follows a timeline break or a change of streams (`#EXT-X-DISCONTINUITY`).
    pub discontinuity: Option<bool>,
    pub code: Option<String>,
    pub message: Option<String>,
    pub stats: Option<PipelineStats>,
}

impl PipelineOutput {
    fn empty(kind: &str) -> Self {
        PipelineOutput {
            kind: kind.to_string(),
            data: None,
            parts: None,
            streams: None,
            sequence: None,
            duration: None,
            pts: None,
            start_time: None,
            keyframe: None,
            discontinuity: None,
            code: None,
            message: None,
            stats: None,
        }
    }

    pub fn drain() -> Self {
        Self::empty("drain")
    }

    pub fn error(code: &str, message: String) -> Self {
        PipelineOutput {
            code: Some(code.to_string()),
            message: Some(message),
            ..Self::empty("error")
        }
    }

    pub fn end(stats: PipelineStats) -> Self {
        PipelineOutput {
            stats: Some(stats),
            ..Self::empty("end")
        }
    }

    pub fn from_output(output: Output) -> Self {
        match output {
            Output::Streams(streams) => PipelineOutput {
                streams: Some(streams.iter().map(OutputStreamInfo::from).collect()),
                ..Self::empty("streams")
            },
            Output::Ts(data) => PipelineOutput {
                data: Some(data.into()),
                ..Self::empty("ts")
            },
            Output::Segment(segment) => PipelineOutput {
                sequence: Some(segment.sequence as i64),
                duration: Some(segment.duration as f64 / CLOCK_90K as f64),
                pts: Some(segment.start.to_timestamp().ticks() as i64),
                start_time: Some(segment.start.as_secs_f64()),
                keyframe: Some(segment.keyframe),
                discontinuity: Some(segment.discontinuity),
                data: segment.parts.is_empty().then(|| segment.data.into()),
                parts: (!segment.parts.is_empty())
                    .then(|| segment.parts.into_iter().map(Buffer::from).collect()),
                ..Self::empty("segment")
            },
        }
    }
}

/// An output stream of the pipeline.
#[napi(object)]
#[derive(Clone)]
pub struct OutputStreamInfo {
    pub pid: u32,
    /// `h264`, `hevc`, `mpeg2video`, `aac`, `ac3` or `eac3`.
    pub codec: String,
    pub language: Option<String>,
    /// ISO 639 audio_type: 0 undefined, 1 clean effects, 2 hearing impaired, 3 audio description.
    pub audio_type: u32,
    /// PID of the input stream it comes from.
    pub source_pid: u32,
    /// RFC 6381 codecs string for HLS `CODECS`, from the stream: H.264 `avc1.PPCCLL` from the SPS
    /// (`avc1.640028`), HEVC `hvc1.<profile>.<compatibility>.<tier><level>.<constraints>` (`hvc1.2.4.L120.90`),
    /// MPEG-2 video `mp4v.61` (Main; `60` Simple, `64` High, `65` 4:2:2, `6A` MPEG-1), AAC `mp4a.40.<object type>`
    /// (`mp4a.40.2` for the AAC-LC the engine encodes), AC-3 `ac-3`, E-AC-3 `ec-3`, MP2 `mp4a.6B` (`mp4a.69` for
    /// MPEG-2 lower sampling rates). The family alone (`avc1`, `hvc1`, `mp4v`, `mp4a.40`) while the stream has not
    /// shown its parameter sets or a frame; never so in a `'streams'` output for video.
    pub codecs: String,
    /// Audio: output channels (2 for the AAC the engine encodes, the source's for copied audio once a frame was
    /// seen).
    pub channels: Option<u32>,
    /// Video: picture width after cropping, from the SPS or sequence header.
    pub width: Option<u32>,
    /// Video: picture height after cropping (the full frame for interlaced video).
    pub height: Option<u32>,
    /// Video: frames per second when the parameter sets carry timing (H.264 VUI: time_scale / (2 ×
    /// num_units_in_tick), so 25 for 1080i25 whose VUI states 50 fields; MPEG-2: frame_rate_code). Absent for HEVC
    /// and when the stream does not say.
    pub frame_rate: Option<f64>,
    /// Video: coded as fields (H.264 frame_mbs_only_flag 0, HEVC interlaced source, MPEG-2 non-progressive
    /// sequence).
    pub interlaced: Option<bool>,
}

impl From<&OutputStream> for OutputStreamInfo {
    fn from(stream: &OutputStream) -> Self {
        OutputStreamInfo {
            pid: u32::from(stream.pid.value()),
            codec: stream.codec.to_string(),
            language: stream.language.map(|l| l.as_str().to_string()),
            audio_type: u32::from(stream.audio_type.0),
            source_pid: u32::from(stream.source_pid.value()),
            codecs: stream.format.codecs.clone(),
            channels: stream.format.channels.map(u32::from),
            width: stream.format.width,
            height: stream.format.height,
            frame_rate: stream
                .format
                .frame_rate
                .map(|(n, d)| f64::from(n) / f64::from(d.max(1))),
            interlaced: stream.format.interlaced,
        }
    }
}

/// Counters of a pipeline, for metrics.
#[napi(object)]
#[derive(Clone)]
pub struct PipelineStats {
    #[napi(
        ts_type = "'waiting_for_program' | 'waiting_for_keyframe' | 'streaming' | 'closed' | 'failed'"
    )]
    pub state: String,
    pub bytes_in: i64,
    pub bytes_out: i64,
    pub packets_in: i64,
    pub continuity_errors: i64,
    pub segments: i64,
    pub video_frames: i64,
    pub audio_frames_in: i64,
    pub audio_frames_out: i64,
    /// Occurrences by warning kind (`continuity_error`, `scrambled`, `timestamp_jump`, …); kinds that did
    /// not occur are absent.
    pub warnings: HashMap<String, i64>,
    pub warnings_total: i64,
    /// The followed program (DVB service id), once its PMT arrived.
    pub program_number: Option<u32>,
    pub streams: Vec<OutputStreamInfo>,
    /// Input bytes accepted by `push` and not yet processed.
    pub queued_input_bytes: i64,
    /// Outputs handed to the callback and not yet finished.
    pub pending_outputs: i64,
    /// The video encoder in use while video is transcoded.
    #[napi(ts_type = "'software' | 'vaapi' | 'nvenc'")]
    pub video_encoder: Option<String>,
}

impl PipelineStats {
    pub fn from_engine(
        stats: &Stats,
        state: Option<&str>,
        queued_input_bytes: usize,
        pending_outputs: usize,
    ) -> Self {
        PipelineStats {
            state: state.unwrap_or(stats.state.name()).to_string(),
            bytes_in: stats.bytes_in as i64,
            bytes_out: stats.bytes_out as i64,
            packets_in: stats.packets_in as i64,
            continuity_errors: stats.continuity_errors as i64,
            segments: stats.segments as i64,
            video_frames: stats.video_frames as i64,
            audio_frames_in: stats.audio_frames_in as i64,
            audio_frames_out: stats.audio_frames_out as i64,
            warnings: stats
                .warnings
                .iter()
                .map(|(kind, n)| (kind.name().to_string(), n as i64))
                .collect(),
            warnings_total: stats.warnings.total() as i64,
            program_number: stats.program_number.map(u32::from),
            streams: stats.streams.iter().map(OutputStreamInfo::from).collect(),
            queued_input_bytes: queued_input_bytes as i64,
            pending_outputs: pending_outputs as i64,
            video_encoder: stats.video_encoder.map(str::to_string),
        }
    }
}
