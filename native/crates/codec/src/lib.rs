//! Audio and video codecs for the e2gate engine, over Debian's FFmpeg through `ffmpeg-next`.
//!
//! [`AudioTranscoder`] decodes one audio track (MP2, AC-3, E-AC-3, AAC-LATM), resamples and downmixes it to
//! 48 kHz stereo and encodes AAC-LC with FFmpeg's native encoder. It works in *sample counts*, not
//! timestamps: the engine anchors sample 0 on its timeline and turns encoder sample positions into PTS, so
//! timing is rebuilt from decoder output rather than copied from input PES.
//!
//! [`VideoTranscoder`] decodes MPEG-2, H.264 or HEVC, deinterlaces to field rate and scales (libavfilter) and
//! encodes H.264 with libx264 for live HLS: an IDR every segment target, closed GOPs, capped bit rate.
//!
//! Design principles
//! - No threads of our own, no I/O: one transcoder per track, driven by the pipeline's thread (libx264 runs
//!   its own worker threads).
//! - The `unsafe` FFmpeg calls that `ffmpeg-next` does not wrap safely (resampling into caller buffers,
//!   library versions, log level) live in [`ffi`], each with its safety argument.
//! - Errors are values ([`CodecError`]); the engine counts them as warnings and keeps going.
//!
//! Known debts: only stereo output; HE-AAC input (ADTS) is passed through, not re-encoded.

pub mod ffi;
mod fifo;
mod mp4_file;
mod transcoder;
mod video;

pub use mp4_file::{Mp4Error, Mp4Summary, remux_ts_to_mp4};
pub use transcoder::{
    AAC_FRAME_SAMPLES, AudioTranscoder, EncodedFrame, OUTPUT_CHANNELS, OUTPUT_RATE,
    TranscoderSettings,
};
pub use video::{
    DEFAULT_VAAPI_DEVICE, Deinterlace, EncodedPicture, Encoder, EncoderChoice, EncoderProbe,
    OutputFormat, Rung, VideoSettings, VideoTranscoder, default_bitrate, probe_encoder,
    probe_encoders,
};

use std::fmt;

/// What failed inside FFmpeg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodecError {
    /// The linked FFmpeg has no decoder or encoder for this codec.
    Unavailable(&'static str),
    /// The decoder rejected a frame (damaged input); the next frame usually decodes.
    Decode(String),
    /// Resampler creation or conversion failed.
    Resample(String),
    /// The encoder failed; the track must be restarted.
    Encode(String),
    /// A filter graph (deinterlace, scale) could not be built or run.
    Filter(String),
    /// No backend of the requested encoder choice works here (the reasons, backend by backend).
    Unusable(String),
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::Unavailable(what) => write!(f, "codec unavailable: {what}"),
            CodecError::Decode(e) => write!(f, "decode failed: {e}"),
            CodecError::Resample(e) => write!(f, "resample failed: {e}"),
            CodecError::Encode(e) => write!(f, "encode failed: {e}"),
            CodecError::Filter(e) => write!(f, "filter failed: {e}"),
            CodecError::Unusable(e) => write!(f, "no usable video encoder: {e}"),
        }
    }
}

impl std::error::Error for CodecError {}

/// Versions of the FFmpeg libraries in use, as `major.minor.micro`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryVersions {
    pub avcodec: String,
    pub avutil: String,
    pub swresample: String,
}

pub fn library_versions() -> LibraryVersions {
    let format = |v: u32| format!("{}.{}.{}", v >> 16, (v >> 8) & 0xFF, v & 0xFF);
    LibraryVersions {
        avcodec: format(ffmpeg_next::codec::version()),
        avutil: format(ffmpeg_next::util::version()),
        swresample: format(ffi::swresample_version()),
    }
}

/// Silences FFmpeg's own logging (it would write to stderr from inside the server); failures surface as
/// [`CodecError`] values instead. Idempotent.
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        ffmpeg_next::util::log::set_level(ffmpeg_next::util::log::Level::Quiet);
    });
}
