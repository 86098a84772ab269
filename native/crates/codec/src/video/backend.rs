//! Where a video transcode runs: libx264 on the CPU, or the GPU through VAAPI (Intel/AMD) or NVENC (NVIDIA).
//!
//! A backend contributes the filters after the decoder (deinterlace and scale, on the GPU for the hardware
//! backends: frames are uploaded once and stay there through filtering and encoding) and the encoder with its
//! options. Each backend's specifics live in its own function below; nothing else in the crate names a GPU API.

use ffmpeg_next::{Dictionary, ffi};

use super::hw::HwDevice;

/// A video encoder backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoder {
    Software,
    Vaapi,
    Nvenc,
}

impl Encoder {
    pub const ALL: [Encoder; 3] = [Encoder::Vaapi, Encoder::Nvenc, Encoder::Software];

    pub fn name(self) -> &'static str {
        match self {
            Encoder::Software => "software",
            Encoder::Vaapi => "vaapi",
            Encoder::Nvenc => "nvenc",
        }
    }

    pub fn parse(name: &str) -> Option<Encoder> {
        Encoder::ALL.into_iter().find(|e| e.name() == name)
    }
}

/// Which encoder a transcode asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncoderChoice {
    /// VAAPI, then NVENC, then software: the first that works.
    Auto,
    Only(Encoder),
}

impl EncoderChoice {
    /// The backends to try, in order.
    pub fn candidates(self) -> &'static [Encoder] {
        match self {
            EncoderChoice::Auto => &Encoder::ALL,
            EncoderChoice::Only(Encoder::Software) => &[Encoder::Software],
            EncoderChoice::Only(Encoder::Vaapi) => &[Encoder::Vaapi],
            EncoderChoice::Only(Encoder::Nvenc) => &[Encoder::Nvenc],
        }
    }
}

/// The render node VAAPI opens when none is configured.
pub const DEFAULT_VAAPI_DEVICE: &str = "/dev/dri/renderD128";

/// Opens a VAAPI render node, saying in plain words why not where the cause is the node itself.
fn open_vaapi(path: &str) -> Result<HwDevice, String> {
    match std::fs::File::open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "no VAAPI device at {path} (no Intel/AMD GPU, or the device is not passed into the container)"
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(format!(
                "no permission to open {path} (add the service's user to the device's group, usually render)"
            ));
        }
        _ => {}
    }
    HwDevice::open(ffi::AVHWDeviceType::AV_HWDEVICE_TYPE_VAAPI, Some(path))
        .map_err(|e| format!("VAAPI could not open {path} (driver missing or not supported): {e}"))
}

/// An opened backend: its device (hardware ones) and what it puts into the chain.
pub struct Backend {
    pub encoder: Encoder,
    device: Option<HwDevice>,
}

/// What the encoder's private options need (the bit rates themselves are set on the codec context).
pub struct RateControl {
    pub max_bitrate: u32,
    pub preset: String,
}

impl Backend {
    /// Opens the backend's device (`device`: the VAAPI render node, or the CUDA device index).
    pub fn open(encoder: Encoder, device: Option<&str>) -> Result<Backend, String> {
        let device = match encoder {
            Encoder::Software => None,
            Encoder::Vaapi => Some(open_vaapi(device.unwrap_or(DEFAULT_VAAPI_DEVICE))?),
            Encoder::Nvenc => Some(
                HwDevice::open(
                    ffi::AVHWDeviceType::AV_HWDEVICE_TYPE_CUDA,
                    device.filter(|d| !d.starts_with('/')),
                )
                .map_err(|e| {
                    format!("no CUDA device (no NVIDIA GPU, or its driver's libcuda.so.1 is not installed): {e}")
                })?,
            ),
        };
        Ok(Backend { encoder, device })
    }

    pub fn device(&self) -> Option<&HwDevice> {
        self.device.as_ref()
    }

    /// The FFmpeg encoder.
    pub fn encoder_name(&self) -> &'static str {
        match self.encoder {
            Encoder::Software => "libx264",
            Encoder::Vaapi => "h264_vaapi",
            Encoder::Nvenc => "h264_nvenc",
        }
    }

    /// The pixel format of the frames the encoder takes from the graph (`None`: software frames, yuv420p).
    pub fn hardware_format(&self) -> Option<ffi::AVPixelFormat> {
        match self.encoder {
            Encoder::Software => None,
            Encoder::Vaapi => Some(ffi::AVPixelFormat::AV_PIX_FMT_VAAPI),
            Encoder::Nvenc => Some(ffi::AVPixelFormat::AV_PIX_FMT_CUDA),
        }
    }

    /// Filters every rendition shares, from the decoded picture on: the upload to the GPU and the deinterlacer
    /// (to field rate). Empty when there is nothing to share.
    pub fn shared_filters(&self, deinterlace: bool) -> Vec<String> {
        let mut steps = Vec::new();
        match self.encoder {
            Encoder::Software if deinterlace => {
                steps.push("bwdif=mode=send_field:parity=auto:deint=all".to_string())
            }
            Encoder::Software => {}
            Encoder::Vaapi => {
                steps.push("format=nv12,hwupload".into());
                if deinterlace {
                    steps.push("deinterlace_vaapi=rate=field:auto=0".into());
                }
            }
            Encoder::Nvenc => {
                steps.push("format=yuv420p,hwupload_cuda".into());
                if deinterlace {
                    steps.push("yadif_cuda=mode=send_field:parity=auto:deint=all".into());
                }
            }
        }
        steps
    }

    /// Filters of one rendition: its scale (when the size changes; always on VAAPI, which also fixes the
    /// format there), square pixels, the 90 kHz time base.
    pub fn rendition_filters(&self, scale: Option<(u32, u32)>, clock: i32) -> Vec<String> {
        let mut steps = Vec::new();
        match self.encoder {
            Encoder::Software => {
                if let Some((w, h)) = scale {
                    steps.push(format!("scale=w={w}:h={h}:flags=bicubic"));
                }
                steps.push("format=yuv420p".into());
            }
            Encoder::Vaapi => {
                let size = scale.map_or(String::new(), |(w, h)| format!("w={w}:h={h}:"));
                steps.push(format!("scale_vaapi={size}format=nv12"));
            }
            Encoder::Nvenc => {
                if let Some((w, h)) = scale {
                    steps.push(format!("scale_cuda=w={w}:h={h}"));
                }
            }
        }
        steps.push("setsar=1".into());
        steps.push(format!("settb=1/{clock}"));
        steps
    }

    /// The encoder's private options for live HLS: closed GOPs, IDRs where the schedule forces them (frames
    /// marked I), no scene-cut keyframes, access unit delimiters, High profile.
    pub fn encoder_options(&self, rate: &RateControl) -> Dictionary<'static> {
        let mut options = Dictionary::new();
        options.set("bufsize", &(2 * u64::from(rate.max_bitrate)).to_string());
        match self.encoder {
            Encoder::Software => {
                options.set("preset", &rate.preset);
                options.set("profile", "high");
                options.set("forced-idr", "1");
                // force-cfr: rate control and the VUI timing follow the frame rate, not the 90 kHz time base.
                options.set(
                    "x264-params",
                    "scenecut=0:open-gop=0:aud=1:repeat-headers=1:force-cfr=1",
                );
            }
            Encoder::Vaapi => {
                options.set("profile", "high");
                options.set("rc_mode", "VBR");
                options.set("aud", "1");
            }
            Encoder::Nvenc => {
                options.set("preset", "p4");
                options.set("profile", "high");
                options.set("rc", "vbr");
                options.set("forced-idr", "1");
                options.set("no-scenecut", "1");
                options.set("strict_gop", "1");
                options.set("aud", "1");
            }
        }
        options
    }
}
