//! Annex B byte streams (ITU-T H.264 Annex B, H.265 Annex B, and MPEG-2 video start codes):
//! start-code scanning and emulation-prevention removal.

/// Iterates over the units between `00 00 01` start codes. Each item starts right after its start code
/// (the NAL header, or the MPEG-2 start code value) and excludes trailing zero bytes.
pub fn units(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut pos = find_start_code(data, 0);
    std::iter::from_fn(move || {
        let start = pos? + 3;
        let next = find_start_code(data, start);
        let end = trim_trailing_zeros(data, start, next.unwrap_or(data.len()));
        pos = next;
        Some(&data[start..end])
    })
}

/// Like [`units`], but each unit is cut to at most `limit` bytes and found lazily: the scan for the next
/// start code runs only when the iterator advances, so a caller that stops at a slice header never reads
/// the slice data (the bulk of an access unit). Each item equals the corresponding item of [`units`] cut
/// to `limit` bytes.
pub fn unit_prefixes(data: &[u8], limit: usize) -> impl Iterator<Item = &[u8]> {
    let mut from = Some(0);
    std::iter::from_fn(move || {
        let start = find_start_code(data, from?)? + 3;
        from = Some(start);
        Some(unit_prefix(data, start, limit))
    })
}

/// The unit that starts at `start`, cut to `limit` bytes; its end is searched for inside that window.
fn unit_prefix(data: &[u8], start: usize, limit: usize) -> &[u8] {
    let window_end = data.len().min(start.saturating_add(limit));
    if window_end <= start {
        return &[];
    }
    // A start code whose `01` lies at most two bytes past the window begins inside it: the unit ends there.
    let searched = &data[..data.len().min(window_end + 2)];
    let end = match find_start_code(searched, start) {
        Some(next) => next,
        None if window_end == data.len() => data.len(),
        // Zero bytes at the window's edge may be trailing zeros before a start code further on, which
        // `units` leaves out: find the real end (rare; such zeros are never inside a NAL unit's data).
        None if data[window_end - 1] == 0 => find_start_code(data, start).unwrap_or(data.len()),
        None => window_end,
    };
    &data[start..trim_trailing_zeros(data, start, end).min(window_end)]
}

fn trim_trailing_zeros(data: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && data[end - 1] == 0 {
        end -= 1;
    }
    end
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
    fn prefixes_are_the_units_cut_to_the_limit() {
        let data = [
            0, 0, 1, 0x65, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 1, 0x41, 7, 0, 0, 0, 0, 0, 0, 0, 1, 0x06,
            9, 0, 0,
        ];
        let expected: Vec<&[u8]> = units(&data).collect();
        for limit in 0..data.len() + 2 {
            let cut: Vec<&[u8]> = expected.iter().map(|u| &u[..u.len().min(limit)]).collect();
            let found: Vec<&[u8]> = unit_prefixes(&data, limit).collect();
            assert_eq!(found, cut, "limit {limit}");
        }
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
