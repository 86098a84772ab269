//! NVENC (NVIDIA): frames uploaded once (`hwupload_cuda`), `yadif_cuda` to field rate, `scale_cuda`, `h264_nvenc`.

use ffmpeg_next::{Dictionary, ffi};

use super::super::hw::HwDevice;
use super::{BackendSpec, RateControl};

pub struct Nvenc;

impl BackendSpec for Nvenc {
    fn encoder_name(&self) -> &'static str {
        "h264_nvenc"
    }

    fn hardware_format(&self) -> Option<ffi::AVPixelFormat> {
        Some(ffi::AVPixelFormat::AV_PIX_FMT_CUDA)
    }

    /// `device`: a CUDA device index; a path (meant for VAAPI) is ignored.
    fn open_device(&self, device: Option<&str>) -> Result<Option<HwDevice>, String> {
        HwDevice::open(
            ffi::AVHWDeviceType::AV_HWDEVICE_TYPE_CUDA,
            device.filter(|d| !d.starts_with('/')),
        )
        .map(Some)
        .map_err(|e| {
            format!(
                "no CUDA device (no NVIDIA GPU, or its driver's libcuda.so.1 is not installed): {e}"
            )
        })
    }

    fn shared_filters(&self, deinterlace: bool) -> Vec<String> {
        let mut steps = vec!["format=yuv420p,hwupload_cuda".to_string()];
        if deinterlace {
            steps.push("yadif_cuda=mode=send_field:parity=auto:deint=all".into());
        }
        steps
    }

    fn scale_filters(&self, scale: Option<(u32, u32)>) -> Vec<String> {
        scale
            .map(|(w, h)| format!("scale_cuda=w={w}:h={h}"))
            .into_iter()
            .collect()
    }

    fn encoder_options(&self, _rate: &RateControl, options: &mut Dictionary<'static>) {
        options.set("preset", "p4");
        options.set("rc", "vbr");
        options.set("forced-idr", "1");
        options.set("no-scenecut", "1");
        options.set("strict_gop", "1");
        options.set("aud", "1");
    }
}
