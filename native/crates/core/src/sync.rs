//! Packet alignment of a raw byte stream (ISO/IEC 13818-1 §2.4.3.2: every packet starts with 0x47).
//!
//! Input arrives in arbitrary chunks (an HTTP body read 64 KiB at a time), so packets straddle chunk edges.
//! [`PacketSync`] keeps the unfinished tail between calls and, after garbage or a cut packet, searches for a
//! position where two consecutive packets start with the sync byte before it trusts the alignment again.

use crate::packet::{PACKET_SIZE, SYNC_BYTE};

/// What one [`PacketSync::feed`] call skipped while searching for alignment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Bytes thrown away because they did not belong to an aligned packet.
    pub skipped_bytes: usize,
    /// Number of times alignment was lost and searched for again.
    pub resyncs: usize,
}

/// Splits a byte stream into aligned 188-byte packets. Memory held between calls is at most two packets.
#[derive(Debug, Default)]
pub struct PacketSync {
    pending: Vec<u8>,
}

impl PacketSync {
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes held back, waiting for the rest of their packet.
    pub fn buffered(&self) -> usize {
        self.pending.len()
    }

    /// Appends `input` and calls `on_packet` for every aligned packet now complete. Aligned input is read
    /// in place; only a packet cut by the chunk edge (or bytes after lost alignment) is copied.
    pub fn feed(
        &mut self,
        mut input: &[u8],
        mut on_packet: impl FnMut(&[u8; PACKET_SIZE]),
    ) -> SyncReport {
        let mut report = SyncReport::default();
        if !self.pending.is_empty()
            && self.pending[0] == SYNC_BYTE
            && self.pending.len() < PACKET_SIZE
        {
            let need = PACKET_SIZE - self.pending.len();
            if input.len() < need {
                self.pending.extend_from_slice(input);
                return report;
            }
            if input.len() == need || input[need] == SYNC_BYTE {
                self.pending.extend_from_slice(&input[..need]);
                on_packet(self.pending[..].try_into().expect("a whole packet"));
                self.pending.clear();
                input = &input[need..];
            }
        }
        if self.pending.is_empty() {
            let used = scan(input, &mut on_packet, &mut report);
            self.pending.extend_from_slice(&input[used..]);
            return report;
        }
        self.pending.extend_from_slice(input);
        let pending = std::mem::take(&mut self.pending);
        let used = scan(&pending, &mut on_packet, &mut report);
        self.pending = pending;
        self.pending.drain(..used);
        report
    }
}

/// Emits the aligned packets of `data`; returns how many bytes were used (the rest waits for more input).
fn scan(
    data: &[u8],
    on_packet: &mut impl FnMut(&[u8; PACKET_SIZE]),
    report: &mut SyncReport,
) -> usize {
    let mut pos = 0usize;
    while data.len() - pos >= PACKET_SIZE {
        let next = pos + PACKET_SIZE;
        let aligned = data[pos] == SYNC_BYTE && (next >= data.len() || data[next] == SYNC_BYTE);
        if aligned {
            on_packet(data[pos..next].try_into().expect("slice of packet size"));
            pos = next;
            continue;
        }
        report.resyncs += 1;
        match find_alignment(&data[pos + 1..]) {
            Some(offset) => {
                report.skipped_bytes += offset + 1;
                pos += offset + 1;
            }
            None => {
                // Keep one packet's worth: its sync byte may be confirmed by the next chunk.
                let keep_from = data.len().saturating_sub(PACKET_SIZE).max(pos + 1);
                let keep_from = data[keep_from..]
                    .iter()
                    .position(|&b| b == SYNC_BYTE)
                    .map_or(data.len(), |i| keep_from + i);
                report.skipped_bytes += keep_from - pos;
                return keep_from;
            }
        }
    }
    pos
}

/// First offset where a sync byte is followed by another one a packet later (or by the end of the data).
fn find_alignment(data: &[u8]) -> Option<usize> {
    let mut offset = 0;
    while offset < data.len() {
        let found = data[offset..].iter().position(|&b| b == SYNC_BYTE)? + offset;
        let next = found + PACKET_SIZE;
        if next < data.len() && data[next] == SYNC_BYTE {
            return Some(found);
        }
        if next >= data.len() {
            return None;
        }
        offset = found + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(tag: u8) -> Vec<u8> {
        let mut p = vec![tag; PACKET_SIZE];
        p[0] = SYNC_BYTE;
        p
    }

    fn collect(sync: &mut PacketSync, input: &[u8]) -> (Vec<u8>, SyncReport) {
        let mut tags = Vec::new();
        let report = sync.feed(input, |p| tags.push(p[1]));
        (tags, report)
    }

    #[test]
    fn aligned_stream_split_anywhere_yields_every_packet() {
        let stream: Vec<u8> = (1..=5).flat_map(packet).collect();
        for cut in 0..stream.len() {
            let mut sync = PacketSync::new();
            let (mut tags, _) = collect(&mut sync, &stream[..cut]);
            let (rest, report) = collect(&mut sync, &stream[cut..]);
            tags.extend(rest);
            assert_eq!(tags, vec![1, 2, 3, 4, 5], "cut at {cut}");
            assert_eq!(report.skipped_bytes, 0);
        }
    }

    /// A packet followed by garbage cannot be told apart from a packet with garbage inside: it is dropped.
    #[test]
    fn garbage_between_packets_is_skipped_and_counted() {
        let mut stream = packet(1);
        stream.extend_from_slice(&[0x00, 0x47, 0x12, 0x99]);
        stream.extend(packet(2));
        stream.extend(packet(3));
        let mut sync = PacketSync::new();
        let (tags, report) = collect(&mut sync, &stream);
        assert_eq!(tags, vec![2, 3]);
        assert_eq!(report.skipped_bytes, PACKET_SIZE + 4);
        assert_eq!(report.resyncs, 1);
    }

    #[test]
    fn truncated_packet_does_not_hide_the_next_one() {
        let mut stream = packet(1);
        stream.extend_from_slice(&packet(9)[..100]);
        stream.extend(packet(2));
        stream.extend(packet(3));
        let mut sync = PacketSync::new();
        let (tags, report) = collect(&mut sync, &stream);
        assert_eq!(tags, vec![1, 2, 3]);
        assert_eq!(report.skipped_bytes, 100);
    }

    #[test]
    fn buffer_stays_bounded_on_pure_garbage() {
        let mut sync = PacketSync::new();
        for _ in 0..100 {
            collect(&mut sync, &[0x47u8; 1000]);
            collect(&mut sync, &[0x12u8; 1000]);
            assert!(sync.buffered() < 2 * PACKET_SIZE);
        }
    }
}
