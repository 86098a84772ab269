//! Node binding of the e2gate media engine.
//!
//! Design principles
//! - Thin: options are converted once (`TryFrom`), engine types never see napi, napi types never reach the
//!   engine. Generated `index.d.ts` is never edited by hand.
//! - Heavy work off the JS thread: one dedicated thread per [`pipeline::LivePipeline`] with bounded queues
//!   on both sides (see `worker`); `probe` is a short task on libuv's pool, `probeSync` runs inline.
//! - No panic crosses the boundary: exports use `catch_unwind`, the pipeline thread catches around every
//!   engine call. Errors are JS exceptions with stable `code`s (see `error`).
//! - Output buffers move to JS without copying.
//!
//! Known debts: a `LivePipeline` that is neither closed nor destroyed keeps the process alive, like an open
//! socket; a callback that throws is reported as an uncaught exception.

#![cfg_attr(test, allow(dead_code))] // `#[napi]` items are compiled out of unit-test builds

mod convert;
mod encoders;
mod error;
mod memory;
mod mp4;
mod options;
mod pipeline;
mod playlist;
mod probe;
mod worker;

use napi_derive::napi;

/// Versions of the engine and of the FFmpeg libraries it runs on.
#[napi(object)]
pub struct VersionInfo {
    /// Version of the e2gate engine crates.
    pub engine: String,
    pub avcodec: String,
    pub avutil: String,
    pub swresample: String,
}

/// Versions of the engine and the linked FFmpeg libraries (`major.minor.micro`).
#[napi(catch_unwind)]
pub fn version() -> napi::Result<VersionInfo> {
    let libraries = e2gate_codec::library_versions();
    Ok(VersionInfo {
        engine: env!("CARGO_PKG_VERSION").to_string(),
        avcodec: libraries.avcodec,
        avutil: libraries.avutil,
        swresample: libraries.swresample,
    })
}
