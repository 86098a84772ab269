//! Bit-level reading and writing for elementary-stream headers (H.264/HEVC Exp-Golomb codes, ITU-T H.264
//! §9.1) and the field-named test writers.

/// Reads bits MSB first from a byte slice. Reads past the end return `None`, never panic.
#[derive(Clone, Debug)]
pub struct BitReader<'a> {
    data: &'a [u8],
    bit: usize,
}

impl<'a> BitReader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        BitReader { data, bit: 0 }
    }

    pub fn bits_left(&self) -> usize {
        (self.data.len() * 8).saturating_sub(self.bit)
    }

    pub fn read_bit(&mut self) -> Option<bool> {
        let byte = *self.data.get(self.bit / 8)?;
        let value = (byte >> (7 - self.bit % 8)) & 1 == 1;
        self.bit += 1;
        Some(value)
    }

    /// Reads `n <= 32` bits.
    pub fn read_bits(&mut self, n: u32) -> Option<u32> {
        debug_assert!(n <= 32);
        if self.bits_left() < n as usize {
            return None;
        }
        let mut value = 0u32;
        for _ in 0..n {
            value = (value << 1) | u32::from(self.read_bit()?);
        }
        Some(value)
    }

    pub fn skip_bits(&mut self, n: usize) -> Option<()> {
        if self.bits_left() < n {
            return None;
        }
        self.bit += n;
        Some(())
    }

    /// ue(v): unsigned Exp-Golomb code. Values needing more than 31 leading zeros are rejected.
    pub fn read_ue(&mut self) -> Option<u32> {
        let mut zeros = 0u32;
        while !self.read_bit()? {
            zeros += 1;
            if zeros > 31 {
                return None;
            }
        }
        if zeros == 0 {
            return Some(0);
        }
        let rest = self.read_bits(zeros)?;
        Some(((1u64 << zeros) - 1 + u64::from(rest)).min(u64::from(u32::MAX)) as u32)
    }

    /// se(v): signed Exp-Golomb code.
    pub fn read_se(&mut self) -> Option<i32> {
        let code = self.read_ue()? as i64;
        let value = if code % 2 == 1 {
            (code + 1) / 2
        } else {
            -(code / 2)
        };
        Some(value as i32)
    }
}

/// Writes bits MSB first; used to build synthetic bitstreams in tests and the fuzz roundtrips.
#[derive(Clone, Debug, Default)]
pub struct BitWriter {
    bytes: Vec<u8>,
    bit: usize,
}

impl BitWriter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn bit(&mut self, value: bool) -> &mut Self {
        if self.bit.is_multiple_of(8) {
            self.bytes.push(0);
        }
        if value {
            let last = self.bytes.len() - 1;
            self.bytes[last] |= 1 << (7 - self.bit % 8);
        }
        self.bit += 1;
        self
    }

    pub fn bits(&mut self, n: u32, value: u32) -> &mut Self {
        for i in (0..n).rev() {
            self.bit((value >> i) & 1 == 1);
        }
        self
    }

    pub fn ue(&mut self, value: u32) -> &mut Self {
        let code = u64::from(value) + 1;
        let len = 64 - code.leading_zeros();
        for _ in 0..len - 1 {
            self.bit(false);
        }
        for i in (0..len).rev() {
            self.bit((code >> i) & 1 == 1);
        }
        self
    }

    pub fn se(&mut self, value: i32) -> &mut Self {
        let code = if value > 0 {
            (value as u32) * 2 - 1
        } else {
            value.unsigned_abs() * 2
        };
        self.ue(code)
    }

    /// Bits written so far.
    pub fn len_bits(&self) -> usize {
        self.bit
    }

    /// Pads with a stop bit and zeros to a byte boundary (rbsp_trailing_bits) and returns the bytes.
    pub fn finish_rbsp(mut self) -> Vec<u8> {
        self.bit(true);
        self.bytes
    }

    /// Returns the bytes, zero-padded to a byte boundary.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_golomb_roundtrips() {
        let mut writer = BitWriter::new();
        for v in [0u32, 1, 2, 3, 7, 8, 255, 65_535] {
            writer.ue(v);
        }
        for v in [0i32, 1, -1, 2, -2, 1000, -1000] {
            writer.se(v);
        }
        let bytes = writer.into_bytes();
        let mut reader = BitReader::new(&bytes);
        for v in [0u32, 1, 2, 3, 7, 8, 255, 65_535] {
            assert_eq!(reader.read_ue(), Some(v));
        }
        for v in [0i32, 1, -1, 2, -2, 1000, -1000] {
            assert_eq!(reader.read_se(), Some(v));
        }
    }

    #[test]
    fn reading_past_the_end_is_none() {
        let mut reader = BitReader::new(&[0xFF]);
        assert_eq!(reader.read_bits(8), Some(0xFF));
        assert_eq!(reader.read_bit(), None);
        assert_eq!(BitReader::new(&[0, 0, 0, 0, 0]).read_ue(), None);
    }
}
