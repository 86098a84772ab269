//! `probeEncoders`: which video encoder backends work on this machine, off the JS thread.

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

use e2gate_engine::{EncoderProbe, probe_encoders};

/// One video encoder backend as the probe found it.
#[napi(object)]
pub struct EncoderProbeResult {
    #[napi(ts_type = "'software' | 'vaapi' | 'nvenc'")]
    pub encoder: String,
    pub available: bool,
    /// Why it is not available: no device, no driver, encoder session limit, encoder missing from FFmpeg.
    pub reason: Option<String>,
}

pub struct EncoderProbeTask {
    device: Option<String>,
}

#[napi]
impl Task for EncoderProbeTask {
    type Output = Vec<EncoderProbe>;
    type JsValue = Vec<EncoderProbeResult>;

    fn compute(&mut self) -> napi::Result<Vec<EncoderProbe>> {
        let device = self.device.clone();
        std::panic::catch_unwind(move || probe_encoders(device.as_deref()))
            .map_err(napi::bindgen_prelude::panic_to_error)
    }

    fn resolve(
        &mut self,
        _env: Env,
        probes: Vec<EncoderProbe>,
    ) -> napi::Result<Vec<EncoderProbeResult>> {
        Ok(probes
            .into_iter()
            .map(|probe| EncoderProbeResult {
                encoder: probe.encoder.name().to_string(),
                available: probe.available,
                reason: probe.reason,
            })
            .collect())
    }
}

/// Opens every video encoder backend (VAAPI, NVENC, software) the way a session would, with a small synthetic
/// picture, and reports which work and why the others do not. `device`: the VAAPI render node (default
/// `/dev/dri/renderD128`) or CUDA device index. Takes up to a second where a GPU driver initialises.
#[napi(js_name = "probeEncoders", catch_unwind)]
pub fn probe_encoders_js(device: Option<String>) -> AsyncTask<EncoderProbeTask> {
    AsyncTask::new(EncoderProbeTask { device })
}
