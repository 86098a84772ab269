//! The pipeline thread and the two bounded queues around it.
//!
//! - Input: `push` copies a chunk into a byte-bounded queue and refuses (returns false) when it is full; a
//!   `'drain'` event follows once the thread has worked it down to half. The copy lets the caller reuse its
//!   buffer at once: a live source then reads into the same few buffers instead of allocating one per read,
//!   and every allocated `ArrayBuffer` is external memory that drives V8's full collections. Buffers the
//!   thread has finished with are kept for the next pushes (a few), so a steady stream allocates nothing.
//! - Output: every output holds a credit from the moment it is handed to the threadsafe function until the
//!   JS callback returned (or the promise it returned settled). Without a free credit the thread waits, so a
//!   consumer that stops reading stops the thread, which fills the input queue, which makes `push` refuse:
//!   memory stays bounded end to end.
//! - Batching: while more input is already queued (the thread is behind, e.g. a backlog or a file read
//!   faster than real time), continuous TS output is gathered into one output of up to [`TS_BATCH_BYTES`]
//!   instead of one per chunk. A live source keeps the queue empty, so every chunk's output still leaves at
//!   once, and the very first output is never held.
//!
//! The thread never lets a panic escape: each engine call runs under `catch_unwind`; a caught panic turns
//! into an `'error'` event and the pipeline refuses further input. Waits poll the environment's liveness
//! twice a second so a worker thread torn down mid-stream cannot strand the pipeline thread.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, JsValue, Status, ValueType};

use e2gate_engine::{Output, Pipeline, Stats};

use crate::convert::{PipelineOutput, PipelineStats};
use crate::error::Code;
use crate::options::Limits;

const LIVENESS_POLL: Duration = Duration::from_millis(500);

/// Largest single chunk `push` accepts.
pub const MAX_CHUNK_BYTES: usize = 64 * 1024 * 1024;

/// Continuous TS output gathered into one output while more input is queued.
pub const TS_BATCH_BYTES: usize = 1024 * 1024;
/// Source breaks remembered ahead of the input (`mark_discontinuity` between pushes).
const MAX_QUEUED_BREAKS: usize = 64;
/// Finished input buffers kept for reuse (a live source needs one or two), unless larger than this.
const MAX_FREE_BUFFERS: usize = 4;
const MAX_FREE_BUFFER_BYTES: usize = 1024 * 1024;

/// What the pipeline thread hands to JS.
pub enum Event {
    Output(Output),
    Drain,
    Error { code: &'static str, message: String },
    End(PipelineStats),
}

pub type OutputFn = ThreadsafeFunction<Event, Unknown<'static>, PipelineOutput, Status, false>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    Open,
    /// `close()` was called: remaining input is processed, then the tail is flushed.
    Closing,
    /// The `'end'` event was delivered.
    Ended,
    Failed,
    Destroyed,
}

pub enum PushOutcome {
    Accepted,
    Refused,
    Rejected(Code, String),
}

struct Input {
    /// Copies of the chunks pushed, in order.
    chunks: VecDeque<Vec<u8>>,
    bytes: usize,
    /// Buffers the thread has finished with, reused by the next pushes.
    free: Vec<Vec<u8>>,
    refused: bool,
    lifecycle: Lifecycle,
    /// Chunks queued since the pipeline started, and taken by the thread: `breaks` holds the indexes of
    /// chunks that follow a break in the source (`mark_discontinuity`), so the break lands in order.
    queued: u64,
    taken: u64,
    breaks: VecDeque<u64>,
}

pub struct Snapshot {
    pub stats: Stats,
    pub pending: usize,
}

pub struct Shared {
    limits: Limits,
    input: Mutex<Input>,
    input_changed: Condvar,
    pending: Mutex<usize>,
    pending_changed: Condvar,
    snapshot: Mutex<Stats>,
    destroyed: AtomicBool,
}

/// A mutex poisoned by a panic elsewhere still holds consistent data for these plain counters.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub fn new(limits: Limits, stats: Stats) -> Self {
        Shared {
            limits,
            input: Mutex::new(Input {
                chunks: VecDeque::new(),
                bytes: 0,
                free: Vec::new(),
                refused: false,
                lifecycle: Lifecycle::Open,
                queued: 0,
                taken: 0,
                breaks: VecDeque::new(),
            }),
            input_changed: Condvar::new(),
            pending: Mutex::new(0),
            pending_changed: Condvar::new(),
            snapshot: Mutex::new(stats),
            destroyed: AtomicBool::new(false),
        }
    }

    pub fn push(&self, chunk: &[u8]) -> PushOutcome {
        if chunk.len() > MAX_CHUNK_BYTES {
            return PushOutcome::Rejected(
                Code::LimitExceeded,
                format!("a chunk may hold at most {MAX_CHUNK_BYTES} bytes"),
            );
        }
        self.enqueue(&mut lock(&self.input), chunk)
    }

    fn enqueue(&self, input: &mut Input, chunk: &[u8]) -> PushOutcome {
        match input.lifecycle {
            Lifecycle::Open => {}
            Lifecycle::Failed => {
                return PushOutcome::Rejected(
                    Code::Failed,
                    "the pipeline failed; create a new one".into(),
                );
            }
            _ => return PushOutcome::Rejected(Code::Closed, "the pipeline is closed".into()),
        }
        if !input.chunks.is_empty()
            && input.bytes + chunk.len() > self.limits.max_queued_input_bytes
        {
            input.refused = true;
            return PushOutcome::Refused;
        }
        if chunk.is_empty() {
            return PushOutcome::Accepted;
        }
        let mut copy = input.free.pop().unwrap_or_default();
        copy.clear();
        copy.extend_from_slice(chunk);
        input.bytes += copy.len();
        input.chunks.push_back(copy);
        input.queued += 1;
        self.input_changed.notify_one();
        PushOutcome::Accepted
    }

    /// The source broke (an upstream reconnect): the next chunk pushed starts after the break. Repeated marks
    /// before that chunk count once; at most a few are kept (a source that breaks faster has no timeline).
    pub fn mark_discontinuity(&self) {
        let mut input = lock(&self.input);
        let next = input.queued;
        if input.breaks.back() != Some(&next) && input.breaks.len() < MAX_QUEUED_BREAKS {
            input.breaks.push_back(next);
        }
    }

    /// Whether input is waiting behind the chunk being processed.
    fn has_queued_input(&self) -> bool {
        !lock(&self.input).chunks.is_empty()
    }

    /// Starts the end of input; returns false when the pipeline had already ended or failed.
    pub fn close(&self) -> Lifecycle {
        let mut input = lock(&self.input);
        if input.lifecycle == Lifecycle::Open {
            input.lifecycle = Lifecycle::Closing;
            self.input_changed.notify_one();
        }
        input.lifecycle
    }

    pub fn lifecycle(&self) -> Lifecycle {
        lock(&self.input).lifecycle
    }

    fn set_lifecycle(&self, lifecycle: Lifecycle) {
        lock(&self.input).lifecycle = lifecycle;
    }

    /// Stops the thread as soon as possible, without flushing.
    pub fn destroy(&self) {
        self.destroyed.store(true, Ordering::SeqCst);
        let (chunks, free) = {
            let mut input = lock(&self.input);
            if !matches!(input.lifecycle, Lifecycle::Ended | Lifecycle::Failed) {
                input.lifecycle = Lifecycle::Destroyed;
            }
            input.bytes = 0;
            (
                std::mem::take(&mut input.chunks),
                std::mem::take(&mut input.free),
            )
        };
        drop((chunks, free));
        self.input_changed.notify_all();
        self.pending_changed.notify_all();
    }

    pub fn is_destroyed(&self) -> bool {
        self.destroyed.load(Ordering::SeqCst)
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            stats: lock(&self.snapshot).clone(),
            pending: *lock(&self.pending),
        }
    }

    pub fn queued_input_bytes(&self) -> usize {
        lock(&self.input).bytes
    }

    /// Hands back one output credit (called on the JS thread).
    pub fn release(&self) {
        let mut pending = lock(&self.pending);
        *pending = pending.saturating_sub(1);
        self.pending_changed.notify_one();
    }

    /// Hands back the chunk just processed (if any) and waits for the next one; `None` at the end of input
    /// (closing and empty) or when destroyed.
    fn next_chunk(
        &self,
        done: Option<Vec<u8>>,
        alive: &dyn Fn() -> bool,
    ) -> Option<(Vec<u8>, bool, bool)> {
        let mut input = lock(&self.input);
        if let Some(buffer) = done
            && input.free.len() < MAX_FREE_BUFFERS
            && buffer.capacity() <= MAX_FREE_BUFFER_BYTES
        {
            input.free.push(buffer);
        }
        loop {
            if self.is_destroyed() || !alive() {
                return None;
            }
            if let Some(chunk) = input.chunks.pop_front() {
                input.bytes -= chunk.len();
                let drain = input.refused && input.bytes <= self.limits.max_queued_input_bytes / 2;
                if drain {
                    input.refused = false;
                }
                let index = input.taken;
                input.taken += 1;
                let mut after_break = false;
                while input.breaks.front().is_some_and(|&at| at <= index) {
                    after_break = true;
                    input.breaks.pop_front();
                }
                return Some((chunk, drain, after_break));
            }
            if input.lifecycle != Lifecycle::Open {
                return None;
            }
            input = self
                .input_changed
                .wait_timeout(input, LIVENESS_POLL)
                .map_or_else(|p| p.into_inner().0, |r| r.0);
        }
    }

    /// Takes an output credit, waiting while `max_pending_outputs` are out; false when destroyed.
    fn acquire(&self, alive: &dyn Fn() -> bool) -> bool {
        let mut pending = lock(&self.pending);
        loop {
            if self.is_destroyed() || !alive() {
                return false;
            }
            if *pending < self.limits.max_pending_outputs {
                *pending += 1;
                return true;
            }
            pending = self
                .pending_changed
                .wait_timeout(pending, LIVENESS_POLL)
                .map_or_else(|p| p.into_inner().0, |r| r.0);
        }
    }

    /// Waits until every output handed out has finished; false when destroyed.
    fn wait_idle(&self, alive: &dyn Fn() -> bool) -> bool {
        let mut pending = lock(&self.pending);
        loop {
            if self.is_destroyed() || !alive() {
                return false;
            }
            if *pending == 0 {
                return true;
            }
            pending = self
                .pending_changed
                .wait_timeout(pending, LIVENESS_POLL)
                .map_or_else(|p| p.into_inner().0, |r| r.0);
        }
    }
}

/// What happens on the JS thread once the `'end'` event was delivered.
pub type OnEnd = Box<dyn FnOnce(Env, PipelineStats) + Send>;

/// Runs the pipeline until the input ends or the pipeline is destroyed, then gives the thread's freed
/// heap back to the system.
pub fn run(shared: Arc<Shared>, pipeline: Pipeline, output: OutputFn, on_end: OnEnd) {
    run_pipeline(shared, pipeline, output, on_end);
    crate::memory::release_free_heap();
}

fn run_pipeline(shared: Arc<Shared>, mut pipeline: Pipeline, output: OutputFn, on_end: OnEnd) {
    let alive = || !output.aborted();
    let mut failure: Option<String> = None;
    let mut done = None;
    let mut started = false;
    while let Some((chunk, drain, after_break)) = shared.next_chunk(done.take(), &alive) {
        if drain && output.call(Event::Drain, ThreadsafeFunctionCallMode::NonBlocking) != Status::Ok
        {
            return shared.destroy();
        }
        if after_break {
            pipeline.source_break();
        }
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| pipeline.push(&chunk))) {
            failure = Some(panic_message(panic));
            break;
        }
        done = Some(chunk);
        let batching = started
            && !pipeline.has_pending_segment()
            && pipeline.pending_ts_bytes() < TS_BATCH_BYTES
            && shared.has_queued_input();
        if !batching {
            match deliver(&shared, &mut pipeline, &output, &alive) {
                Some(count) => started |= count > 0,
                None => return,
            }
        }
        *lock(&shared.snapshot) = pipeline.stats();
    }
    if shared.is_destroyed() || !alive() {
        return;
    }
    if failure.is_none() {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| pipeline.finish())) {
            failure = Some(panic_message(panic));
        } else if deliver(&shared, &mut pipeline, &output, &alive).is_none() {
            return;
        }
    }
    let stats = pipeline.stats();
    *lock(&shared.snapshot) = stats.clone();
    if let Some(message) = failure {
        shared.set_lifecycle(Lifecycle::Failed);
        let _ = output.call(
            Event::Error {
                code: Code::Failed.as_str(),
                message,
            },
            ThreadsafeFunctionCallMode::NonBlocking,
        );
    }
    if !shared.wait_idle(&alive) {
        return;
    }
    let state = match shared.lifecycle() {
        Lifecycle::Failed => "failed",
        _ => "closed",
    };
    let final_stats = PipelineStats::from_engine(&stats, Some(state), 0, 0);
    let shared_for_end = Arc::clone(&shared);
    output.call_with_return_value(
        Event::End(final_stats.clone()),
        ThreadsafeFunctionCallMode::NonBlocking,
        move |ret, env| {
            if shared_for_end.lifecycle() == Lifecycle::Closing {
                shared_for_end.set_lifecycle(Lifecycle::Ended);
            }
            on_end(env, final_stats);
            ret.map(|_| ())
        },
    );
}

/// Hands every queued output to JS, one credit each; returns how many, or `None` when the pipeline was
/// destroyed meanwhile.
fn deliver(
    shared: &Arc<Shared>,
    pipeline: &mut Pipeline,
    output: &OutputFn,
    alive: &dyn Fn() -> bool,
) -> Option<usize> {
    let mut count = 0;
    while let Some(item) = pipeline.pull() {
        if !shared.acquire(alive) {
            return None;
        }
        let credit = Arc::clone(shared);
        let status = output.call_with_return_value(
            Event::Output(item),
            ThreadsafeFunctionCallMode::NonBlocking,
            move |ret, env| release_when_done(credit, ret, env),
        );
        if status != Status::Ok {
            shared.release();
            shared.destroy();
            return None;
        }
        count += 1;
    }
    Some(count)
}

/// Releases the credit now, or when the promise the callback returned settles. A callback that threw gets its
/// exception back: napi-rs hands it to `napi_fatal_exception`, so it reaches `process.on('uncaughtException')`
/// like any other throw on the JS thread instead of vanishing here.
fn release_when_done(
    credit: Arc<Shared>,
    ret: napi::Result<Unknown<'static>>,
    env: Env,
) -> napi::Result<()> {
    let value = match ret {
        Ok(value) => value,
        Err(thrown) => {
            credit.release();
            return Err(thrown);
        }
    };
    let is_promise = value.get_type().is_ok_and(|t| t == ValueType::Object)
        && value.is_promise().unwrap_or(false);
    if !is_promise {
        credit.release();
        return Ok(());
    }
    let mut promise: PromiseRaw<'_, Unknown<'_>> = PromiseRaw::new(env.raw(), value.raw());
    let settled = Arc::clone(&credit);
    if promise
        .finally(move |_| {
            settled.release();
            Ok(())
        })
        .is_err()
    {
        credit.release();
    }
    Ok(())
}

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    let detail = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into());
    format!("internal error in the pipeline thread: {detail}")
}
