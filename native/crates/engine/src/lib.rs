//! The e2gate live pipeline: MPEG-TS in; video copied or transcoded to H.264 (deinterlaced, scaled), every
//! audio track turned into AAC-LC (48 kHz stereo), out as a continuous transport stream or HLS segments.
//!
//! Design principles
//! - Synchronous push/pull, no threads, no I/O: the binding owns the thread, the caller owns the bytes.
//! - The source timeline is kept (90 kHz, written modulo 2^33): copied video PTS/DTS are copied, transcoded
//!   video keeps the decoded pictures' PTS, audio PTS are rebuilt from encoder sample counts anchored on the
//!   input, so A/V sync holds within one audio frame.
//! - Damaged input is never an error: everything the pipeline drops or repairs is a counted warning in
//!   [`Stats`], and output continues or restarts with a discontinuity.
//!
//! Known debts: one video stream per program (the first); subtitles/teletext are dropped; audio waits
//! indefinitely for video when the PMT lists a video stream that never carries a keyframe.

mod audio_track;
mod layout;
mod options;
mod pipeline;
mod timeline;
mod video_track;

pub use e2gate_codec::{
    Deinterlace, Encoder, EncoderChoice, EncoderProbe, Mp4Error, Mp4Summary, Rung, VideoSettings,
    probe_encoder, probe_encoders, remux_ts_to_mp4,
};
pub use e2gate_core::probe::{ProbeReport, ProbedProgram, ProbedStream, probe};
pub use layout::{MAX_AUDIO_TRACKS, OutputStream, StreamFormat};
pub use options::{
    AudioOutput, DEFAULT_AUDIO_BITRATE, DEFAULT_SEGMENT_SECONDS, MAX_AUDIO_BITRATE,
    MAX_SEGMENT_SECONDS, MIN_AUDIO_BITRATE, MIN_SEGMENT_SECONDS, OptionError, OutputKind,
    PipelineOptions, TranscodeWhen, VideoOutput,
};
pub use pipeline::{MAX_WAITING_AUDIO, Output, Pipeline, PipelineState, Stats};
