//! Pipeline options, validated once at construction.

use std::fmt;

use e2gate_codec::VideoSettings;
use e2gate_core::descriptor::Language;

pub const DEFAULT_SEGMENT_SECONDS: f64 = 2.0;
pub const MIN_SEGMENT_SECONDS: f64 = 0.5;
pub const MAX_SEGMENT_SECONDS: f64 = 30.0;
pub const DEFAULT_AUDIO_BITRATE: u32 = 192_000;
pub const MIN_AUDIO_BITRATE: u32 = 32_000;
pub const MAX_AUDIO_BITRATE: u32 = 512_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    /// A continuous transport stream, delivered in chunks.
    Ts,
    /// HLS media segments.
    Hls,
}

/// What happens to the audio tracks of the followed program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AudioOutput {
    /// Every kept track becomes AAC-LC stereo (AAC input is copied).
    Aac,
    /// Every kept track is copied unchanged (MP2, AC-3, E-AC-3, AAC): a remux for players that decode
    /// broadcast audio themselves.
    Copy,
}

/// When a transcoding video track transcodes (decided at every start, from the stream's parameter sets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TranscodeWhen {
    Always,
    /// Unless the source is progressive H.264, which every browser plays as it is.
    NotBrowserPlayable,
}

/// What happens to the video track of the followed program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VideoOutput {
    Copy,
    /// Decoded and encoded as H.264 ([`e2gate_codec::VideoTranscoder`]).
    Transcode {
        when: TranscodeWhen,
        settings: VideoSettings,
    },
}

pub const MIN_VIDEO_BITRATE: u32 = 100_000;
pub const MAX_VIDEO_BITRATE: u32 = 50_000_000;
pub const MIN_VIDEO_HEIGHT: u32 = 144;
pub const MAX_VIDEO_HEIGHT: u32 = 2160;
/// Extra renditions of a ladder at most (each is a whole encoder).
pub const MAX_LADDER_RUNGS: usize = 3;

#[derive(Clone, Debug, PartialEq)]
pub struct PipelineOptions {
    pub output: OutputKind,
    /// Target HLS segment duration in seconds.
    pub segment_duration: f64,
    /// Program to follow (DVB service id); `None` follows the first program whose PMT arrives.
    pub service_id: Option<u16>,
    /// AAC bit rate in bits per second.
    pub audio_bitrate: u32,
    /// Keep only audio tracks in these languages (`None`: all). Tracks without a language are kept only
    /// when no track matches.
    pub languages: Option<Vec<Language>>,
    /// Also copy AC-3/E-AC-3 tracks unchanged beside their AAC version (with [`AudioOutput::Aac`]).
    pub keep_original_audio: bool,
    pub audio_output: AudioOutput,
    /// With [`OutputKind::Hls`]: every segment as one transport stream per output stream (HLS renditions),
    /// see [`e2gate_core::segmenter::Segment::parts`]. Ignored for TS output.
    pub hls_renditions: bool,
    /// With [`OutputKind::Hls`]: the first segment after a start or a break is one GOP long, see
    /// [`e2gate_core::segmenter::Segmenter::fast_start`].
    pub fast_start: bool,
    pub video: VideoOutput,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            output: OutputKind::Ts,
            segment_duration: DEFAULT_SEGMENT_SECONDS,
            service_id: None,
            audio_bitrate: DEFAULT_AUDIO_BITRATE,
            languages: None,
            keep_original_audio: false,
            audio_output: AudioOutput::Aac,
            hls_renditions: false,
            fast_start: false,
            video: VideoOutput::Copy,
        }
    }
}

/// An option out of range; `field` names it as the binding spells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionError {
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for OptionError {}

impl PipelineOptions {
    pub fn validate(&self) -> Result<(), OptionError> {
        if !(MIN_SEGMENT_SECONDS..=MAX_SEGMENT_SECONDS).contains(&self.segment_duration) {
            return Err(OptionError {
                field: "segmentDuration",
                message: format!(
                    "must be between {MIN_SEGMENT_SECONDS} and {MAX_SEGMENT_SECONDS} seconds, got {}",
                    self.segment_duration
                ),
            });
        }
        if !(MIN_AUDIO_BITRATE..=MAX_AUDIO_BITRATE).contains(&self.audio_bitrate) {
            return Err(OptionError {
                field: "audioBitrate",
                message: format!(
                    "must be between {MIN_AUDIO_BITRATE} and {MAX_AUDIO_BITRATE} bit/s, got {}",
                    self.audio_bitrate
                ),
            });
        }
        if let VideoOutput::Transcode { settings, when } = &self.video {
            validate_video(settings)?;
            let renditions = self.output == OutputKind::Hls && self.hls_renditions;
            if !settings.ladder.is_empty() && (!renditions || *when != TranscodeWhen::Always) {
                return Err(OptionError {
                    field: "video.ladder",
                    message: "needs HLS output with renditions and video mode 'transcode'".into(),
                });
            }
        }
        if self.languages.as_ref().is_some_and(Vec::is_empty) {
            return Err(OptionError {
                field: "languages",
                message: "must name at least one language when given".into(),
            });
        }
        Ok(())
    }
}

fn validate_video(settings: &VideoSettings) -> Result<(), OptionError> {
    let in_range = |rate: Option<u32>| {
        rate.is_none_or(|r| (MIN_VIDEO_BITRATE..=MAX_VIDEO_BITRATE).contains(&r))
    };
    if !in_range(settings.bitrate) || !in_range(settings.max_bitrate) {
        return Err(OptionError {
            field: "video.bitrate",
            message: format!(
                "bitrate and maxBitrate must be between {MIN_VIDEO_BITRATE} and {MAX_VIDEO_BITRATE} bit/s"
            ),
        });
    }
    if let (Some(bitrate), Some(max)) = (settings.bitrate, settings.max_bitrate)
        && max < bitrate
    {
        return Err(OptionError {
            field: "video.maxBitrate",
            message: format!("must be at least the bitrate ({bitrate}), got {max}"),
        });
    }
    if settings.ladder.len() > MAX_LADDER_RUNGS
        || settings.ladder.iter().any(|rung| {
            !(MIN_VIDEO_HEIGHT..=MAX_VIDEO_HEIGHT).contains(&rung.height) || !in_range(rung.bitrate)
        })
    {
        return Err(OptionError {
            field: "video.ladder",
            message: format!(
                "at most {MAX_LADDER_RUNGS} rungs, each {MIN_VIDEO_HEIGHT}–{MAX_VIDEO_HEIGHT} lines and {MIN_VIDEO_BITRATE}–{MAX_VIDEO_BITRATE} bit/s"
            ),
        });
    }
    if settings
        .height
        .is_some_and(|h| !(MIN_VIDEO_HEIGHT..=MAX_VIDEO_HEIGHT).contains(&h))
    {
        return Err(OptionError {
            field: "video.height",
            message: format!("must be between {MIN_VIDEO_HEIGHT} and {MAX_VIDEO_HEIGHT} lines"),
        });
    }
    if ![
        "ultrafast",
        "superfast",
        "veryfast",
        "faster",
        "fast",
        "medium",
    ]
    .contains(&settings.preset.as_str())
    {
        return Err(OptionError {
            field: "video.preset",
            message: format!(
                "must be one of ultrafast, superfast, veryfast, faster, fast, medium, got {}",
                settings.preset
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bounds_are_enforced() {
        assert!(PipelineOptions::default().validate().is_ok());
        let short = PipelineOptions {
            segment_duration: 0.1,
            ..Default::default()
        };
        assert_eq!(short.validate().unwrap_err().field, "segmentDuration");
        let loud = PipelineOptions {
            audio_bitrate: 2_000_000,
            ..Default::default()
        };
        assert_eq!(loud.validate().unwrap_err().field, "audioBitrate");
        let none = PipelineOptions {
            languages: Some(vec![]),
            ..Default::default()
        };
        assert_eq!(none.validate().unwrap_err().field, "languages");
    }
}
