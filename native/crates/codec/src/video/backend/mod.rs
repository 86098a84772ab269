//! Where a video transcode runs: libx264 on the CPU, or the GPU through VAAPI (Intel/AMD) or NVENC (NVIDIA).
//!
//! A backend contributes its device, the filters every rendition shares after the decoder (the upload to the GPU
//! and the deinterlacer), each rendition's scaler, and the encoder with its options; frames uploaded once stay on
//! the GPU through filtering and encoding. Each backend lives in its own module; nothing else in the crate names a
//! GPU API.

mod nvenc;
mod software;
mod vaapi;

use ffmpeg_next::{Dictionary, ffi};

use super::hw::HwDevice;

pub use vaapi::DEFAULT_VAAPI_DEVICE;

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

    fn spec(self) -> &'static dyn BackendSpec {
        match self {
            Encoder::Software => &software::Software,
            Encoder::Vaapi => &vaapi::Vaapi,
            Encoder::Nvenc => &nvenc::Nvenc,
        }
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

/// What the encoder's private options need (the bit rates themselves are set on the codec context).
pub struct RateControl {
    pub max_bitrate: u32,
    pub preset: String,
}

/// One backend's specifics.
trait BackendSpec: Sync {
    /// The FFmpeg encoder.
    fn encoder_name(&self) -> &'static str;
    /// The pixel format of the frames the encoder takes from the graph (`None`: software frames, yuv420p).
    fn hardware_format(&self) -> Option<ffi::AVPixelFormat> {
        None
    }
    fn open_device(&self, _device: Option<&str>) -> Result<Option<HwDevice>, String> {
        Ok(None)
    }
    /// Filters every rendition shares, from the decoded picture on.
    fn shared_filters(&self, deinterlace: bool) -> Vec<String>;
    /// One rendition's scaler (`None`: the size stays) and format.
    fn scale_filters(&self, scale: Option<(u32, u32)>) -> Vec<String>;
    /// Private encoder options beyond the common ones.
    fn encoder_options(&self, rate: &RateControl, options: &mut Dictionary<'static>);
}

/// An opened backend: its device (hardware ones) and what it puts into the chain.
pub struct Backend {
    pub encoder: Encoder,
    device: Option<HwDevice>,
}

impl Backend {
    /// Opens the backend's device (`device`: the VAAPI render node, or the CUDA device index).
    pub fn open(encoder: Encoder, device: Option<&str>) -> Result<Backend, String> {
        Ok(Backend {
            encoder,
            device: encoder.spec().open_device(device)?,
        })
    }

    pub fn device(&self) -> Option<&HwDevice> {
        self.device.as_ref()
    }

    pub fn encoder_name(&self) -> &'static str {
        self.encoder.spec().encoder_name()
    }

    pub fn hardware_format(&self) -> Option<ffi::AVPixelFormat> {
        self.encoder.spec().hardware_format()
    }

    /// Filters every rendition shares: the upload to the GPU and the deinterlacer (to field rate).
    pub fn shared_filters(&self, deinterlace: bool) -> Vec<String> {
        self.encoder.spec().shared_filters(deinterlace)
    }

    /// Filters of one rendition: its scale, square pixels, the 90 kHz time base.
    pub fn rendition_filters(&self, scale: Option<(u32, u32)>, clock: i32) -> Vec<String> {
        let mut steps = self.encoder.spec().scale_filters(scale);
        steps.push("setsar=1".into());
        steps.push(format!("settb=1/{clock}"));
        steps
    }

    /// The encoder's options for live HLS: the VBV buffer and High profile for every backend, then the
    /// backend's own (closed GOPs, IDRs where frames are marked I, no scene-cut keyframes, access unit delimiters).
    pub fn encoder_options(&self, rate: &RateControl) -> Dictionary<'static> {
        let mut options = Dictionary::new();
        options.set("bufsize", &(2 * u64::from(rate.max_bitrate)).to_string());
        options.set("profile", "high");
        self.encoder.spec().encoder_options(rate, &mut options);
        options
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(encoder: Encoder, deinterlace: bool, scale: Option<(u32, u32)>) -> String {
        let spec = encoder.spec();
        let mut steps = spec.shared_filters(deinterlace);
        steps.extend(spec.scale_filters(scale));
        steps.join(",")
    }

    #[test]
    fn every_backend_deinterlaces_to_field_rate_and_scales_on_its_own_device() {
        assert_eq!(
            chain(Encoder::Software, true, Some((1280, 720))),
            "bwdif=mode=send_field:parity=auto:deint=all,scale=w=1280:h=720:flags=bicubic,format=yuv420p"
        );
        assert_eq!(chain(Encoder::Software, false, None), "format=yuv420p");
        assert_eq!(
            chain(Encoder::Vaapi, true, Some((1280, 720))),
            "format=nv12,hwupload,deinterlace_vaapi=rate=field:auto=0,scale_vaapi=w=1280:h=720:format=nv12"
        );
        assert_eq!(
            chain(Encoder::Vaapi, false, None),
            "format=nv12,hwupload,scale_vaapi=format=nv12"
        );
        assert_eq!(
            chain(Encoder::Nvenc, true, Some((854, 480))),
            "format=yuv420p,hwupload_cuda,yadif_cuda=mode=send_field:parity=auto:deint=all,scale_cuda=w=854:h=480"
        );
        assert_eq!(
            Encoder::Vaapi.spec().hardware_format(),
            Some(ffi::AVPixelFormat::AV_PIX_FMT_VAAPI)
        );
        assert_eq!(
            Encoder::Nvenc.spec().hardware_format(),
            Some(ffi::AVPixelFormat::AV_PIX_FMT_CUDA)
        );
        assert_eq!(Encoder::Software.spec().hardware_format(), None);
    }

    #[test]
    fn every_backend_encodes_for_live_hls() {
        let rate = RateControl {
            max_bitrate: 4_500_000,
            preset: "veryfast".into(),
        };
        for encoder in Encoder::ALL {
            let backend = Backend {
                encoder,
                device: None,
            };
            let options = backend.encoder_options(&rate);
            assert_eq!(options.get("bufsize"), Some("9000000"), "{encoder:?}");
            assert_eq!(options.get("profile"), Some("high"), "{encoder:?}");
            let rendition = backend.rendition_filters(None, 90_000);
            assert_eq!(
                &rendition[rendition.len() - 2..],
                ["setsar=1", "settb=1/90000"]
            );
        }
        let x264 = Backend {
            encoder: Encoder::Software,
            device: None,
        }
        .encoder_options(&rate);
        assert_eq!(x264.get("forced-idr"), Some("1"));
        assert!(
            x264.get("x264-params")
                .unwrap()
                .contains("scenecut=0:open-gop=0")
        );
        let nvenc = Backend {
            encoder: Encoder::Nvenc,
            device: None,
        }
        .encoder_options(&rate);
        assert_eq!(
            (nvenc.get("forced-idr"), nvenc.get("no-scenecut")),
            (Some("1"), Some("1"))
        );
        let vaapi = Backend {
            encoder: Encoder::Vaapi,
            device: None,
        }
        .encoder_options(&rate);
        assert_eq!(vaapi.get("aud"), Some("1"));
        assert_eq!(Encoder::parse("nvenc"), Some(Encoder::Nvenc));
        assert_eq!(Encoder::parse("qsv"), None);
    }
}
