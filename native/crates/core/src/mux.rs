//! The transport stream multiplexer: one program, PAT/PMT on demand (each segment start, and periodically
//! for continuous output), PES packetisation with correct continuity counters, and a PCR on the PCR PID at
//! least every 40 ms of DTS (ETSI TR 101 290 / TS 101 154 interval).
//!
//! The output is variable-rate (no null packets): PCR = DTS − [`PCR_DELAY`], the same model as FFmpeg's
//! muxer without `-muxrate`. Timestamps are written modulo 2^33, so a wrapping input stays wrapping.

use crate::descriptor::{AudioType, Language, write_iso_639};
use crate::packet::{ContinuityCounter, PACKET_SIZE, PacketHeader, Pid, write_packet};
use crate::pes::write_pes_header;
use crate::psi::{EsInfo, PatEntry, Pmt, packetize_section, write_pat, write_pmt};
use crate::stream_type::StreamType;
use crate::timestamp::{MediaTime, Pcr};

/// Decoder buffering the PCR runs ahead of DTS by.
pub const PCR_DELAY: i64 = 63_000; // 0.7 s
/// Longest gap between two PCRs (40 ms).
pub const PCR_INTERVAL: i64 = 3_600;
/// Output PIDs, FFmpeg's layout: PMT 0x1000, elementary streams from 0x100.
pub const PMT_PID: Pid = Pid::new(0x1000);
pub const FIRST_ES_PID: u16 = 0x100;

/// One output stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MuxStream {
    pub pid: Pid,
    pub stream_type: StreamType,
    /// PES stream_id (0xE0 video, 0xC0 MPEG/AAC audio, 0xBD AC-3/E-AC-3).
    pub stream_id: u8,
    /// ES_info descriptors written into the PMT.
    pub descriptors: Vec<u8>,
}

impl MuxStream {
    /// Descriptors for an audio stream: its language (with audio_type) when known.
    pub fn language_descriptors(language: Option<Language>, audio_type: AudioType) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(language) = language {
            write_iso_639(&mut out, language, audio_type);
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MuxConfig {
    pub transport_stream_id: u16,
    pub program_number: u16,
    pub pcr_pid: Pid,
    pub streams: Vec<MuxStream>,
}

/// Writes one program's packets. Stream indices refer to `MuxConfig::streams`.
#[derive(Debug)]
pub struct Muxer {
    config: MuxConfig,
    version: u8,
    pat_cc: ContinuityCounter,
    pmt_cc: ContinuityCounter,
    stream_cc: Vec<ContinuityCounter>,
    /// Streams whose next packet carries discontinuity_indicator.
    pending_discontinuity: Vec<bool>,
    last_pcr: Option<MediaTime>,
    /// Scratch for the first packet's payload (PES header + start of the data), kept between calls.
    first_payload: Vec<u8>,
}

impl Muxer {
    pub fn new(config: MuxConfig) -> Self {
        let n = config.streams.len();
        Muxer {
            config,
            version: 0,
            pat_cc: ContinuityCounter::default(),
            pmt_cc: ContinuityCounter::default(),
            stream_cc: vec![ContinuityCounter::default(); n],
            pending_discontinuity: vec![false; n],
            last_pcr: None,
            first_payload: Vec::with_capacity(PACKET_SIZE),
        }
    }

    pub fn config(&self) -> &MuxConfig {
        &self.config
    }

    /// Replaces the stream set (PMT change): the PMT version is bumped and every stream restarts its counter.
    pub fn reconfigure(&mut self, config: MuxConfig) {
        if config != self.config {
            self.version = (self.version + 1) & 0x1F;
            self.stream_cc = vec![ContinuityCounter::default(); config.streams.len()];
            self.pending_discontinuity = vec![true; config.streams.len()];
            self.config = config;
            self.last_pcr = None;
        }
    }

    /// Flags the next packet of every stream with discontinuity_indicator (timeline break) and forces a PCR.
    pub fn mark_discontinuity(&mut self) {
        self.pending_discontinuity
            .iter_mut()
            .for_each(|d| *d = true);
        self.last_pcr = None;
    }

    /// Writes the PAT and the PMT.
    pub fn write_tables(&mut self, out: &mut Vec<u8>) {
        let pat = write_pat(
            self.config.transport_stream_id,
            self.version,
            &[PatEntry {
                program_number: self.config.program_number,
                program_map_pid: PMT_PID,
            }],
        );
        packetize_section(out, Pid::PAT, &mut self.pat_cc, &pat);
        let pmt = Pmt {
            program_number: self.config.program_number,
            version_number: self.version,
            pcr_pid: self.config.pcr_pid,
            program_info: Vec::new(),
            streams: self
                .config
                .streams
                .iter()
                .map(|s| EsInfo {
                    stream_type: s.stream_type,
                    elementary_pid: s.pid,
                    descriptors: s.descriptors.clone(),
                })
                .collect(),
        };
        packetize_section(out, PMT_PID, &mut self.pmt_cc, &write_pmt(&pmt));
    }

    /// Writes one PES (an access unit or audio frame) as packets.
    pub fn write_pes(
        &mut self,
        out: &mut Vec<u8>,
        stream: usize,
        pts: MediaTime,
        dts: MediaTime,
        data: &[u8],
        random_access: bool,
    ) {
        let Some(config) = self.config.streams.get(stream) else {
            return;
        };
        let pid = config.pid;
        let pcr_pid = self.config.pcr_pid;
        if pid != pcr_pid
            && self
                .last_pcr
                .is_some_and(|last| dts.saturating_sub(last) >= PCR_INTERVAL)
        {
            // The PCR stream is sparse (slow video, a pause): keep the clock going with an adaptation-only
            // packet. It repeats the counter of the PID's previous packet (§2.4.3.3: the counter does not
            // increment when adaptation_field_control is '10'); `stream_cc` holds the next one.
            if let Some(pcr_stream) = self.config.streams.iter().position(|s| s.pid == pcr_pid) {
                self.last_pcr = Some(dts);
                let header = PacketHeader {
                    pid: pcr_pid,
                    payload_unit_start_indicator: false,
                    continuity_counter: self.stream_cc[pcr_stream].previous(),
                    pcr: Some(Pcr::from_base(
                        dts.saturating_add(-PCR_DELAY).to_timestamp(),
                    )),
                    discontinuity_indicator: false,
                    random_access_indicator: false,
                };
                write_packet(out, &header, &[]);
            }
        }
        // The first packet carries the PES header and the start of the data; the rest is read in place.
        let mut first_payload = std::mem::take(&mut self.first_payload);
        first_payload.clear();
        write_pes_header(
            &mut first_payload,
            config.stream_id,
            Some(pts.to_timestamp()),
            Some(dts.to_timestamp()),
            data.len(),
        );
        let header_len = first_payload.len();
        first_payload.extend_from_slice(&data[..data.len().min(PACKET_SIZE - 4 - header_len)]);
        // Every packet of this PES (plus a PCR-only one) fits without regrowing `out` packet by packet.
        let packets = (header_len + data.len()).div_ceil(PACKET_SIZE - 4) + 1;
        out.reserve(packets * PACKET_SIZE);
        let mut pcr = None;
        if pid == self.config.pcr_pid {
            // PCRs only move forward (a timeline break resets `last_pcr`).
            let due = self
                .last_pcr
                .is_none_or(|last| dts.saturating_sub(last) >= PCR_INTERVAL);
            if due {
                self.last_pcr = Some(dts);
                pcr = Some(Pcr::from_base(
                    dts.saturating_add(-PCR_DELAY).to_timestamp(),
                ));
            }
        }
        let header = PacketHeader {
            pid,
            payload_unit_start_indicator: true,
            continuity_counter: self.stream_cc[stream],
            pcr,
            discontinuity_indicator: self.pending_discontinuity[stream],
            random_access_indicator: random_access,
        };
        let taken = write_packet(out, &header, &first_payload);
        self.first_payload = first_payload;
        self.stream_cc[stream] = self.stream_cc[stream].next();
        let mut remaining = &data[taken.saturating_sub(header_len)..];
        while !remaining.is_empty() {
            let header = PacketHeader {
                pid,
                payload_unit_start_indicator: false,
                continuity_counter: self.stream_cc[stream],
                pcr: None,
                discontinuity_indicator: false,
                random_access_indicator: false,
            };
            let taken = write_packet(out, &header, remaining);
            remaining = &remaining[taken..];
            self.stream_cc[stream] = self.stream_cc[stream].next();
        }
        self.pending_discontinuity[stream] = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{PACKET_SIZE, Packet};
    use crate::pes::stream_id;

    fn config() -> MuxConfig {
        MuxConfig {
            transport_stream_id: 1,
            program_number: 4911,
            pcr_pid: Pid::new(0x100),
            streams: vec![
                MuxStream {
                    pid: Pid::new(0x100),
                    stream_type: StreamType::H264,
                    stream_id: stream_id::VIDEO,
                    descriptors: vec![],
                },
                MuxStream {
                    pid: Pid::new(0x101),
                    stream_type: StreamType::AAC_ADTS,
                    stream_id: stream_id::AUDIO,
                    descriptors: MuxStream::language_descriptors(
                        Language::parse("deu"),
                        AudioType::UNDEFINED,
                    ),
                },
            ],
        }
    }

    fn packets(ts: &[u8]) -> Vec<Packet<'_>> {
        ts.chunks(PACKET_SIZE)
            .map(|c| Packet::new(c.try_into().unwrap()).unwrap())
            .collect()
    }

    #[test]
    fn counters_increase_per_pid_and_pcr_is_periodic() {
        let mut muxer = Muxer::new(config());
        let mut out = Vec::new();
        muxer.write_tables(&mut out);
        for i in 0..10 {
            let t = MediaTime(900_000 + i * 1800); // 50 fps
            muxer.write_pes(&mut out, 0, t, t, &[0u8; 500], i == 0);
            muxer.write_pes(&mut out, 1, t, t, &[1u8; 300], false);
        }
        let all = packets(&out);
        let video: Vec<_> = all.iter().filter(|p| p.pid() == Pid::new(0x100)).collect();
        for pair in video.windows(2) {
            assert_eq!(
                pair[0].continuity_counter().next(),
                pair[1].continuity_counter()
            );
        }
        let pcrs: Vec<i64> = video
            .iter()
            .filter_map(|p| p.adaptation_field().and_then(|af| af.pcr()))
            .map(|pcr| pcr.base.ticks() as i64)
            .collect();
        assert_eq!(pcrs.len(), 5, "one PCR per 40 ms at 50 fps");
        assert_eq!(pcrs[0], 900_000 - PCR_DELAY);
        assert!(
            video[0]
                .adaptation_field()
                .unwrap()
                .random_access_indicator()
        );
    }

    #[test]
    fn a_sparse_pcr_stream_gets_pcr_only_packets() {
        let mut muxer = Muxer::new(config());
        let mut out = Vec::new();
        muxer.write_pes(&mut out, 0, MediaTime(0), MediaTime(0), &[0u8; 100], true);
        for i in 1..=50 {
            let t = MediaTime(i * 1920);
            muxer.write_pes(&mut out, 1, t, t, &[1u8; 300], false);
        }
        let pcrs: Vec<i64> = packets(&out)
            .iter()
            .filter_map(|p| p.adaptation_field().and_then(|af| af.pcr()))
            .map(|pcr| pcr.base.ticks() as i64 + PCR_DELAY)
            .collect();
        assert!(
            pcrs.windows(2).all(|w| w[1] - w[0] <= PCR_INTERVAL + 1920),
            "{pcrs:?}"
        );
        assert!(pcrs.len() > 20);
        let video: Vec<_> = packets(&out)
            .into_iter()
            .filter(|p| p.pid() == Pid::new(0x100))
            .collect();
        // Adaptation-only packets repeat the counter of the PID's last packet with payload.
        assert!(video.len() > 20);
        assert!(
            video.iter().skip(1).all(
                |p| !p.has_payload() && p.continuity_counter() == video[0].continuity_counter()
            )
        );
    }

    #[test]
    fn reconfigure_bumps_the_version_and_flags_discontinuity() {
        let mut muxer = Muxer::new(config());
        let mut changed = config();
        changed.streams.pop();
        muxer.reconfigure(changed);
        let mut out = Vec::new();
        muxer.write_pes(&mut out, 0, MediaTime(0), MediaTime(0), &[0u8; 10], true);
        assert!(
            packets(&out)[0]
                .adaptation_field()
                .unwrap()
                .discontinuity_indicator()
        );
        assert_eq!(muxer.version, 1);
    }
}
