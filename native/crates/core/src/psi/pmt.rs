//! Program map table (§2.4.4.8): PCR_PID and the program's elementary streams with their descriptors.

use super::section::{Section, build_section};
use super::table_id;
use crate::descriptor::{self, AudioType, Language, tag};
use crate::packet::Pid;
use crate::stream_type::{Codec, StreamType};

/// One entry of the PMT's ES loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EsInfo {
    pub stream_type: StreamType,
    pub elementary_pid: Pid,
    /// The raw ES_info descriptor loop.
    pub descriptors: Vec<u8>,
}

impl EsInfo {
    pub fn codec(&self) -> Codec {
        Codec::classify(self.stream_type, &self.descriptors)
    }

    /// Language and audio_type from the ISO 639 descriptor, if any.
    pub fn language(&self) -> Option<(Language, AudioType)> {
        descriptor::descriptors(&self.descriptors)
            .find(|d| d.tag == tag::ISO_639_LANGUAGE)
            .and_then(|d| descriptor::iso_639_language(d.body))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pmt {
    pub program_number: u16,
    pub version_number: u8,
    pub pcr_pid: Pid,
    pub program_info: Vec<u8>,
    pub streams: Vec<EsInfo>,
}

impl Pmt {
    /// Reads a PMT section; `None` when it is another table or its loops run past the body.
    pub fn from_section(section: &Section) -> Option<Self> {
        if section.table_id() != table_id::PMT {
            return None;
        }
        let body = section.body();
        let pcr_pid = Pid::new(u16::from_be_bytes([*body.first()?, *body.get(1)?]));
        let info_length = usize::from(u16::from_be_bytes([*body.get(2)?, *body.get(3)?]) & 0x0FFF);
        let program_info = body.get(4..4 + info_length)?.to_vec();
        let mut rest = &body[4 + info_length..];
        let mut streams = Vec::new();
        while rest.len() >= 5 {
            let es_length = usize::from(u16::from_be_bytes([rest[3], rest[4]]) & 0x0FFF);
            let descriptors = rest.get(5..5 + es_length)?.to_vec();
            streams.push(EsInfo {
                stream_type: StreamType(rest[0]),
                elementary_pid: Pid::new(u16::from_be_bytes([rest[1], rest[2]])),
                descriptors,
            });
            rest = &rest[5 + es_length..];
        }
        Some(Pmt {
            program_number: section.table_id_extension(),
            version_number: section.version_number(),
            pcr_pid,
            program_info,
            streams,
        })
    }
}

/// Serialises a single-section PMT.
pub fn write_pmt(pmt: &Pmt) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&(0xE000 | pmt.pcr_pid.value()).to_be_bytes());
    body.extend_from_slice(&(0xF000 | pmt.program_info.len() as u16).to_be_bytes());
    body.extend_from_slice(&pmt.program_info);
    for es in &pmt.streams {
        body.push(es.stream_type.0);
        body.extend_from_slice(&(0xE000 | es.elementary_pid.value()).to_be_bytes());
        body.extend_from_slice(&(0xF000 | es.descriptors.len() as u16).to_be_bytes());
        body.extend_from_slice(&es.descriptors);
    }
    build_section(table_id::PMT, pmt.program_number, pmt.version_number, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream_type::{AudioCodec, VideoCodec};

    fn sample() -> Pmt {
        let mut german = Vec::new();
        descriptor::write_iso_639(
            &mut german,
            Language::parse("deu").unwrap(),
            AudioType::UNDEFINED,
        );
        german.extend_from_slice(&[tag::AC3, 1, 0]);
        Pmt {
            program_number: 4911,
            version_number: 7,
            pcr_pid: Pid::new(1920),
            program_info: vec![tag::CA, 4, 0x06, 0x04, 0xE1, 0x00],
            streams: vec![
                EsInfo {
                    stream_type: StreamType::H264,
                    elementary_pid: Pid::new(1920),
                    descriptors: vec![],
                },
                EsInfo {
                    stream_type: StreamType::PES_PRIVATE_DATA,
                    elementary_pid: Pid::new(1921),
                    descriptors: german,
                },
            ],
        }
    }

    #[test]
    fn pmt_roundtrips_with_descriptors() {
        let pmt = sample();
        let parsed = Pmt::from_section(&Section::parse(write_pmt(&pmt)).unwrap()).unwrap();
        assert_eq!(parsed, pmt);
        assert_eq!(parsed.streams[0].codec(), Codec::Video(VideoCodec::H264));
        assert_eq!(parsed.streams[1].codec(), Codec::Audio(AudioCodec::Ac3));
        assert_eq!(parsed.streams[1].language().unwrap().0.as_str(), "deu");
    }

    #[test]
    fn es_loop_running_past_the_body_is_rejected() {
        let mut pmt = sample();
        pmt.streams.truncate(1);
        let mut bytes = write_pmt(&pmt);
        // Claim 200 bytes of ES_info for the only stream, then fix the CRC so only the loop is wrong.
        let es_length_at = 8 + 4 + pmt.program_info.len() + 3;
        bytes[es_length_at] = 0xF0;
        bytes[es_length_at + 1] = 200;
        let len = bytes.len();
        let crc = crate::crc32::crc32_mpeg2(&bytes[..len - 4]);
        bytes[len - 4..].copy_from_slice(&crc.to_be_bytes());
        assert!(Pmt::from_section(&Section::parse(bytes).unwrap()).is_none());
    }
}
