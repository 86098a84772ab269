//! Transport stream packets (ISO/IEC 13818-1 §2.4.3.2) and their adaptation field (§2.4.3.4).
//!
//! [`Packet`] borrows one 188-byte packet and reads its fields on demand; nothing is copied. Accessors use the
//! spec's field names. A malformed adaptation field (length running past the packet) yields no payload and no
//! PCR instead of an error: the demultiplexer counts it as a warning.

use crate::timestamp::Pcr;

/// Size of a transport stream packet in bytes.
pub const PACKET_SIZE: usize = 188;
/// sync_byte, the first byte of every packet.
pub const SYNC_BYTE: u8 = 0x47;

/// A 13-bit packet identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pid(u16);

impl Pid {
    /// Program association table.
    pub const PAT: Pid = Pid(0x0000);
    /// Null packets (stuffing).
    pub const NULL: Pid = Pid(0x1FFF);
    /// Largest valid value.
    pub const MAX: u16 = 0x1FFF;

    /// Builds a PID, keeping the low 13 bits.
    pub const fn new(value: u16) -> Self {
        Pid(value & Self::MAX)
    }

    pub const fn value(self) -> u16 {
        self.0
    }
}

/// The 4-bit continuity_counter, incremented per packet with payload on each PID (§2.4.3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ContinuityCounter(u8);

impl ContinuityCounter {
    pub const fn new(value: u8) -> Self {
        ContinuityCounter(value & 0x0F)
    }

    pub const fn value(self) -> u8 {
        self.0
    }

    pub const fn next(self) -> Self {
        ContinuityCounter((self.0 + 1) & 0x0F)
    }

    pub const fn previous(self) -> Self {
        ContinuityCounter(self.0.wrapping_sub(1) & 0x0F)
    }
}

/// transport_scrambling_control: `0` means not scrambled; other values are user defined (DVB: even/odd key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScramblingControl(pub u8);

impl ScramblingControl {
    pub fn is_scrambled(self) -> bool {
        self.0 != 0
    }
}

/// A borrowed 188-byte transport stream packet.
#[derive(Clone, Copy, Debug)]
pub struct Packet<'a> {
    bytes: &'a [u8; PACKET_SIZE],
}

impl<'a> Packet<'a> {
    /// Wraps a packet; `None` when the sync byte is missing.
    pub fn new(bytes: &'a [u8; PACKET_SIZE]) -> Option<Self> {
        (bytes[0] == SYNC_BYTE).then_some(Packet { bytes })
    }

    pub fn bytes(&self) -> &'a [u8; PACKET_SIZE] {
        self.bytes
    }

    pub fn transport_error_indicator(&self) -> bool {
        self.bytes[1] & 0x80 != 0
    }

    pub fn payload_unit_start_indicator(&self) -> bool {
        self.bytes[1] & 0x40 != 0
    }

    pub fn transport_priority(&self) -> bool {
        self.bytes[1] & 0x20 != 0
    }

    pub fn pid(&self) -> Pid {
        Pid::new((u16::from(self.bytes[1]) << 8) | u16::from(self.bytes[2]))
    }

    pub fn transport_scrambling_control(&self) -> ScramblingControl {
        ScramblingControl(self.bytes[3] >> 6)
    }

    /// adaptation_field_control bit `10`: an adaptation field is present.
    pub fn has_adaptation_field(&self) -> bool {
        self.bytes[3] & 0x20 != 0
    }

    /// adaptation_field_control bit `01`: a payload is present.
    pub fn has_payload(&self) -> bool {
        self.bytes[3] & 0x10 != 0
    }

    pub fn continuity_counter(&self) -> ContinuityCounter {
        ContinuityCounter::new(self.bytes[3])
    }

    /// The adaptation field, when present and well formed.
    pub fn adaptation_field(&self) -> Option<AdaptationField<'a>> {
        if !self.has_adaptation_field() {
            return None;
        }
        let length = usize::from(self.bytes[4]);
        let end = 5usize.checked_add(length)?;
        if end > PACKET_SIZE {
            return None;
        }
        Some(AdaptationField {
            bytes: &self.bytes[5..end],
        })
    }

    /// The payload bytes; `None` when the packet carries none or its adaptation field overruns the packet.
    pub fn payload(&self) -> Option<&'a [u8]> {
        if !self.has_payload() {
            return None;
        }
        let start = if self.has_adaptation_field() {
            5 + usize::from(self.bytes[4])
        } else {
            4
        };
        if start > PACKET_SIZE {
            return None;
        }
        Some(&self.bytes[start..])
    }
}

/// A borrowed adaptation field, without its length byte.
#[derive(Clone, Copy, Debug)]
pub struct AdaptationField<'a> {
    bytes: &'a [u8],
}

impl<'a> AdaptationField<'a> {
    fn flags(&self) -> u8 {
        self.bytes.first().copied().unwrap_or(0)
    }

    pub fn discontinuity_indicator(&self) -> bool {
        self.flags() & 0x80 != 0
    }

    pub fn random_access_indicator(&self) -> bool {
        self.flags() & 0x40 != 0
    }

    /// program_clock_reference, when PCR_flag is set and the field is long enough.
    pub fn pcr(&self) -> Option<Pcr> {
        if self.flags() & 0x10 == 0 {
            return None;
        }
        let field: &[u8; 6] = self.bytes.get(1..7)?.try_into().ok()?;
        Some(Pcr::parse(field))
    }
}

/// Fields of a packet header to write; see [`write_packet`].
#[derive(Clone, Copy, Debug)]
pub struct PacketHeader {
    pub pid: Pid,
    pub payload_unit_start_indicator: bool,
    pub continuity_counter: ContinuityCounter,
    /// Written into the adaptation field (and forces one) when present.
    pub pcr: Option<Pcr>,
    pub discontinuity_indicator: bool,
    pub random_access_indicator: bool,
}

/// Writes one packet carrying as much of `payload` as fits (stuffing the adaptation field so the packet is
/// exactly full) and returns how many payload bytes it took. `payload` may be empty only when an adaptation
/// field is needed (PCR-only packet); such a packet carries no payload and must not advance the counter, which
/// the caller handles by passing an unchanged counter.
pub fn write_packet(out: &mut Vec<u8>, header: &PacketHeader, payload: &[u8]) -> usize {
    let start = out.len();
    let needs_af =
        header.pcr.is_some() || header.discontinuity_indicator || header.random_access_indicator;
    let pid = header.pid.value();
    if !needs_af && payload.len() >= PACKET_SIZE - 4 {
        // The common case (the middle of a PES): header and a full payload, no adaptation field.
        out.extend_from_slice(&[
            SYNC_BYTE,
            ((header.payload_unit_start_indicator as u8) << 6) | (pid >> 8) as u8,
            pid as u8,
            0x10 | header.continuity_counter.value(),
        ]);
        out.extend_from_slice(&payload[..PACKET_SIZE - 4]);
        return PACKET_SIZE - 4;
    }
    let mut af: Vec<u8> = Vec::new();
    if needs_af {
        let mut flags = 0u8;
        if header.discontinuity_indicator {
            flags |= 0x80;
        }
        if header.random_access_indicator {
            flags |= 0x40;
        }
        if header.pcr.is_some() {
            flags |= 0x10;
        }
        af.push(flags);
        if let Some(pcr) = header.pcr {
            af.extend_from_slice(&pcr.write());
        }
    }
    // Room for payload after the 4-byte header and (when present) the length byte plus `af`.
    let fixed = 4 + if needs_af { 1 + af.len() } else { 0 };
    let room = PACKET_SIZE - fixed;
    let take = payload.len().min(room);
    let stuffing = room - take;
    let has_af = needs_af || stuffing > 0;
    let has_payload = take > 0;
    let afc = match (has_af, has_payload) {
        (true, true) => 0x30,
        (true, false) => 0x20,
        (false, true) => 0x10,
        (false, false) => 0x20,
    };
    out.push(SYNC_BYTE);
    out.push(((header.payload_unit_start_indicator as u8) << 6) | (pid >> 8) as u8);
    out.push(pid as u8);
    out.push(afc | header.continuity_counter.value());
    if has_af {
        if needs_af {
            // Length counts flags, optional fields and stuffing.
            out.push((af.len() + stuffing) as u8);
            out.extend_from_slice(&af);
            out.resize(out.len() + stuffing, 0xFF);
        } else if stuffing == 1 {
            out.push(0); // adaptation_field_length = 0: a single stuffing byte.
        } else {
            out.push((stuffing - 1) as u8);
            out.push(0); // no flags
            out.resize(out.len() + stuffing - 2, 0xFF);
        }
    }
    out.extend_from_slice(&payload[..take]);
    debug_assert_eq!(out.len() - start, PACKET_SIZE);
    take
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::Timestamp;

    fn header(pid: u16) -> PacketHeader {
        PacketHeader {
            pid: Pid::new(pid),
            payload_unit_start_indicator: true,
            continuity_counter: ContinuityCounter::new(7),
            pcr: None,
            discontinuity_indicator: false,
            random_access_indicator: false,
        }
    }

    fn as_packet(bytes: &[u8]) -> Packet<'_> {
        Packet::new(bytes.try_into().unwrap()).unwrap()
    }

    #[test]
    fn full_payload_packet_has_no_adaptation_field() {
        let mut out = Vec::new();
        let payload = vec![0xAB; 300];
        assert_eq!(write_packet(&mut out, &header(0x100), &payload), 184);
        let packet = as_packet(&out);
        assert_eq!(packet.pid(), Pid::new(0x100));
        assert!(packet.payload_unit_start_indicator());
        assert_eq!(packet.continuity_counter().value(), 7);
        assert!(packet.adaptation_field().is_none());
        assert_eq!(packet.payload().unwrap().len(), 184);
    }

    #[test]
    fn short_payload_is_stuffed_for_every_length() {
        for len in 1..=184 {
            let mut out = Vec::new();
            let payload: Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert_eq!(write_packet(&mut out, &header(0x101), &payload), len);
            assert_eq!(out.len(), PACKET_SIZE);
            assert_eq!(
                as_packet(&out).payload().unwrap(),
                &payload[..],
                "length {len}"
            );
        }
    }

    #[test]
    fn pcr_and_flags_survive_a_roundtrip() {
        let mut out = Vec::new();
        let mut h = header(0x100);
        h.pcr = Some(Pcr {
            base: Timestamp::new(123_456_789),
            extension: 42,
        });
        h.random_access_indicator = true;
        h.discontinuity_indicator = true;
        let taken = write_packet(&mut out, &h, &[1, 2, 3]);
        assert_eq!(taken, 3);
        let af = as_packet(&out).adaptation_field().unwrap();
        assert_eq!(af.pcr(), h.pcr);
        assert!(af.random_access_indicator());
        assert!(af.discontinuity_indicator());
        assert_eq!(as_packet(&out).payload().unwrap(), &[1, 2, 3]);
    }

    #[test]
    fn overlong_adaptation_field_yields_no_payload() {
        let mut bytes = [0u8; PACKET_SIZE];
        bytes[0] = SYNC_BYTE;
        bytes[3] = 0x30;
        bytes[4] = 200;
        let packet = Packet::new(&bytes).unwrap();
        assert!(packet.adaptation_field().is_none());
        assert!(packet.payload().is_none());
    }

    #[test]
    fn continuity_counter_wraps_at_sixteen() {
        assert_eq!(ContinuityCounter::new(15).next().value(), 0);
    }
}
