//! `probe()` / `probeSync()`: programs and streams of a transport stream prefix, without decoding.

use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task};
use napi_derive::napi;

use e2gate_core::stream_type::{Codec, StreamType};
use e2gate_engine::{ProbeReport, ProbedProgram, ProbedStream, probe as probe_bytes};

use crate::error::{Code, throw};

/// Largest buffer `probe` inspects; a few seconds of stream are enough.
pub const MAX_PROBE_BYTES: usize = 64 * 1024 * 1024;

#[napi(object)]
pub struct ProbeStream {
    pub pid: u32,
    pub stream_type: u32,
    /// `h264`, `hevc`, `mpeg2video`, `mp2`, `ac3`, `eac3`, `aac`, `aac_latm`, `teletext`, `dvb_subtitle`,
    /// `other`.
    pub codec: String,
    /// `video`, `audio`, `subtitle` or `data`.
    pub kind: String,
    pub language: Option<String>,
    /// ISO 639 audio_type (3: audio description).
    pub audio_type: u32,
    pub channels: Option<u32>,
    pub sample_rate: Option<u32>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub interlaced: Option<bool>,
    /// Frames per second, from the parameter sets when they carry timing.
    pub frame_rate: Option<f64>,
    pub profile: Option<u32>,
    pub level: Option<u32>,
    /// Scrambled packets were seen on this PID.
    pub scrambled: bool,
}

#[napi(object)]
pub struct ProbeProgram {
    /// program_number, the DVB service id.
    pub service_id: u32,
    pub pmt_pid: u32,
    /// False when the PAT lists the program but its PMT was not in the buffer.
    pub pmt_seen: bool,
    pub pcr_pid: Option<u32>,
    pub streams: Vec<ProbeStream>,
}

#[napi(object)]
pub struct ProbeResult {
    pub transport_stream_id: Option<u32>,
    pub packets: i64,
    pub programs: Vec<ProbeProgram>,
}

fn kind(codec: Codec, stream_type: StreamType) -> &'static str {
    match codec {
        Codec::Video(_) => "video",
        Codec::Audio(_) => "audio",
        Codec::Teletext | Codec::DvbSubtitle => "subtitle",
        Codec::Other if stream_type == StreamType::PRIVATE_SECTIONS => "data",
        Codec::Other => "data",
    }
}

fn stream(s: &ProbedStream) -> ProbeStream {
    ProbeStream {
        pid: u32::from(s.pid.value()),
        stream_type: u32::from(s.stream_type.0),
        codec: s.codec.name().to_string(),
        kind: kind(s.codec, s.stream_type).to_string(),
        language: s.language.map(|l| l.as_str().to_string()),
        audio_type: u32::from(s.audio_type.0),
        channels: s.channels.map(u32::from),
        sample_rate: s.sample_rate,
        width: s.video.map(|v| v.width),
        height: s.video.map(|v| v.height),
        interlaced: s.video.and_then(|v| v.interlaced),
        frame_rate: s
            .video
            .and_then(|v| v.frame_rate)
            .map(|(n, d)| f64::from(n) / f64::from(d.max(1))),
        profile: s.video.and_then(|v| v.profile).map(u32::from),
        level: s.video.and_then(|v| v.level).map(u32::from),
        scrambled: s.scrambled,
    }
}

fn program(p: &ProbedProgram) -> ProbeProgram {
    ProbeProgram {
        service_id: u32::from(p.program_number),
        pmt_pid: u32::from(p.pmt_pid.value()),
        pmt_seen: p.pcr_pid.is_some(),
        pcr_pid: p.pcr_pid.map(|pid| u32::from(pid.value())),
        streams: p.streams.iter().map(stream).collect(),
    }
}

fn result(report: &ProbeReport) -> ProbeResult {
    ProbeResult {
        transport_stream_id: report.transport_stream_id.map(u32::from),
        packets: report.packets as i64,
        programs: report.programs.iter().map(program).collect(),
    }
}

fn check_size(env: &Env, len: usize) -> napi::Result<()> {
    if len > MAX_PROBE_BYTES {
        return Err(throw(
            env,
            Code::LimitExceeded,
            format!("probe inspects at most {MAX_PROBE_BYTES} bytes, got {len}"),
        ));
    }
    Ok(())
}

/// Lists the programs and streams of a transport stream prefix (codec, PID, language, channels, sample
/// rate, resolution, interlacing) without decoding. A buffer without a PAT yields no programs. Throws
/// `ERR_NATIVE_LIMIT_EXCEEDED` above 64 MiB. Runs on the calling thread; see `probe` for the async form.
#[napi(catch_unwind)]
pub fn probe_sync(env: Env, data: &[u8]) -> napi::Result<ProbeResult> {
    check_size(&env, data.len())?;
    Ok(result(&probe_bytes(data)))
}

pub struct ProbeTask {
    data: Vec<u8>,
}

#[napi]
impl Task for ProbeTask {
    type Output = ProbeReport;
    type JsValue = ProbeResult;

    fn compute(&mut self) -> napi::Result<ProbeReport> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| probe_bytes(&self.data)))
            .map_err(napi::bindgen_prelude::panic_to_error)
    }

    fn resolve(&mut self, _env: Env, report: ProbeReport) -> napi::Result<ProbeResult> {
        Ok(result(&report))
    }
}

/// `probeSync` on a copy of the buffer, off the JS thread (a short task on libuv's pool).
#[napi(catch_unwind)]
pub fn probe(env: Env, data: Buffer) -> napi::Result<AsyncTask<ProbeTask>> {
    check_size(&env, data.len())?;
    Ok(AsyncTask::new(ProbeTask {
        data: data.to_vec(),
    }))
}
