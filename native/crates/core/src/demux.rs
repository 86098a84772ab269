//! The demultiplexer: follows one program of a transport stream and yields its video access units and
//! audio frames on the unwrapped timeline, plus typed warnings for everything it had to drop.
//!
//! Contract: [`Demuxer::push`] takes any number of bytes (packets may straddle calls) and queues events;
//! [`Demuxer::pull`] hands them out in stream order. Call `pull` until `None` after every `push` — the queue
//! then never holds more than what one input chunk produced. [`Demuxer::finish`] flushes partial PES.
//!
//! The program is chosen by service id (`program_number`); without one, the first program whose PMT arrives
//! is followed (Enigma2 receivers list the whole transponder in the PAT but send a single PMT).

use std::collections::VecDeque;

use crate::audio::{AudioFrame, AudioFramer};
use crate::descriptor::{AudioType, Language};
use crate::es::{self, AccessUnitInfo};
use crate::packet::{ContinuityCounter, PACKET_SIZE, Packet, Pid};
use crate::pes::{PesAssembler, PesError, PesPacket};
use crate::psi::{Pat, Pmt, Section, SectionAssembler, SectionError};
use crate::stream_type::{AudioCodec, Codec, StreamType, VideoCodec};
use crate::sync::PacketSync;
use crate::timestamp::{CLOCK_90K, FrameStep, MediaTime, Pcr, Unwrapper};
use crate::warning::{Warning, WarningKind};

/// Bytes compared to tell a duplicate packet (§2.4.3.3: sent twice, identical) from a counter that wrapped
/// after exactly 16 lost packets or a restarted source.
const DUPLICATE_PREFIX: usize = 24;

/// Which program to follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProgramSelector {
    /// The first program whose PMT arrives.
    #[default]
    First,
    /// The program with this program_number (DVB service id).
    ServiceId(u16),
}

/// An elementary stream of the followed program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamInfo {
    pub pid: Pid,
    pub stream_type: StreamType,
    pub codec: Codec,
    pub language: Option<Language>,
    pub audio_type: AudioType,
    /// ES_info descriptors as received.
    pub descriptors: Vec<u8>,
}

/// The followed program as its current PMT describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramInfo {
    pub program_number: u16,
    pub pmt_pid: Pid,
    pub pcr_pid: Pid,
    pub version: u8,
    pub streams: Vec<StreamInfo>,
}

impl ProgramInfo {
    fn from_pmt(pmt: &Pmt, pmt_pid: Pid) -> Self {
        let streams = pmt
            .streams
            .iter()
            .map(|es| {
                let (language, audio_type) = es
                    .language()
                    .map_or((None, AudioType::UNDEFINED), |(l, t)| (Some(l), t));
                StreamInfo {
                    pid: es.elementary_pid,
                    stream_type: es.stream_type,
                    codec: es.codec(),
                    language,
                    audio_type,
                    descriptors: es.descriptors.clone(),
                }
            })
            .collect();
        ProgramInfo {
            program_number: pmt.program_number,
            pmt_pid,
            pcr_pid: pmt.pcr_pid,
            version: pmt.version_number,
            streams,
        }
    }

    /// Whether both describe the same elementary streams (PID, codec, language, audio type): differences
    /// elsewhere (version, PCR PID, other descriptors) do not change what is demultiplexed.
    pub fn same_streams(&self, other: &ProgramInfo) -> bool {
        let key = |s: &StreamInfo| (s.pid, s.codec, s.language, s.audio_type);
        self.streams.len() == other.streams.len()
            && self
                .streams
                .iter()
                .map(key)
                .eq(other.streams.iter().map(key))
    }

    /// The first video stream (the engine copies one video stream).
    pub fn video(&self) -> Option<&StreamInfo> {
        self.streams
            .iter()
            .find(|s| matches!(s.codec, Codec::Video(_)))
    }

    pub fn audio(&self) -> impl Iterator<Item = &StreamInfo> {
        self.streams
            .iter()
            .filter(|s| matches!(s.codec, Codec::Audio(_)))
    }
}

/// One video access unit (one PES).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VideoUnit {
    pub pid: Pid,
    pub codec: VideoCodec,
    pub pts: MediaTime,
    pub dts: MediaTime,
    pub data: Vec<u8>,
    pub info: AccessUnitInfo,
}

/// One audio frame with a known presentation time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudioUnit {
    pub pid: Pid,
    pub codec: AudioCodec,
    pub pts: MediaTime,
    pub frame: AudioFrame,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DemuxEvent {
    /// The followed program was found or its PMT changed.
    Program(ProgramInfo),
    Video(VideoUnit),
    Audio(AudioUnit),
    Warning(Warning),
}

/// Counters of what went through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DemuxCounters {
    pub bytes: u64,
    pub packets: u64,
    pub continuity_errors: u64,
}

#[derive(Debug)]
enum EsKind {
    Video {
        codec: VideoCodec,
        frames: FrameStep,
    },
    Audio(Box<AudioFramer>),
}

#[derive(Debug)]
struct EsState {
    kind: EsKind,
    pes: PesAssembler,
}

#[derive(Debug, Default, Clone, Copy)]
enum PidRole {
    #[default]
    Ignored,
    Pat,
    Pmt,
    Es,
}

/// Follows one program of a transport stream. See the module documentation for the contract.
pub struct Demuxer {
    selector: ProgramSelector,
    sync: PacketSync,
    roles: Vec<PidRole>,
    /// Per PID: the last continuity counter and the first bytes of that packet (to recognise duplicates).
    last_cc: Vec<Option<(ContinuityCounter, [u8; DUPLICATE_PREFIX])>>,
    sections: Vec<(Pid, SectionAssembler)>,
    pmt_pids: Vec<(u16, Pid)>,
    program: Option<ProgramInfo>,
    streams: Vec<(Pid, EsState)>,
    unwrapper: Unwrapper,
    last_pcr: Option<Pcr>,
    reported_missing: Option<u8>,
    events: VecDeque<DemuxEvent>,
    counters: DemuxCounters,
    pes_out: Vec<Result<PesPacket, PesError>>,
    section_out: Vec<Result<Section, SectionError>>,
}

impl Demuxer {
    pub fn new(selector: ProgramSelector) -> Self {
        let mut roles = vec![PidRole::Ignored; usize::from(Pid::MAX) + 1];
        roles[0] = PidRole::Pat;
        Demuxer {
            selector,
            sync: PacketSync::new(),
            roles,
            last_cc: vec![None; usize::from(Pid::MAX) + 1],
            sections: Vec::new(),
            pmt_pids: Vec::new(),
            program: None,
            streams: Vec::new(),
            unwrapper: Unwrapper::new(),
            last_pcr: None,
            reported_missing: None,
            events: VecDeque::new(),
            counters: DemuxCounters::default(),
            pes_out: Vec::new(),
            section_out: Vec::new(),
        }
    }

    pub fn counters(&self) -> DemuxCounters {
        self.counters
    }

    pub fn program(&self) -> Option<&ProgramInfo> {
        self.program.as_ref()
    }

    /// Feeds bytes of the transport stream.
    pub fn push(&mut self, bytes: &[u8]) {
        self.counters.bytes += bytes.len() as u64;
        let mut sync = std::mem::take(&mut self.sync);
        let report = sync.feed(bytes, |packet| self.packet(packet));
        self.sync = sync;
        if report.skipped_bytes > 0 {
            self.warn(WarningKind::SyncLost, None);
        }
    }

    /// Flushes PES packets and audio frames still in progress (end of input).
    pub fn finish(&mut self) {
        for index in 0..self.streams.len() {
            let mut out = std::mem::take(&mut self.pes_out);
            self.streams[index].1.pes.flush(&mut out);
            self.deliver_pes(index, &mut out);
            self.pes_out = out;
            let pid = self.streams[index].0;
            if let EsKind::Audio(framer) = &mut self.streams[index].1.kind {
                framer.flush();
                let codec = framer.codec();
                let frames: Vec<AudioFrame> = std::iter::from_fn(|| framer.pull()).collect();
                self.deliver_audio(pid, codec, frames);
            }
        }
    }

    pub fn pull(&mut self) -> Option<DemuxEvent> {
        self.events.pop_front()
    }

    fn warn(&mut self, kind: WarningKind, pid: Option<Pid>) {
        self.events
            .push_back(DemuxEvent::Warning(Warning::new(kind, pid)));
    }

    fn packet(&mut self, bytes: &[u8; PACKET_SIZE]) {
        self.counters.packets += 1;
        let Some(packet) = Packet::new(bytes) else {
            return;
        };
        let pid = packet.pid();
        let role = self.roles[usize::from(pid.value())];
        if matches!(role, PidRole::Ignored) && Some(pid) != self.program.as_ref().map(|p| p.pcr_pid)
        {
            return;
        }
        if packet.transport_error_indicator() {
            self.warn(WarningKind::TransportError, Some(pid));
            return;
        }
        let adaptation = packet.adaptation_field();
        let discontinuity = adaptation.is_some_and(|af| af.discontinuity_indicator());
        if let Some(pcr) = adaptation.and_then(|af| af.pcr())
            && Some(pid) == self.program.as_ref().map(|p| p.pcr_pid)
        {
            self.check_pcr(pcr, discontinuity, pid);
        }
        if !packet.has_payload() {
            return;
        }
        if !self.check_continuity(&packet, discontinuity) {
            return; // duplicate packet
        }
        let Some(payload) = packet.payload() else {
            return;
        };
        match role {
            PidRole::Ignored => {}
            PidRole::Pat | PidRole::Pmt => {
                self.psi_payload(pid, payload, packet.payload_unit_start_indicator())
            }
            PidRole::Es => {
                if packet.transport_scrambling_control().is_scrambled() {
                    self.warn(WarningKind::Scrambled, Some(pid));
                    self.interrupt_es(pid);
                    return;
                }
                let random_access = adaptation.is_some_and(|af| af.random_access_indicator());
                self.es_payload(
                    pid,
                    payload,
                    packet.payload_unit_start_indicator(),
                    random_access,
                    discontinuity,
                );
            }
        }
    }

    /// Returns false for a duplicate packet (same counter and same bytes, sent twice per §2.4.3.3), which is
    /// dropped.
    fn check_continuity(&mut self, packet: &Packet<'_>, discontinuity: bool) -> bool {
        let pid = packet.pid();
        let cc = packet.continuity_counter();
        let mut prefix = [0u8; DUPLICATE_PREFIX];
        prefix.copy_from_slice(&packet.bytes()[4..4 + DUPLICATE_PREFIX]);
        let previous = self.last_cc[usize::from(pid.value())].replace((cc, prefix));
        match previous {
            Some((last, last_prefix)) if last == cc && last_prefix == prefix && !discontinuity => {
                false
            }
            Some((last, _)) if last.next() != cc && !discontinuity => {
                self.counters.continuity_errors += 1;
                self.warn(WarningKind::ContinuityError, Some(pid));
                self.interrupt_pid(pid);
                true
            }
            _ => true,
        }
    }

    fn check_pcr(&mut self, pcr: Pcr, discontinuity: bool, pid: Pid) {
        if let Some(last) = self.last_pcr.replace(pcr)
            && !discontinuity
        {
            let step = pcr.base.wrapping_delta(last.base);
            if !(0..=CLOCK_90K).contains(&step) {
                self.warn(WarningKind::PcrDiscontinuity, Some(pid));
            }
        }
    }

    fn interrupt_pid(&mut self, pid: Pid) {
        match self.roles[usize::from(pid.value())] {
            PidRole::Pat | PidRole::Pmt => {
                if let Some((_, assembler)) = self.sections.iter_mut().find(|(p, _)| *p == pid) {
                    assembler.interrupt();
                }
            }
            PidRole::Es => self.interrupt_es(pid),
            PidRole::Ignored => {}
        }
    }

    fn interrupt_es(&mut self, pid: Pid) {
        let Some(index) = self.streams.iter().position(|(p, _)| *p == pid) else {
            return;
        };
        let state = &mut self.streams[index].1;
        let dropped = state.pes.interrupt();
        if let EsKind::Audio(framer) = &mut state.kind {
            framer.reset();
        }
        if dropped {
            self.warn(WarningKind::PesInterrupted, Some(pid));
        }
    }

    fn psi_payload(&mut self, pid: Pid, payload: &[u8], start: bool) {
        let index = match self.sections.iter().position(|(p, _)| *p == pid) {
            Some(i) => i,
            None => {
                self.sections.push((pid, SectionAssembler::new()));
                self.sections.len() - 1
            }
        };
        let mut out = std::mem::take(&mut self.section_out);
        self.sections[index].1.push(payload, start, &mut out);
        for result in out.drain(..) {
            match result {
                Ok(section) => self.section(pid, &section),
                Err(SectionError::Crc) => self.warn(WarningKind::PsiCrc, Some(pid)),
                Err(SectionError::Malformed | SectionError::Interrupted) => {
                    self.warn(WarningKind::PsiMalformed, Some(pid))
                }
            }
        }
        self.section_out = out;
    }

    fn section(&mut self, pid: Pid, section: &Section) {
        if !section.current_next_indicator() {
            return;
        }
        if pid == Pid::PAT {
            match Pat::from_section(section) {
                Some(pat) => self.pat(&pat),
                None => self.warn(WarningKind::PsiMalformed, Some(pid)),
            }
            return;
        }
        match Pmt::from_section(section) {
            Some(pmt) => self.pmt(pid, &pmt),
            None if section.table_id() == crate::psi::table_id::PMT => {
                self.warn(WarningKind::PsiMalformed, Some(pid))
            }
            None => {}
        }
    }

    fn pat(&mut self, pat: &Pat) {
        let wanted: Vec<(u16, Pid)> = pat
            .programs
            .iter()
            .filter(|e| match self.selector {
                ProgramSelector::First => true,
                ProgramSelector::ServiceId(id) => e.program_number == id,
            })
            .map(|e| (e.program_number, e.program_map_pid))
            .collect();
        if wanted.is_empty() && self.reported_missing != Some(pat.version_number) {
            self.reported_missing = Some(pat.version_number);
            self.warn(WarningKind::ProgramMissing, None);
        }
        if self.selector == ProgramSelector::First
            && let Some(current) = self.program.as_ref()
            && !wanted
                .iter()
                .any(|(number, _)| *number == current.program_number)
        {
            // Following "the first program" and it is gone (the source switched services): follow the next
            // PMT that arrives instead.
            self.program = None;
            self.warn(WarningKind::ProgramChanged, None);
        }
        for (_, pid) in &self.pmt_pids {
            if matches!(self.roles[usize::from(pid.value())], PidRole::Pmt) {
                self.roles[usize::from(pid.value())] = PidRole::Ignored;
            }
        }
        for (_, pid) in &wanted {
            if matches!(self.roles[usize::from(pid.value())], PidRole::Ignored) {
                self.roles[usize::from(pid.value())] = PidRole::Pmt;
            }
        }
        self.pmt_pids = wanted;
    }

    fn pmt(&mut self, pid: Pid, pmt: &Pmt) {
        let followed = match (&self.program, self.selector) {
            (Some(program), _) => program.program_number == pmt.program_number,
            (None, ProgramSelector::ServiceId(id)) => pmt.program_number == id,
            (None, ProgramSelector::First) => self
                .pmt_pids
                .iter()
                .any(|(n, p)| *n == pmt.program_number && *p == pid),
        };
        if !followed {
            return;
        }
        let info = ProgramInfo::from_pmt(pmt, pid);
        if self
            .program
            .as_ref()
            .is_some_and(|current| current.same_streams(&info))
        {
            // Version bumps for CA descriptors or richer AC-3 descriptors change nothing downstream.
            self.program = Some(info);
            return;
        }
        if self.program.is_some() {
            self.warn(WarningKind::ProgramChanged, Some(pid));
        }
        self.apply_program(&info);
        self.program = Some(info.clone());
        self.events.push_back(DemuxEvent::Program(info));
    }

    /// Sets up per-stream state for a (new or changed) program; streams that keep PID and codec keep
    /// their reassembly state.
    fn apply_program(&mut self, info: &ProgramInfo) {
        let mut old = std::mem::take(&mut self.streams);
        for (pid, _) in &old {
            self.roles[usize::from(pid.value())] = PidRole::Ignored;
        }
        for stream in &info.streams {
            let kind = match stream.codec {
                Codec::Video(codec) => EsKind::Video {
                    codec,
                    frames: FrameStep::default(),
                },
                Codec::Audio(codec) => EsKind::Audio(Box::new(AudioFramer::new(codec))),
                _ => continue,
            };
            if matches!(
                self.roles[usize::from(stream.pid.value())],
                PidRole::Pat | PidRole::Pmt
            ) {
                continue; // a PID cannot be both PSI and ES
            }
            let kept = old
                .iter()
                .position(|(pid, state)| *pid == stream.pid && same_codec(&state.kind, &kind));
            let state = match kept {
                Some(i) => old.swap_remove(i).1,
                None => EsState {
                    kind,
                    pes: PesAssembler::new(),
                },
            };
            self.roles[usize::from(stream.pid.value())] = PidRole::Es;
            self.streams.push((stream.pid, state));
        }
    }

    fn es_payload(
        &mut self,
        pid: Pid,
        payload: &[u8],
        start: bool,
        random_access: bool,
        discontinuity: bool,
    ) {
        let Some(index) = self.streams.iter().position(|(p, _)| *p == pid) else {
            return;
        };
        let mut out = std::mem::take(&mut self.pes_out);
        self.streams[index]
            .1
            .pes
            .push(payload, start, random_access, discontinuity, &mut out);
        self.deliver_pes(index, &mut out);
        self.pes_out = out;
    }

    fn deliver_pes(&mut self, index: usize, out: &mut Vec<Result<PesPacket, PesError>>) {
        let pid = self.streams[index].0;
        for result in out.drain(..) {
            let pes = match result {
                Ok(pes) => pes,
                Err(PesError::Malformed) => {
                    self.warn(WarningKind::PesMalformed, Some(pid));
                    continue;
                }
                Err(PesError::LimitExceeded) => {
                    self.warn(WarningKind::PesTooLarge, Some(pid));
                    continue;
                }
                Err(PesError::Interrupted) => {
                    self.warn(WarningKind::PesInterrupted, Some(pid));
                    continue;
                }
            };
            let pts = pes.header.pts.map(|t| self.unwrapper.unwrap(t));
            let dts = pes.header.dts.map(|t| self.unwrapper.unwrap(t));
            match &mut self.streams[index].1.kind {
                EsKind::Video { codec, frames } => {
                    let codec = *codec;
                    let (pts, dts) = match (pts, dts) {
                        (Some(pts), dts) => (pts, dts.unwrap_or(pts)),
                        // No timestamp: continue at the last frame step (allowed by H.222 for video).
                        (None, _) => match frames.next() {
                            Some(guess) => (guess, guess),
                            None => {
                                self.warn(WarningKind::MissingTimestamp, Some(pid));
                                continue;
                            }
                        },
                    };
                    frames.observe(dts);
                    let info = es::inspect(codec, &pes.payload);
                    self.events.push_back(DemuxEvent::Video(VideoUnit {
                        pid,
                        codec,
                        pts,
                        dts,
                        data: pes.payload,
                        info,
                    }));
                }
                EsKind::Audio(framer) => {
                    framer.push(&pes.payload, pts);
                    let codec = framer.codec();
                    let report = framer.take_report();
                    let frames: Vec<AudioFrame> = std::iter::from_fn(|| framer.pull()).collect();
                    if report.skipped_bytes > 0 {
                        self.warn(WarningKind::AudioResync, Some(pid));
                    }
                    if report.overflowed {
                        self.warn(WarningKind::BufferOverflow, Some(pid));
                    }
                    self.deliver_audio(pid, codec, frames);
                }
            }
        }
    }

    fn deliver_audio(&mut self, pid: Pid, codec: AudioCodec, frames: Vec<AudioFrame>) {
        for frame in frames {
            match frame.pts {
                Some(pts) => self.events.push_back(DemuxEvent::Audio(AudioUnit {
                    pid,
                    codec,
                    pts,
                    frame,
                })),
                None => self.warn(WarningKind::MissingTimestamp, Some(pid)),
            }
        }
    }
}

fn same_codec(a: &EsKind, b: &EsKind) -> bool {
    match (a, b) {
        (EsKind::Video { codec: x, .. }, EsKind::Video { codec: y, .. }) => x == y,
        (EsKind::Audio(x), EsKind::Audio(y)) => x.codec() == y.codec(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mux::{MuxConfig, Muxer, PMT_PID};
    use crate::packet::{PACKET_SIZE, PacketHeader, write_packet};
    use crate::psi::{PatEntry, packetize_section, write_pat};
    use crate::testing::h264::{Sps, access_unit, slice};
    use crate::testing::mux::h264_with_mpeg_audio;
    use crate::timestamp::TIMESTAMP_MODULUS;

    fn config(program_number: u16) -> MuxConfig {
        h264_with_mpeg_audio(program_number, "deu", AudioType::UNDEFINED)
    }

    /// A slice padded to ~1 KB so an access unit spans several packets.
    fn big_slice(slice_type: u32) -> Vec<u8> {
        let mut nal = slice(1, 0, slice_type);
        nal.extend(std::iter::repeat_n(0xAB, 1000));
        nal
    }

    fn keyframe() -> Vec<u8> {
        access_unit(&[
            vec![0x09, 0xF0],
            Sps::hd720().nal(),
            vec![0x68, 0xCE, 0x38],
            big_slice(7),
        ])
    }

    fn p_frame() -> Vec<u8> {
        access_unit(&[vec![0x09, 0xF0], big_slice(5)])
    }

    /// `frames` video frames at 25 fps from `start` (keyframe every 12) with MP2 audio alongside.
    fn stream(muxer: &mut Muxer, start: i64, frames: i64) -> Vec<u8> {
        let mut out = Vec::new();
        muxer.write_tables(&mut out);
        let mp2 = crate::testing::audio::mpa_frame(2, 9, 1, false);
        let mut audio_t = start;
        for i in 0..frames {
            let t = MediaTime(start + i * 3600);
            let au = if i % 12 == 0 { keyframe() } else { p_frame() };
            muxer.write_pes(&mut out, 0, t, t.saturating_add(-3600), &au, i % 12 == 0);
            while audio_t < t.ticks() + 3600 {
                muxer.write_pes(
                    &mut out,
                    1,
                    MediaTime(audio_t),
                    MediaTime(audio_t),
                    &mp2,
                    true,
                );
                audio_t += 2160;
            }
        }
        out
    }

    fn run(demuxer: &mut Demuxer, input: &[u8], chunk: usize) -> Vec<DemuxEvent> {
        let mut events = Vec::new();
        for piece in input.chunks(chunk) {
            demuxer.push(piece);
            events.extend(std::iter::from_fn(|| demuxer.pull()));
        }
        demuxer.finish();
        events.extend(std::iter::from_fn(|| demuxer.pull()));
        events
    }

    fn videos(events: &[DemuxEvent]) -> Vec<&VideoUnit> {
        events
            .iter()
            .filter_map(|e| {
                if let DemuxEvent::Video(v) = e {
                    Some(v)
                } else {
                    None
                }
            })
            .collect()
    }

    fn audios(events: &[DemuxEvent]) -> Vec<&AudioUnit> {
        events
            .iter()
            .filter_map(|e| {
                if let DemuxEvent::Audio(a) = e {
                    Some(a)
                } else {
                    None
                }
            })
            .collect()
    }

    fn warnings(events: &[DemuxEvent], kind: WarningKind) -> usize {
        events
            .iter()
            .filter(|e| matches!(e, DemuxEvent::Warning(w) if w.kind == kind))
            .count()
    }

    #[test]
    fn mux_then_demux_returns_what_went_in() {
        let mut muxer = Muxer::new(config(4911));
        let ts = stream(&mut muxer, 900_000, 50);
        for chunk in [188, 1000, 65_536] {
            let events = run(&mut Demuxer::new(ProgramSelector::First), &ts, chunk);
            let DemuxEvent::Program(program) = &events[0] else {
                panic!("program first: {:?}", events[0])
            };
            assert_eq!(program.program_number, 4911);
            assert_eq!(
                program.audio().next().unwrap().language.unwrap().as_str(),
                "deu"
            );
            let video = videos(&events);
            assert_eq!(video.len(), 50);
            assert!(
                video
                    .iter()
                    .enumerate()
                    .all(|(i, v)| v.info.keyframe == (i % 12 == 0))
            );
            assert!(
                video
                    .iter()
                    .enumerate()
                    .all(|(i, v)| v.pts == MediaTime(900_000 + i as i64 * 3600))
            );
            assert_eq!(video[1].dts, MediaTime(900_000));
            assert_eq!(video[3].data, p_frame());
            let audio = audios(&events);
            assert!(audio.len() >= 80);
            assert!(
                audio
                    .iter()
                    .enumerate()
                    .all(|(i, a)| a.pts == MediaTime(900_000 + i as i64 * 2160))
            );
            assert_eq!(
                events
                    .iter()
                    .filter(|e| matches!(e, DemuxEvent::Warning(_)))
                    .count(),
                0,
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn follows_the_requested_service_when_the_pat_lists_the_transponder() {
        let mut ts = Vec::new();
        let programs: Vec<PatEntry> = (4900..4920)
            .map(|n| PatEntry {
                program_number: n,
                program_map_pid: if n == 4911 {
                    PMT_PID
                } else {
                    Pid::new(n - 4800)
                },
            })
            .collect();
        packetize_section(
            &mut ts,
            Pid::PAT,
            &mut ContinuityCounter::new(5),
            &write_pat(1, 0, &programs),
        );
        let mut muxer = Muxer::new(config(4911));
        let body = stream(&mut muxer, 0, 24);
        ts.extend_from_slice(&body[2 * PACKET_SIZE..]); // drop the muxer's own PAT and PMT
        let mut muxer = Muxer::new(config(4911));
        let mut tables = Vec::new();
        muxer.write_tables(&mut tables);
        ts.extend_from_slice(&tables[PACKET_SIZE..]); // the PMT arrives later
        ts.extend_from_slice(&body[2 * PACKET_SIZE..]);

        let events = run(
            &mut Demuxer::new(ProgramSelector::ServiceId(4911)),
            &ts,
            4096,
        );
        assert!(
            matches!(events.iter().find(|e| matches!(e, DemuxEvent::Program(_))), Some(DemuxEvent::Program(p)) if p.program_number == 4911)
        );
        assert_eq!(videos(&events).len(), 24);

        let missing = run(&mut Demuxer::new(ProgramSelector::ServiceId(1)), &ts, 4096);
        assert_eq!(warnings(&missing, WarningKind::ProgramMissing), 1);
        assert!(videos(&missing).is_empty());
    }

    #[test]
    fn lost_and_scrambled_packets_are_warnings_and_drop_only_their_pes() {
        let mut muxer = Muxer::new(config(1));
        let ts = stream(&mut muxer, 0, 48);
        let mut damaged = Vec::new();
        let mut video_packets = 0;
        for packet in ts.chunks(PACKET_SIZE) {
            let pid = (u16::from(packet[1] & 0x1F) << 8) | u16::from(packet[2]);
            if pid == 0x100 {
                video_packets += 1;
                if video_packets == 10 {
                    continue; // lost packet
                }
                if video_packets == 20 {
                    let mut scrambled = packet.to_vec();
                    scrambled[3] = (scrambled[3] & 0x3F) | 0x80;
                    damaged.extend_from_slice(&scrambled);
                    continue;
                }
            }
            damaged.extend_from_slice(packet);
        }
        let events = run(&mut Demuxer::new(ProgramSelector::First), &damaged, 65_536);
        assert_eq!(warnings(&events, WarningKind::ContinuityError), 1);
        assert_eq!(warnings(&events, WarningKind::Scrambled), 1);
        assert_eq!(warnings(&events, WarningKind::PesInterrupted), 2);
        assert_eq!(videos(&events).len(), 46);
    }

    #[test]
    fn a_duplicated_packet_is_dropped_silently() {
        let mut muxer = Muxer::new(config(1));
        let ts = stream(&mut muxer, 0, 24);
        let mut doubled = Vec::new();
        for (index, packet) in ts.chunks(PACKET_SIZE).enumerate() {
            doubled.extend_from_slice(packet);
            if index == 40 {
                doubled.extend_from_slice(packet); // §2.4.3.3: sent twice, same counter, same bytes
            }
        }
        let events = run(&mut Demuxer::new(ProgramSelector::First), &doubled, 65_536);
        assert_eq!(
            events
                .iter()
                .filter(|e| matches!(e, DemuxEvent::Warning(_)))
                .count(),
            0
        );
        assert_eq!(videos(&events).len(), 24);
    }

    #[test]
    fn pmt_change_is_reported_and_applied() {
        let mut muxer = Muxer::new(config(1));
        let mut ts = stream(&mut muxer, 0, 24);
        let mut radio = config(1);
        radio.streams.remove(0);
        radio.pcr_pid = Pid::new(0x101);
        muxer.reconfigure(radio);
        ts.extend(stream(&mut muxer, 24 * 3600, 24));
        let events = run(&mut Demuxer::new(ProgramSelector::First), &ts, 65_536);
        let programs: Vec<&ProgramInfo> = events
            .iter()
            .filter_map(|e| {
                if let DemuxEvent::Program(p) = e {
                    Some(p)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(programs.len(), 2);
        assert!(programs[1].video().is_none());
        assert_eq!(warnings(&events, WarningKind::ProgramChanged), 1);
        assert_eq!(
            videos(&events).len(),
            24,
            "video after the change is no longer followed"
        );
    }

    #[test]
    fn following_the_first_program_moves_on_when_the_source_switches_service() {
        let mut ts = stream(&mut Muxer::new(config(100)), 0, 12);
        ts.extend(stream(&mut Muxer::new(config(200)), 0, 12));
        let events = run(&mut Demuxer::new(ProgramSelector::First), &ts, 65_536);
        let numbers: Vec<u16> = events
            .iter()
            .filter_map(|e| {
                if let DemuxEvent::Program(p) = e {
                    Some(p.program_number)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(numbers, vec![100, 200]);
        assert_eq!(videos(&events).len(), 24);
    }

    #[test]
    fn timestamps_continue_across_the_33_bit_wrap() {
        let mut muxer = Muxer::new(config(1));
        let start = TIMESTAMP_MODULUS as i64 - 20 * 3600;
        let ts = stream(&mut muxer, start, 48);
        let events = run(&mut Demuxer::new(ProgramSelector::First), &ts, 65_536);
        let video = videos(&events);
        assert!(
            video
                .windows(2)
                .all(|w| w[1].pts.ticks() - w[0].pts.ticks() == 3600)
        );
        assert!(video.last().unwrap().pts.ticks() > TIMESTAMP_MODULUS as i64);
        assert_eq!(warnings(&events, WarningKind::PcrDiscontinuity), 0);
    }

    #[test]
    fn transport_errors_and_garbage_never_panic() {
        let mut muxer = Muxer::new(config(1));
        let ts = stream(&mut muxer, 0, 24);
        let mut state = 0x1234_5678u32;
        let mut noisy = ts.clone();
        for _ in 0..2000 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let at = state as usize % noisy.len();
            noisy[at] ^= 1 << (state % 8);
        }
        let events = run(&mut Demuxer::new(ProgramSelector::First), &noisy, 777);
        assert!(events.iter().any(|e| matches!(e, DemuxEvent::Warning(_))));
        let mut flagged = ts.clone();
        for packet in flagged.chunks_mut(PACKET_SIZE) {
            packet[1] |= 0x80;
        }
        let events = run(&mut Demuxer::new(ProgramSelector::First), &flagged, 4096);
        assert!(warnings(&events, WarningKind::TransportError) > 0);
        assert!(videos(&events).is_empty());
    }

    #[test]
    fn pcr_jump_is_a_warning() {
        let mut ts = Vec::new();
        let mut write_pcr = |base: u64, cc: u8| {
            let header = PacketHeader {
                pid: Pid::new(0x100),
                payload_unit_start_indicator: false,
                continuity_counter: ContinuityCounter::new(cc),
                pcr: Some(Pcr::from_base(crate::timestamp::Timestamp::new(base))),
                discontinuity_indicator: false,
                random_access_indicator: false,
            };
            write_packet(&mut ts, &header, &[]);
        };
        let mut muxer = Muxer::new(config(1));
        let mut tables = Vec::new();
        muxer.write_tables(&mut tables);
        write_pcr(0, 0);
        write_pcr(3600, 0);
        write_pcr(900_000, 0);
        let mut input = tables;
        input.extend(ts);
        let events = run(&mut Demuxer::new(ProgramSelector::First), &input, 4096);
        assert_eq!(warnings(&events, WarningKind::PcrDiscontinuity), 1);
    }
}
