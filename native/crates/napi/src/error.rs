//! Stable error codes. Every error this binding throws is a JS `Error` whose `code` is one of these;
//! napi's own argument errors (wrong JS types) keep napi's codes (`InvalidArg`, `NumberExpected`, …).

use napi::{Env, JsError, Status};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// An option is missing, of the wrong kind or out of range; the message names it.
    InvalidOptions,
    /// The pipeline was closed or destroyed; it takes no more input.
    Closed,
    /// The pipeline's thread failed (an internal error was caught); it takes no more input.
    Failed,
    /// An input is larger than the binding accepts.
    LimitExceeded,
    /// The pipeline thread could not be started.
    Thread,
    /// A video encoder backend was asked for by name and does not work on this machine; the message says why.
    EncoderUnavailable,
    /// A file given to the engine cannot be read as media (no audio or video stream, not a transport stream).
    InvalidInput,
    /// Writing an output file failed (disk full, permissions).
    Io,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidOptions => "ERR_NATIVE_INVALID_OPTIONS",
            Code::Closed => "ERR_NATIVE_CLOSED",
            Code::Failed => "ERR_NATIVE_FAILED",
            Code::LimitExceeded => "ERR_NATIVE_LIMIT_EXCEEDED",
            Code::Thread => "ERR_NATIVE_THREAD",
            Code::EncoderUnavailable => "ERR_NATIVE_ENCODER_UNAVAILABLE",
            Code::InvalidInput => "ERR_NATIVE_INVALID_INPUT",
            Code::Io => "ERR_NATIVE_IO",
        }
    }
}

/// An error value with a stable code, for values handed to JS (not thrown).
pub fn error(code: Code, message: impl Into<String>) -> napi::Error<&'static str> {
    napi::Error::new(code.as_str(), message.into())
}

/// Throws a JS `Error` with `code` set and returns the marker that tells napi-rs the exception is
/// already pending (so it does not throw a second, generic one).
pub fn throw(env: &Env, code: Code, message: impl Into<String>) -> napi::Error {
    let message = message.into();
    let value = JsError::from(error(code, message.clone())).into_unknown(*env);
    let _ = env.throw(value);
    napi::Error::new(Status::PendingException, message)
}
