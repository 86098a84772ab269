//! e2gate's pure media core: MPEG-TS in, MPEG-TS and HLS segments out.
//!
//! Design principles
//! - **No I/O, no threads, no clock, no logging.** Byte slices in, owned buffers out; wall-clock values are
//!   passed in by the caller. Anomalies are typed [`warning::Warning`]s, never log lines or panics.
//! - **Layout follows ISO/IEC 13818-1**: [`packet`], [`pes`], [`psi`], [`descriptor`], [`demux`]; elementary
//!   streams in [`es`] (video) and [`audio`]; output in [`mux`], [`segmenter`], [`playlist`]; RFC 6381
//!   `codecs` strings in [`codecs`].
//! - **Types follow the spec**: [`packet::Pid`], [`packet::ContinuityCounter`], 33-bit
//!   [`timestamp::Timestamp`]s that are unwrapped onto a 64-bit [`timestamp::MediaTime`] line as soon as
//!   they are read.
//! - **Push/pull streaming**: `push(&[u8])` then `pull()` until `None`; every buffer has a bound
//!   (`MAX_PES_SIZE`, `MAX_SECTION_SIZE`, `MAX_FRAMER_BUFFER`, `MAX_SEGMENT_BYTES`) and exceeding it is a
//!   counted warning, not growth.
//! - **Hostile input never panics**: checked arithmetic and slice `get`s on every parser path; the fuzz
//!   targets in `native/fuzz` cover the demultiplexer, the elementary-stream parsers and mux→demux.
//!
//! Known debts: subtitles and teletext are not forwarded; multi-section PATs are merged per section only;
//! PCR is derived from DTS (variable-rate output) rather than scheduled against a mux rate.

#![forbid(unsafe_code)]

pub mod audio;
pub mod bits;
pub mod codecs;
pub mod crc32;
pub mod demux;
pub mod descriptor;
pub mod es;
pub mod mux;
pub mod packet;
pub mod pes;
pub mod playlist;
pub mod probe;
pub mod psi;
pub mod segmenter;
pub mod stream_type;
pub mod sync;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
pub mod timestamp;
pub mod warning;
