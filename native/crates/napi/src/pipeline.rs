//! `LivePipeline`: one engine pipeline on its own thread, fed with `push`, read through a callback.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use napi::bindgen_prelude::{BufferSlice, Function, Object, Unknown};
use napi::{Env, JsDeferred};
use napi_derive::napi;

use e2gate_engine::{
    Encoder, EncoderChoice, Pipeline, PipelineOptions, VideoOutput, probe_encoder,
};

use crate::convert::{PipelineOutput, PipelineStats};
use crate::error::{Code, throw};
use crate::options::{Limits, LivePipelineOptions};
use crate::worker::{self, Event, Lifecycle, OutputFn, PushOutcome, Shared};

type Resolver = Box<dyn FnOnce(Env) -> napi::Result<PipelineStats> + Send>;

/// Promises returned by `close()`, settled on the JS thread once the `'end'` event was delivered.
#[derive(Default)]
struct Closers {
    waiting: Vec<JsDeferred<PipelineStats, Resolver>>,
    ended: Option<PipelineStats>,
}

fn settle(closers: &Mutex<Closers>, stats: PipelineStats) {
    let waiting = {
        let mut guard = closers.lock().unwrap_or_else(|p| p.into_inner());
        guard.ended = Some(stats.clone());
        std::mem::take(&mut guard.waiting)
    };
    for deferred in waiting {
        resolve(deferred, stats.clone());
    }
}

fn resolve(deferred: JsDeferred<PipelineStats, Resolver>, stats: PipelineStats) {
    deferred.resolve(Box::new(move |_| Ok(stats)));
}

/// A live transport stream pipeline on a dedicated thread.
///
/// ```js
/// const pipeline = new LivePipeline({ output: 'hls', serviceId: 4911 }, (out) => { … });
/// if (!pipeline.push(chunk)) source.pause(); // resume on the 'drain' output
/// const stats = await pipeline.close();      // every output has been delivered by now
/// ```
///
/// Outputs arrive in order through `onOutput` (see `PipelineOutput.kind`). An output counts against
/// `maxPendingOutputs` until the callback returns — or, when it returns a promise, until that settles — so
/// a slow consumer slows the pipeline instead of growing memory. An exception thrown by the callback is
/// reported like any uncaught exception.
#[napi]
pub struct LivePipeline {
    shared: Arc<Shared>,
    closers: Arc<Mutex<Closers>>,
}

/// Whether a backend works, probed once per process and device: the probe opens the device and encodes a picture
/// (up to a second where a GPU driver initialises), too slow for every session start on the JS thread. A device
/// that fails later fails its session's chain instead.
fn probe_once(encoder: Encoder, device: Option<&str>) -> Result<(), String> {
    type Probed = HashMap<(Encoder, Option<String>), Result<(), String>>;
    static PROBED: OnceLock<Mutex<Probed>> = OnceLock::new();
    let key = (encoder, device.map(str::to_string));
    let mut probed = PROBED
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    probed
        .entry(key)
        .or_insert_with(|| probe_encoder(encoder, device))
        .clone()
}

/// A hardware encoder asked for by name must work here, or the pipeline is refused with the reason.
fn check_encoder(env: &Env, options: &PipelineOptions) -> napi::Result<()> {
    let VideoOutput::Transcode { settings, .. } = &options.video else {
        return Ok(());
    };
    let EncoderChoice::Only(encoder) = settings.encoder else {
        return Ok(());
    };
    if encoder == Encoder::Software {
        return Ok(());
    }
    probe_once(encoder, settings.device.as_deref()).map_err(|reason| {
        throw(
            env,
            Code::EncoderUnavailable,
            format!(
                "video.encoder: {} does not work here: {reason}",
                encoder.name()
            ),
        )
    })
}

#[napi]
impl LivePipeline {
    /// Starts the pipeline thread. Throws `ERR_NATIVE_INVALID_OPTIONS` for a bad option (the message names
    /// it) and `ERR_NATIVE_THREAD` when no thread can be started.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        options: Option<LivePipelineOptions>,
        #[napi(ts_arg_type = "(output: PipelineOutput) => void | Promise<unknown>")]
        on_output: Function<'_, PipelineOutput, Unknown<'static>>,
    ) -> napi::Result<Self> {
        let (engine_options, limits): (_, Limits) = options
            .unwrap_or_default()
            .try_into()
            .map_err(|e: e2gate_engine::OptionError| {
                throw(&env, Code::InvalidOptions, e.to_string())
            })?;
        check_encoder(&env, &engine_options)?;
        let pipeline = Pipeline::new(engine_options)
            .map_err(|e| throw(&env, Code::InvalidOptions, e.to_string()))?;
        let output: OutputFn = on_output
            .build_threadsafe_function::<Event>()
            .callee_handled::<false>()
            .build_callback(|ctx| {
                Ok(match ctx.value {
                    Event::Output(output) => PipelineOutput::from_output(output),
                    Event::Drain => PipelineOutput::drain(),
                    Event::Error { code, message } => PipelineOutput::error(code, message),
                    Event::End(stats) => PipelineOutput::end(stats),
                })
            })?;
        let shared = Arc::new(Shared::new(limits, pipeline.stats()));
        let closers = Arc::new(Mutex::new(Closers::default()));
        let thread_shared = Arc::clone(&shared);
        let thread_closers = Arc::clone(&closers);
        let on_end: worker::OnEnd = Box::new(move |_env, stats| settle(&thread_closers, stats));
        std::thread::Builder::new()
            .name("e2gate-pipeline".into())
            .spawn(move || worker::run(thread_shared, pipeline, output, on_end))
            .map_err(|e| {
                throw(
                    &env,
                    Code::Thread,
                    format!("cannot start the pipeline thread: {e}"),
                )
            })?;
        Ok(LivePipeline { shared, closers })
    }

    /// Queues a copy of a chunk of transport stream (any size; packets may straddle chunks), so the caller
    /// may reuse its buffer as soon as `push` returns. Returns false when the input queue is full: the chunk
    /// was *not* taken; push it again after the `'drain'` output.
    /// Throws `ERR_NATIVE_CLOSED` after `close()`/`destroy()`, `ERR_NATIVE_FAILED` after an internal error,
    /// `ERR_NATIVE_LIMIT_EXCEEDED` for a chunk over 64 MiB.
    #[napi(catch_unwind)]
    pub fn push(&self, env: Env, chunk: BufferSlice) -> napi::Result<bool> {
        match self.shared.push(&chunk) {
            PushOutcome::Accepted => Ok(true),
            PushOutcome::Refused => Ok(false),
            PushOutcome::Rejected(code, message) => Err(throw(&env, code, message)),
        }
    }

    /// Marks a break in the source before the next chunk pushed (an upstream reconnect): output restarts at
    /// the next keyframe with a discontinuity — the next HLS segment carries `discontinuity`, TS packets the
    /// discontinuity_indicator — even when the timestamps happen to continue.
    #[napi(catch_unwind)]
    pub fn mark_discontinuity(&self) {
        self.shared.mark_discontinuity();
    }

    /// Current counters (cheap: a snapshot the pipeline thread refreshes after every chunk).
    #[napi(catch_unwind)]
    pub fn stats(&self) -> napi::Result<PipelineStats> {
        let snapshot = self.shared.snapshot();
        let state = match self.shared.lifecycle() {
            Lifecycle::Open | Lifecycle::Closing => None,
            Lifecycle::Ended | Lifecycle::Destroyed => Some("closed"),
            Lifecycle::Failed => Some("failed"),
        };
        Ok(PipelineStats::from_engine(
            &snapshot.stats,
            state,
            self.shared.queued_input_bytes(),
            snapshot.pending,
        ))
    }

    /// Ends the input: queued chunks are processed, the tail is flushed (last audio frames, last segment),
    /// every output is delivered (and every promise returned by the callback settled), then the `'end'`
    /// output arrives and the promise resolves with the final stats (`state` `'closed'`, or `'failed'`
    /// after an `'error'` output). Calling it again returns the same result. Throws `ERR_NATIVE_CLOSED`
    /// after `destroy()`.
    #[napi(catch_unwind, ts_return_type = "Promise<PipelineStats>")]
    pub fn close<'env>(&self, env: &'env Env) -> napi::Result<Object<'env>> {
        if self.shared.lifecycle() == Lifecycle::Destroyed {
            return Err(throw(env, Code::Closed, "the pipeline was destroyed"));
        }
        let (deferred, promise) = env.create_deferred::<PipelineStats, Resolver>()?;
        let mut closers = self.closers.lock().unwrap_or_else(|p| p.into_inner());
        match closers.ended.clone() {
            Some(stats) => resolve(deferred, stats),
            None => closers.waiting.push(deferred),
        }
        drop(closers);
        self.shared.close();
        Ok(promise)
    }

    /// Stops at once without flushing: queued input and undelivered outputs are dropped and no `'end'`
    /// output follows; pending `close()` promises resolve with `state: 'closed'` and the counters so far.
    /// Idempotent.
    #[napi(catch_unwind)]
    pub fn destroy(&self) -> napi::Result<()> {
        self.shared.destroy();
        let waiting = std::mem::take(
            &mut self
                .closers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .waiting,
        );
        if !waiting.is_empty() {
            let stats = self.stats()?;
            for deferred in waiting {
                resolve(deferred, stats.clone());
            }
        }
        Ok(())
    }
}

impl Drop for LivePipeline {
    fn drop(&mut self) {
        // Garbage-collected without close(): stop the thread. After close() the object may well be collected
        // while its promise is pending (nothing else references it); the thread then finishes on its own and
        // settles the promise (an environment torn down stops it through the liveness checks instead).
        if self.shared.lifecycle() == Lifecycle::Open {
            self.shared.destroy();
        }
    }
}
