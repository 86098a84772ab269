//! Program-specific information (ISO/IEC 13818-1 §2.4.4): section reassembly, PAT and PMT.

mod pat;
mod pmt;
mod section;

pub use pat::{Pat, PatEntry, write_pat};
pub use pmt::{EsInfo, Pmt, write_pmt};
pub use section::{MAX_SECTION_SIZE, Section, SectionAssembler, SectionError, packetize_section};

/// table_id values (§2.4.4.4 Table 2-31).
pub mod table_id {
    pub const PAT: u8 = 0x00;
    pub const PMT: u8 = 0x02;
}
