//! Stream inspection without decoding: every program of a buffer, its streams with codec, PID, language and
//! the format read from parameter sets and audio frame headers.

use crate::audio::AudioFramer;
use crate::descriptor::{AudioType, Language};
use crate::es::{self, VideoParams};
use crate::packet::{Packet, Pid};
use crate::pes::PesAssembler;
use crate::psi::{Pat, Pmt, SectionAssembler};
use crate::stream_type::{Codec, StreamType};
use crate::sync::PacketSync;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbedStream {
    pub pid: Pid,
    pub stream_type: StreamType,
    pub codec: Codec,
    pub language: Option<Language>,
    pub audio_type: AudioType,
    pub channels: Option<u8>,
    pub sample_rate: Option<u32>,
    pub video: Option<VideoParams>,
    /// Packets with transport_scrambling_control set were seen.
    pub scrambled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbedProgram {
    pub program_number: u16,
    pub pmt_pid: Pid,
    /// `None` while the PMT was not seen (the PAT lists programs whose PMT never comes).
    pub pcr_pid: Option<Pid>,
    pub streams: Vec<ProbedStream>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbeReport {
    pub transport_stream_id: Option<u16>,
    pub programs: Vec<ProbedProgram>,
    pub packets: u64,
}

struct EsProbe {
    pes: PesAssembler,
    framer: Option<AudioFramer>,
}

/// Inspects `data` (a prefix of a stream: a few seconds are enough).
pub fn probe(data: &[u8]) -> ProbeReport {
    let mut report = ProbeReport::default();
    let mut sync = PacketSync::new();
    let mut sections: Vec<(Pid, SectionAssembler)> = vec![(Pid::PAT, SectionAssembler::new())];
    let mut es: Vec<(Pid, EsProbe)> = Vec::new();
    let mut section_out = Vec::new();
    let mut pes_out = Vec::new();
    sync.feed(data, |bytes| {
        report.packets += 1;
        let Some(packet) = Packet::new(bytes) else {
            return;
        };
        if packet.transport_error_indicator() {
            return;
        }
        let pid = packet.pid();
        let Some(payload) = packet.payload() else {
            return;
        };
        if let Some((_, assembler)) = sections.iter_mut().find(|(p, _)| *p == pid) {
            assembler.push(
                payload,
                packet.payload_unit_start_indicator(),
                &mut section_out,
            );
            for section in section_out.drain(..).flatten() {
                if let Some(pat) = Pat::from_section(&section) {
                    on_pat(&mut report, &mut sections, &pat);
                } else if let Some(pmt) = Pmt::from_section(&section) {
                    on_pmt(&mut report, &mut es, pid, &pmt);
                }
            }
            return;
        }
        let Some((_, state)) = es.iter_mut().find(|(p, _)| *p == pid) else {
            return;
        };
        if packet.transport_scrambling_control().is_scrambled() {
            for_stream(&mut report, pid, |s| s.scrambled = true);
            state.pes.interrupt();
            return;
        }
        state.pes.push(
            payload,
            packet.payload_unit_start_indicator(),
            false,
            false,
            &mut pes_out,
        );
        for pes in pes_out.drain(..).flatten() {
            inspect_pes(&mut report, pid, state, &pes.payload);
        }
    });
    report
}

fn on_pat(report: &mut ProbeReport, sections: &mut Vec<(Pid, SectionAssembler)>, pat: &Pat) {
    report.transport_stream_id = Some(pat.transport_stream_id);
    for entry in &pat.programs {
        if !report
            .programs
            .iter()
            .any(|p| p.program_number == entry.program_number)
        {
            report.programs.push(ProbedProgram {
                program_number: entry.program_number,
                pmt_pid: entry.program_map_pid,
                pcr_pid: None,
                streams: Vec::new(),
            });
        }
        if !sections.iter().any(|(p, _)| *p == entry.program_map_pid) {
            sections.push((entry.program_map_pid, SectionAssembler::new()));
        }
    }
}

fn on_pmt(report: &mut ProbeReport, es: &mut Vec<(Pid, EsProbe)>, pid: Pid, pmt: &Pmt) {
    let Some(program) = report
        .programs
        .iter_mut()
        .find(|p| p.program_number == pmt.program_number && p.pmt_pid == pid)
    else {
        return;
    };
    if program.pcr_pid.is_some() {
        return; // first PMT wins; a probe does not follow version changes
    }
    program.pcr_pid = Some(pmt.pcr_pid);
    for info in &pmt.streams {
        let (language, audio_type) = info
            .language()
            .map_or((None, AudioType::UNDEFINED), |(l, t)| (Some(l), t));
        let codec = info.codec();
        program.streams.push(ProbedStream {
            pid: info.elementary_pid,
            stream_type: info.stream_type,
            codec,
            language,
            audio_type,
            channels: None,
            sample_rate: None,
            video: None,
            scrambled: false,
        });
        if !es.iter().any(|(p, _)| *p == info.elementary_pid)
            && matches!(codec, Codec::Video(_) | Codec::Audio(_))
        {
            let framer = match codec {
                Codec::Audio(audio) => Some(AudioFramer::new(audio)),
                _ => None,
            };
            es.push((
                info.elementary_pid,
                EsProbe {
                    pes: PesAssembler::new(),
                    framer,
                },
            ));
        }
    }
}

fn for_stream(report: &mut ProbeReport, pid: Pid, mut f: impl FnMut(&mut ProbedStream)) {
    report
        .programs
        .iter_mut()
        .flat_map(|p| p.streams.iter_mut())
        .filter(|s| s.pid == pid)
        .for_each(&mut f);
}

fn inspect_pes(report: &mut ProbeReport, pid: Pid, state: &mut EsProbe, payload: &[u8]) {
    if let Some(framer) = state.framer.as_mut() {
        framer.push(payload, None);
        if let Some(frame) = framer.pull() {
            for_stream(report, pid, |s| {
                s.channels = s
                    .channels
                    .or((frame.channels > 0).then_some(frame.channels));
                s.sample_rate = s
                    .sample_rate
                    .or((frame.sample_rate > 0).then_some(frame.sample_rate));
            });
        }
        return;
    }
    let codecs: Vec<Codec> = report
        .programs
        .iter()
        .flat_map(|p| &p.streams)
        .filter(|s| s.pid == pid)
        .map(|s| s.codec)
        .collect();
    let Some(Codec::Video(codec)) = codecs.first().copied() else {
        return;
    };
    if let Some(params) = es::video_params(codec, payload) {
        for_stream(report, pid, |s| {
            if s.video.is_none() {
                s.video = Some(params);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mux::Muxer;
    use crate::testing::h264::{Sps, access_unit, slice};
    use crate::testing::mux::h264_with_mpeg_audio;
    use crate::timestamp::MediaTime;

    #[test]
    fn reports_programs_streams_and_formats() {
        let config = h264_with_mpeg_audio(4911, "eng", AudioType::VISUAL_IMPAIRED_COMMENTARY);
        let mut muxer = Muxer::new(config);
        let mut ts = Vec::new();
        muxer.write_tables(&mut ts);
        let au = access_unit(&[Sps::hd720().nal(), vec![0x68, 0xCE, 0x38], slice(5, 0, 7)]);
        for i in 0..3 {
            let t = MediaTime(i * 3600);
            muxer.write_pes(&mut ts, 0, t, t, &au, true);
            muxer.write_pes(
                &mut ts,
                1,
                t,
                t,
                &crate::testing::audio::mpa_frame(2, 9, 1, true),
                true,
            );
        }
        let report = probe(&ts);
        assert_eq!(report.transport_stream_id, Some(1));
        let program = &report.programs[0];
        assert_eq!(
            (program.program_number, program.pcr_pid),
            (4911, Some(Pid::new(0x100)))
        );
        let video = program.streams[0].video.unwrap();
        assert_eq!(
            (video.width, video.height, video.interlaced),
            (1280, 720, Some(false))
        );
        let audio = &program.streams[1];
        assert_eq!((audio.channels, audio.sample_rate), (Some(1), Some(48_000)));
        assert_eq!(audio.language.unwrap().as_str(), "eng");
        assert_eq!(audio.audio_type, AudioType::VISUAL_IMPAIRED_COMMENTARY);
    }

    #[test]
    fn garbage_yields_an_empty_report() {
        let report = probe(&[0x47; 5000]);
        assert!(report.programs.is_empty());
    }
}
