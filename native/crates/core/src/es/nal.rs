//! Annex B byte streams (ITU-T H.264 Annex B, H.265 Annex B, and MPEG-2 video start codes):
//! start-code scanning and emulation-prevention removal.

/// Iterates over the units between `00 00 01` start codes. Each item starts right after its start code
/// (the NAL header, or the MPEG-2 start code value) and excludes trailing zero bytes.
pub fn units(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut pos = find_start_code(data, 0);
    std::iter::from_fn(move || {
        let start = pos? + 3;
        let next = find_start_code(data, start);
        let mut end = next.unwrap_or(data.len());
        while end > start && data[end - 1] == 0 {
            end -= 1;
        }
        pos = next;
        Some(&data[start..end])
    })
}

/// Position of the next `00 00 01` at or after `from`.
pub fn find_start_code(data: &[u8], from: usize) -> Option<usize> {
    let mut search = from.checked_add(2)?;
    while search < data.len() {
        let one = search + memchr::memchr(1, &data[search..])?;
        if data[one - 1] == 0 && data[one - 2] == 0 {
            return Some(one - 2);
        }
        search = one + 1;
    }
    None
}

/// Removes emulation_prevention_three_byte (`00 00 03` → `00 00`) from at most `limit` bytes of `nal`.
pub fn rbsp(nal: &[u8], limit: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(nal.len().min(limit));
    let mut zeros = 0;
    for &byte in nal.iter().take(limit) {
        if zeros >= 2 && byte == 3 {
            zeros = 0;
            continue;
        }
        zeros = if byte == 0 { zeros + 1 } else { 0 };
        out.push(byte);
    }
    out
}

/// Inserts emulation prevention bytes (used by the test writers).
pub fn escape_rbsp(rbsp: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rbsp.len() + 8);
    let mut zeros = 0;
    for &byte in rbsp {
        if zeros >= 2 && byte <= 3 {
            out.push(3);
            zeros = 0;
        }
        zeros = if byte == 0 { zeros + 1 } else { 0 };
        out.push(byte);
    }
    out
}

/// Appends a 4-byte start code and the unit.
pub fn push_unit(out: &mut Vec<u8>, unit: &[u8]) {
    out.extend_from_slice(&[0, 0, 0, 1]);
    out.extend_from_slice(unit);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_three_and_four_byte_start_codes() {
        let data = [
            0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 0, 1, 0x68, 3,
        ];
        let found: Vec<&[u8]> = units(&data).collect();
        assert_eq!(
            found,
            vec![&[0x09, 0xF0][..], &[0x67, 1, 2][..], &[0x68, 3][..]]
        );
    }

    #[test]
    fn no_start_code_means_no_units() {
        assert_eq!(units(&[1, 2, 3, 0, 0]).count(), 0);
    }

    #[test]
    fn emulation_prevention_roundtrips() {
        let raw = [0x67, 0, 0, 1, 0, 0, 0, 0, 0, 3, 0xFF];
        let escaped = escape_rbsp(&raw);
        assert!(
            units(&escaped).next().is_none(),
            "escaped data must not contain start codes"
        );
        assert_eq!(rbsp(&escaped, usize::MAX), raw);
    }
}
