//! `LivePipelineOptions` as JS sees it, converted once into the engine's validated options.

use napi_derive::napi;

use e2gate_core::descriptor::Language;
use e2gate_engine::{
    AudioOutput, DEFAULT_AUDIO_BITRATE, DEFAULT_SEGMENT_SECONDS, Deinterlace, Encoder,
    EncoderChoice, OptionError, OutputKind, PipelineOptions, Rung, TranscodeWhen, VideoOutput,
    VideoSettings,
};

/// Default bound of input bytes queued for the pipeline thread (about 3 s of an HD service).
pub const DEFAULT_MAX_QUEUED_INPUT_BYTES: u32 = 4 * 1024 * 1024;
/// Default bound of outputs handed to JS and not yet finished.
pub const DEFAULT_MAX_PENDING_OUTPUTS: u32 = 16;

#[napi(object)]
#[derive(Clone, Debug, Default)]
pub struct LivePipelineOptions {
    /// `'ts'`: one continuous transport stream in chunks; `'hls'`: HLS media segments.
    /// @default 'ts'
    #[napi(ts_type = "'ts' | 'hls'")]
    pub output: Option<String>,
    /// Target HLS segment duration in seconds (0.5–30). Segments start at the first keyframe at or after
    /// each scheduled boundary, so they last at most the target plus one GOP.
    /// @default 2
    pub segment_duration: Option<f64>,
    /// DVB service id (program_number) to follow, from the receiver's `#EXTVLCOPT:program=`. Without it the
    /// first program whose PMT arrives is followed.
    pub service_id: Option<u32>,
    /// AAC-LC bit rate in bit/s (32000–512000).
    /// @default 192000
    pub audio_bitrate: Option<u32>,
    /// ISO 639-2 codes of the audio tracks to keep (`['deu', 'eng']`; `ger`/`deu` both match). When no
    /// track matches, every track is kept.
    pub languages: Option<Vec<String>>,
    /// Also copy AC-3/E-AC-3 tracks unchanged beside their AAC version (with `audio: 'aac'`).
    /// @default false
    pub keep_original_audio: Option<bool>,
    /// `'aac'`: every kept audio track becomes AAC-LC stereo; `'copy'`: every kept track is copied unchanged
    /// (MP2, AC-3, E-AC-3, AAC), a remux for players that decode broadcast audio themselves.
    /// @default 'aac'
    #[napi(ts_type = "'aac' | 'copy'")]
    pub audio: Option<String>,
    /// With `output: 'hls'`: every output stream becomes its own HLS rendition. Each `'segment'` output then
    /// carries `parts` (one transport stream per stream of the last `'streams'` output, in its order, each with
    /// its own PAT and a PMT listing only that stream) instead of `data`; all parts of a segment cover the same
    /// span. Ignored with `output: 'ts'`.
    /// @default false
    pub hls_renditions: Option<bool>,
    /// With `output: 'hls'`: the first segment after the start and after every break ends at the first
    /// keyframe a quarter target in (one GOP of broadcast video) instead of a target in, so a live player can
    /// start sooner; later segments keep the target on average.
    /// @default false
    pub fast_start: Option<bool>,
    /// What happens to the video: copied (the default), or decoded and encoded as H.264 (libx264).
    pub video: Option<LiveVideoOptions>,
    /// Input bytes queued for the pipeline thread before `push` refuses more.
    /// @default 4194304
    pub max_queued_input_bytes: Option<u32>,
    /// Outputs handed to the callback and not finished (a returned promise counts until it settles)
    /// before the pipeline thread waits.
    /// @default 16
    pub max_pending_outputs: Option<u32>,
}

/// Video transcoding: MPEG-2, H.264 or HEVC in, progressive H.264 out with an IDR at every segment boundary.
#[napi(object)]
#[derive(Clone, Debug, Default)]
pub struct LiveVideoOptions {
    /// `'copy'`: as broadcast; `'transcode'`: always to H.264; `'auto'`: to H.264 unless the source is
    /// progressive H.264 already (decided at every start from the parameter sets).
    #[napi(ts_type = "'copy' | 'transcode' | 'auto'")]
    pub mode: String,
    /// Output height in lines (144–2160, never above the source's); the width follows the display aspect
    /// ratio with square pixels. Default: the source's height.
    pub height: Option<u32>,
    /// Average bit rate in bit/s (100000–50000000). Default: by output height (1.8 Mbit/s at 576 lines,
    /// 3 at 720, 5 at 1080).
    pub bitrate: Option<u32>,
    /// Peak bit rate in bit/s, at least `bitrate`. Default: 1.5 × the bit rate.
    pub max_bitrate: Option<u32>,
    /// `'auto'`: deinterlace to field rate (1080i25 → 50 fps) when the first picture is interlaced;
    /// `'on'`, `'off'`.
    /// @default 'auto'
    #[napi(ts_type = "'auto' | 'on' | 'off'")]
    pub deinterlace: Option<String>,
    /// x264 preset: `ultrafast`, `superfast`, `veryfast`, `faster`, `fast`, `medium`.
    /// @default 'veryfast'
    pub preset: Option<String>,
    /// `'auto'`: VAAPI, then NVENC, then software, the first that works (a hardware backend that fails
    /// mid-stream hands over to the next); a named backend that does not work here throws
    /// `ERR_NATIVE_ENCODER_UNAVAILABLE` with the reason (see `probeEncoders`).
    /// @default 'auto'
    #[napi(ts_type = "'auto' | 'software' | 'vaapi' | 'nvenc'")]
    pub encoder: Option<String>,
    /// The VAAPI render node (default `/dev/dri/renderD128`) or the CUDA device index (default the first).
    pub device: Option<String>,
    /// An ABR ladder: up to 3 further renditions (smaller heights) from the same decode and deinterlace, each
    /// its own output stream after the first video stream, IDRs on the same pictures. Needs `output: 'hls'`,
    /// `hlsRenditions` and `mode: 'transcode'`.
    pub ladder: Option<Vec<LadderRung>>,
}

/// One further rendition of the ladder.
#[napi(object)]
#[derive(Clone, Copy, Debug, Default)]
pub struct LadderRung {
    /// Height in lines (144–2160, never above the source's).
    pub height: u32,
    /// Bit rate in bit/s; default by height.
    pub bitrate: Option<u32>,
}

fn video_output(options: Option<LiveVideoOptions>) -> Result<VideoOutput, OptionError> {
    let Some(options) = options else {
        return Ok(VideoOutput::Copy);
    };
    let when = match options.mode.as_str() {
        "copy" => return Ok(VideoOutput::Copy),
        "transcode" => TranscodeWhen::Always,
        "auto" => TranscodeWhen::NotBrowserPlayable,
        other => {
            return Err(invalid(
                "video.mode",
                format!("must be 'copy', 'transcode' or 'auto', got '{other}'"),
            ));
        }
    };
    let deinterlace = match options.deinterlace.as_deref() {
        None | Some("auto") => Deinterlace::Auto,
        Some("on") => Deinterlace::On,
        Some("off") => Deinterlace::Off,
        Some(other) => {
            return Err(invalid(
                "video.deinterlace",
                format!("must be 'auto', 'on' or 'off', got '{other}'"),
            ));
        }
    };
    let encoder = match options.encoder.as_deref() {
        None | Some("auto") => EncoderChoice::Auto,
        Some(name) => EncoderChoice::Only(Encoder::parse(name).ok_or_else(|| {
            invalid(
                "video.encoder",
                format!("must be 'auto', 'software', 'vaapi' or 'nvenc', got '{name}'"),
            )
        })?),
    };
    if options
        .device
        .as_ref()
        .is_some_and(|d| d.is_empty() || d.len() > 256)
    {
        return Err(invalid(
            "video.device",
            "must be a device path or index of 1–256 characters",
        ));
    }
    let defaults = VideoSettings::default();
    Ok(VideoOutput::Transcode {
        when,
        settings: VideoSettings {
            height: options.height,
            bitrate: options.bitrate,
            max_bitrate: options.max_bitrate,
            deinterlace,
            preset: options.preset.unwrap_or(defaults.preset),
            encoder,
            device: options.device,
            ladder: options
                .ladder
                .unwrap_or_default()
                .into_iter()
                .map(|rung| Rung {
                    height: rung.height,
                    bitrate: rung.bitrate,
                })
                .collect(),
            ..defaults
        },
    })
}

/// Queue bounds of the binding itself.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_queued_input_bytes: usize,
    pub max_pending_outputs: usize,
}

fn invalid(field: &'static str, message: impl Into<String>) -> OptionError {
    OptionError {
        field,
        message: message.into(),
    }
}

impl TryFrom<LivePipelineOptions> for (PipelineOptions, Limits) {
    type Error = OptionError;

    fn try_from(options: LivePipelineOptions) -> Result<Self, OptionError> {
        let output = match options.output.as_deref() {
            None | Some("ts") => OutputKind::Ts,
            Some("hls") => OutputKind::Hls,
            Some(other) => {
                return Err(invalid(
                    "output",
                    format!("must be 'ts' or 'hls', got '{other}'"),
                ));
            }
        };
        let service_id = options
            .service_id
            .map(|id| {
                u16::try_from(id)
                    .map_err(|_| invalid("serviceId", format!("must be 0–65535, got {id}")))
            })
            .transpose()?;
        let languages = options
            .languages
            .map(|codes| {
                codes
                    .iter()
                    .map(|code| {
                        Language::parse(code).ok_or_else(|| {
                            invalid(
                                "languages",
                                format!("'{code}' is not a 3-letter ISO 639-2 code"),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let audio_output = match options.audio.as_deref() {
            None | Some("aac") => AudioOutput::Aac,
            Some("copy") => AudioOutput::Copy,
            Some(other) => {
                return Err(invalid(
                    "audio",
                    format!("must be 'aac' or 'copy', got '{other}'"),
                ));
            }
        };
        let engine = PipelineOptions {
            output,
            segment_duration: options.segment_duration.unwrap_or(DEFAULT_SEGMENT_SECONDS),
            service_id,
            audio_bitrate: options.audio_bitrate.unwrap_or(DEFAULT_AUDIO_BITRATE),
            languages,
            keep_original_audio: options.keep_original_audio.unwrap_or(false),
            audio_output,
            hls_renditions: options.hls_renditions.unwrap_or(false),
            fast_start: options.fast_start.unwrap_or(false),
            video: video_output(options.video)?,
        };
        engine.validate()?;
        let max_queued_input_bytes = options
            .max_queued_input_bytes
            .unwrap_or(DEFAULT_MAX_QUEUED_INPUT_BYTES);
        if !(64 * 1024..=256 * 1024 * 1024).contains(&max_queued_input_bytes) {
            return Err(invalid(
                "maxQueuedInputBytes",
                format!("must be 64 KiB–256 MiB, got {max_queued_input_bytes}"),
            ));
        }
        let max_pending_outputs = options
            .max_pending_outputs
            .unwrap_or(DEFAULT_MAX_PENDING_OUTPUTS);
        if !(1..=1024).contains(&max_pending_outputs) {
            return Err(invalid(
                "maxPendingOutputs",
                format!("must be 1–1024, got {max_pending_outputs}"),
            ));
        }
        let limits = Limits {
            max_queued_input_bytes: max_queued_input_bytes as usize,
            max_pending_outputs: max_pending_outputs as usize,
        };
        Ok((engine, limits))
    }
}
