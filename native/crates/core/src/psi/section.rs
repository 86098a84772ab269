//! Section reassembly across packets and packetisation of sections (§2.4.4.1–2.4.4.3).

use crate::crc32::crc32_mpeg2;
use crate::packet::{ContinuityCounter, PacketHeader, Pid, write_packet};

/// Largest section accepted: `section_length` is 12 bits (4093 for private sections, 1021 for PAT/PMT).
pub const MAX_SECTION_SIZE: usize = 3 + 4093;

/// Why a section was thrown away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SectionError {
    /// CRC_32 did not check (§2.4.4.13).
    Crc,
    /// The header is inconsistent (length too short for the long syntax).
    Malformed,
    /// A packet was lost while the section was being assembled.
    Interrupted,
}

/// A complete section with the long syntax (section_syntax_indicator = 1) and a valid CRC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    bytes: Vec<u8>,
}

impl Section {
    /// Validates a complete section (header, length and CRC).
    pub fn parse(bytes: Vec<u8>) -> Result<Self, SectionError> {
        if bytes.len() < 12 || bytes[1] & 0x80 == 0 {
            return Err(SectionError::Malformed);
        }
        let declared = 3 + (usize::from(bytes[1] & 0x0F) << 8 | usize::from(bytes[2]));
        if declared != bytes.len() {
            return Err(SectionError::Malformed);
        }
        if crc32_mpeg2(&bytes) != 0 {
            return Err(SectionError::Crc);
        }
        Ok(Section { bytes })
    }

    pub fn table_id(&self) -> u8 {
        self.bytes[0]
    }

    /// table_id_extension: transport_stream_id for the PAT, program_number for the PMT.
    pub fn table_id_extension(&self) -> u16 {
        u16::from_be_bytes([self.bytes[3], self.bytes[4]])
    }

    pub fn version_number(&self) -> u8 {
        (self.bytes[5] >> 1) & 0x1F
    }

    pub fn current_next_indicator(&self) -> bool {
        self.bytes[5] & 0x01 != 0
    }

    pub fn section_number(&self) -> u8 {
        self.bytes[6]
    }

    pub fn last_section_number(&self) -> u8 {
        self.bytes[7]
    }

    /// The table body between the 8-byte header and the CRC_32.
    pub fn body(&self) -> &[u8] {
        &self.bytes[8..self.bytes.len() - 4]
    }
}

/// Reassembles the sections of one PID from packet payloads.
#[derive(Debug, Default)]
pub struct SectionAssembler {
    partial: Vec<u8>,
    assembling: bool,
}

impl SectionAssembler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Drops a half-assembled section after a lost packet; returns whether one was dropped.
    pub fn interrupt(&mut self) -> bool {
        let dropped = self.assembling;
        self.partial.clear();
        self.assembling = false;
        dropped
    }

    /// Feeds one packet payload; complete sections (or their errors) go to `out`.
    pub fn push(
        &mut self,
        payload: &[u8],
        payload_unit_start: bool,
        out: &mut Vec<Result<Section, SectionError>>,
    ) {
        if !payload_unit_start {
            if self.assembling {
                self.append(payload, out);
            }
            return;
        }
        let Some((&pointer, rest)) = payload.split_first() else {
            return;
        };
        let pointer = usize::from(pointer);
        if pointer > rest.len() {
            self.interrupt();
            out.push(Err(SectionError::Malformed));
            return;
        }
        if self.assembling {
            self.append(&rest[..pointer], out);
            if self.assembling {
                // The previous section should have ended before the new one starts.
                self.interrupt();
                out.push(Err(SectionError::Interrupted));
            }
        }
        let mut data = &rest[pointer..];
        while let Some(&table_id) = data.first() {
            if table_id == 0xFF {
                break; // stuffing until the end of the packet
            }
            self.partial.clear();
            self.assembling = true;
            let consumed = self.append(data, out);
            data = &data[consumed..];
            if self.assembling {
                break;
            }
        }
    }

    /// Appends to the section in progress; returns how many bytes of `data` were used.
    fn append(&mut self, data: &[u8], out: &mut Vec<Result<Section, SectionError>>) -> usize {
        let mut used = 0;
        if self.partial.len() < 3 {
            let need = (3 - self.partial.len()).min(data.len());
            self.partial.extend_from_slice(&data[..need]);
            used = need;
            if self.partial.len() < 3 {
                return used;
            }
        }
        let total = 3 + (usize::from(self.partial[1] & 0x0F) << 8 | usize::from(self.partial[2]));
        if total > MAX_SECTION_SIZE {
            self.interrupt();
            out.push(Err(SectionError::Malformed));
            return data.len();
        }
        let need = (total - self.partial.len()).min(data.len() - used);
        self.partial.extend_from_slice(&data[used..used + need]);
        used += need;
        if self.partial.len() == total {
            self.assembling = false;
            out.push(Section::parse(std::mem::take(&mut self.partial)));
        }
        used
    }
}

/// Splits a section into packets on `pid` (pointer_field 0, stuffed with 0xFF), advancing `cc`.
pub fn packetize_section(out: &mut Vec<u8>, pid: Pid, cc: &mut ContinuityCounter, section: &[u8]) {
    let mut first = vec![0u8];
    first.extend_from_slice(section);
    let mut remaining: &[u8] = &first;
    let mut start = true;
    while !remaining.is_empty() {
        let mut chunk = remaining[..remaining.len().min(184)].to_vec();
        remaining = &remaining[chunk.len()..];
        chunk.resize(184, 0xFF);
        let header = PacketHeader {
            pid,
            payload_unit_start_indicator: start,
            continuity_counter: *cc,
            pcr: None,
            discontinuity_indicator: false,
            random_access_indicator: false,
        };
        write_packet(out, &header, &chunk);
        *cc = cc.next();
        start = false;
    }
}

/// Builds a long-syntax section around `body` and appends its CRC.
pub(crate) fn build_section(table_id: u8, extension: u16, version: u8, body: &[u8]) -> Vec<u8> {
    let section_length = 5 + body.len() + 4;
    let mut section = Vec::with_capacity(3 + section_length);
    section.push(table_id);
    section.push(0xB0 | ((section_length >> 8) as u8 & 0x0F));
    section.push(section_length as u8);
    section.extend_from_slice(&extension.to_be_bytes());
    section.push(0xC1 | ((version & 0x1F) << 1));
    section.push(0); // section_number
    section.push(0); // last_section_number
    section.extend_from_slice(body);
    let crc = crc32_mpeg2(&section);
    section.extend_from_slice(&crc.to_be_bytes());
    section
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{PACKET_SIZE, Packet};

    fn reassemble(ts: &[u8]) -> Vec<Result<Section, SectionError>> {
        let mut assembler = SectionAssembler::new();
        let mut out = Vec::new();
        for chunk in ts.chunks(PACKET_SIZE) {
            let packet = Packet::new(chunk.try_into().unwrap()).unwrap();
            assembler.push(
                packet.payload().unwrap(),
                packet.payload_unit_start_indicator(),
                &mut out,
            );
        }
        out
    }

    #[test]
    fn section_spanning_packets_is_reassembled() {
        let body: Vec<u8> = (0..600).map(|i| i as u8).collect();
        let section = build_section(0x02, 0x1234, 3, &body);
        let mut ts = Vec::new();
        packetize_section(
            &mut ts,
            Pid::new(0x100),
            &mut ContinuityCounter::default(),
            &section,
        );
        assert_eq!(ts.len(), 4 * PACKET_SIZE);
        let sections = reassemble(&ts);
        assert_eq!(sections.len(), 1);
        let parsed = sections[0].as_ref().unwrap();
        assert_eq!(parsed.table_id_extension(), 0x1234);
        assert_eq!(parsed.version_number(), 3);
        assert_eq!(parsed.body(), &body[..]);
    }

    #[test]
    fn corrupted_section_reports_a_crc_error() {
        let mut section = build_section(0x00, 1, 0, &[0, 1, 0xE1, 0x00]);
        section[9] ^= 0x10;
        let mut ts = Vec::new();
        packetize_section(
            &mut ts,
            Pid::PAT,
            &mut ContinuityCounter::default(),
            &section,
        );
        assert_eq!(reassemble(&ts), vec![Err(SectionError::Crc)]);
    }

    #[test]
    fn two_sections_in_one_packet_are_both_found() {
        let a = build_section(0x02, 1, 0, &[1, 2, 3, 4]);
        let b = build_section(0x02, 2, 0, &[5, 6, 7, 8]);
        let mut both = a.clone();
        both.extend_from_slice(&b);
        let mut ts = Vec::new();
        packetize_section(
            &mut ts,
            Pid::new(0x20),
            &mut ContinuityCounter::default(),
            &both,
        );
        let sections: Vec<u16> = reassemble(&ts)
            .into_iter()
            .map(|s| s.unwrap().table_id_extension())
            .collect();
        assert_eq!(sections, vec![1, 2]);
    }

    #[test]
    fn pointer_field_past_the_payload_is_malformed() {
        let mut assembler = SectionAssembler::new();
        let mut out = Vec::new();
        assembler.push(&[200, 0, 1], true, &mut out);
        assert_eq!(out, vec![Err(SectionError::Malformed)]);
    }
}
