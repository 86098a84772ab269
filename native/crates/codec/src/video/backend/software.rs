//! libx264 on the CPU: `bwdif` to field rate, `scale`, yuv420p frames.

use ffmpeg_next::Dictionary;

use super::{BackendSpec, RateControl};

pub struct Software;

impl BackendSpec for Software {
    fn encoder_name(&self) -> &'static str {
        "libx264"
    }

    fn shared_filters(&self, deinterlace: bool) -> Vec<String> {
        if deinterlace {
            vec!["bwdif=mode=send_field:parity=auto:deint=all".into()]
        } else {
            Vec::new()
        }
    }

    fn scale_filters(&self, scale: Option<(u32, u32)>) -> Vec<String> {
        let mut steps: Vec<String> = scale
            .map(|(w, h)| format!("scale=w={w}:h={h}:flags=bicubic"))
            .into_iter()
            .collect();
        steps.push("format=yuv420p".into());
        steps
    }

    fn encoder_options(&self, rate: &RateControl, options: &mut Dictionary<'static>) {
        options.set("preset", &rate.preset);
        options.set("forced-idr", "1");
        // force-cfr: rate control and the VUI timing follow the frame rate, not the 90 kHz time base.
        options.set(
            "x264-params",
            "scenecut=0:open-gop=0:aud=1:repeat-headers=1:force-cfr=1",
        );
    }
}
