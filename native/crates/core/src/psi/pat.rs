//! Program association table (§2.4.4.3): program_number → program_map_PID.

use super::section::{Section, build_section};
use super::table_id;
use crate::packet::Pid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatEntry {
    pub program_number: u16,
    pub program_map_pid: Pid,
}

/// One PAT section's content. program_number 0 (the network PID) is left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pat {
    pub transport_stream_id: u16,
    pub version_number: u8,
    pub programs: Vec<PatEntry>,
}

impl Pat {
    /// Reads a PAT section; `None` when it is another table.
    pub fn from_section(section: &Section) -> Option<Self> {
        if section.table_id() != table_id::PAT {
            return None;
        }
        let programs = section
            .body()
            .chunks_exact(4)
            .map(|entry| PatEntry {
                program_number: u16::from_be_bytes([entry[0], entry[1]]),
                program_map_pid: Pid::new(u16::from_be_bytes([entry[2], entry[3]])),
            })
            .filter(|entry| entry.program_number != 0)
            .collect();
        Some(Pat {
            transport_stream_id: section.table_id_extension(),
            version_number: section.version_number(),
            programs,
        })
    }
}

/// Serialises a single-section PAT.
pub fn write_pat(transport_stream_id: u16, version: u8, programs: &[PatEntry]) -> Vec<u8> {
    let mut body = Vec::with_capacity(programs.len() * 4);
    for entry in programs {
        body.extend_from_slice(&entry.program_number.to_be_bytes());
        body.extend_from_slice(&(0xE000 | entry.program_map_pid.value()).to_be_bytes());
    }
    build_section(table_id::PAT, transport_stream_id, version, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pat_roundtrips_and_skips_the_network_pid() {
        let programs = [
            PatEntry {
                program_number: 0,
                program_map_pid: Pid::new(0x10),
            },
            PatEntry {
                program_number: 4911,
                program_map_pid: Pid::new(107),
            },
            PatEntry {
                program_number: 4912,
                program_map_pid: Pid::new(108),
            },
        ];
        let section = Section::parse(write_pat(1007, 4, &programs)).unwrap();
        let pat = Pat::from_section(&section).unwrap();
        assert_eq!(pat.transport_stream_id, 1007);
        assert_eq!(pat.version_number, 4);
        assert_eq!(pat.programs, programs[1..].to_vec());
    }
}
