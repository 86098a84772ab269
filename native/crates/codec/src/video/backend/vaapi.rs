//! VAAPI (Intel, AMD): frames uploaded once (`hwupload`), `deinterlace_vaapi` to field rate, `scale_vaapi`,
//! `h264_vaapi`.

use ffmpeg_next::{Dictionary, ffi};

use super::super::hw::HwDevice;
use super::{BackendSpec, RateControl};

/// The render node VAAPI opens when none is configured.
pub const DEFAULT_VAAPI_DEVICE: &str = "/dev/dri/renderD128";

pub struct Vaapi;

impl BackendSpec for Vaapi {
    fn encoder_name(&self) -> &'static str {
        "h264_vaapi"
    }

    fn hardware_format(&self) -> Option<ffi::AVPixelFormat> {
        Some(ffi::AVPixelFormat::AV_PIX_FMT_VAAPI)
    }

    fn open_device(&self, device: Option<&str>) -> Result<Option<HwDevice>, String> {
        open_render_node(device.unwrap_or(DEFAULT_VAAPI_DEVICE)).map(Some)
    }

    fn shared_filters(&self, deinterlace: bool) -> Vec<String> {
        let mut steps = vec!["format=nv12,hwupload".to_string()];
        if deinterlace {
            steps.push("deinterlace_vaapi=rate=field:auto=0".into());
        }
        steps
    }

    /// Always scales: `scale_vaapi` also fixes the surface format the encoder takes.
    fn scale_filters(&self, scale: Option<(u32, u32)>) -> Vec<String> {
        let size = scale.map_or(String::new(), |(w, h)| format!("w={w}:h={h}:"));
        vec![format!("scale_vaapi={size}format=nv12")]
    }

    fn encoder_options(&self, _rate: &RateControl, options: &mut Dictionary<'static>) {
        options.set("rc_mode", "VBR");
        options.set("aud", "1");
    }
}

/// Opens a VAAPI render node, saying in plain words why not where the cause is the node itself.
fn open_render_node(path: &str) -> Result<HwDevice, String> {
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
