//! `remuxToMp4`: a finished transport stream file (audio already AAC, video H.264) → MP4 with fast start,
//! off the JS thread.

use std::path::PathBuf;

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, JsError, Task};
use napi_derive::napi;

use e2gate_engine::{Mp4Error, Mp4Summary, remux_ts_to_mp4};

use crate::error::{Code, error};

/// What `remuxToMp4` wrote.
#[napi(object)]
pub struct Mp4Result {
    /// Duration in seconds, as the file's header states it.
    pub duration_seconds: f64,
    pub video_streams: u32,
    pub audio_streams: u32,
    /// ISO 639-2 code of each audio stream in order (`und` where the input named none).
    pub audio_languages: Vec<String>,
}

pub struct Mp4Task {
    input: PathBuf,
    output: PathBuf,
}

#[napi]
impl Task for Mp4Task {
    type Output = Result<Mp4Summary, Mp4Error>;
    type JsValue = Mp4Result;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (input, output) = (self.input.clone(), self.output.clone());
        std::panic::catch_unwind(move || remux_ts_to_mp4(&input, &output))
            .map_err(napi::bindgen_prelude::panic_to_error)
    }

    fn resolve(&mut self, env: Env, outcome: Self::Output) -> napi::Result<Mp4Result> {
        let summary = outcome.map_err(|e| {
            let code = match e {
                Mp4Error::Input(_) => Code::InvalidInput,
                Mp4Error::Output(_) => Code::Io,
            };
            // A rejection with `code` set: the error value is handed to the promise as it is.
            napi::Error::from(JsError::from(error(code, e.to_string())).into_unknown(env))
        })?;
        Ok(Mp4Result {
            duration_seconds: summary.duration_seconds,
            video_streams: summary.video_streams,
            audio_streams: summary.audio_streams,
            audio_languages: summary.audio_languages,
        })
    }
}

/// Copies the audio and video streams of the MPEG-TS file at `input` into an MP4 at `output` (replaced if present)
/// with the index first, so a `<video>` element starts playing before the download ends; each audio stream keeps
/// its language. Rejects with `ERR_NATIVE_INVALID_INPUT` for a file without audio or video, `ERR_NATIVE_IO` when
/// the output cannot be written.
#[napi(js_name = "remuxToMp4", catch_unwind)]
pub fn remux_to_mp4(input: String, output: String) -> AsyncTask<Mp4Task> {
    AsyncTask::new(Mp4Task {
        input: PathBuf::from(input),
        output: PathBuf::from(output),
    })
}
