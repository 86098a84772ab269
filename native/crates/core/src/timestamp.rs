//! 90 kHz presentation/decoding timestamps and the 27 MHz program clock reference.
//!
//! ISO/IEC 13818-1 §2.4.3.7 (PTS/DTS: 33 bits of a 90 kHz clock, wrapping every ~26.5 h) and §2.4.3.5
//! (PCR: 33-bit base at 90 kHz plus a 9-bit extension at 27 MHz). On the wire a timestamp is a [`Timestamp`];
//! inside the engine every position is a [`MediaTime`], the same 90 kHz ticks on an unbounded 64-bit line,
//! produced by a [`Unwrapper`] that follows the 33-bit wrap.

/// Ticks per second of PTS, DTS and the PCR base.
pub const CLOCK_90K: i64 = 90_000;
/// Number of distinct 33-bit timestamp values; the wire value wraps at this modulus.
pub const TIMESTAMP_MODULUS: u64 = 1 << 33;
const TIMESTAMP_MASK: u64 = TIMESTAMP_MODULUS - 1;

/// A 33-bit PTS or DTS as carried in a PES header (90 kHz ticks, modulo 2^33).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp(u64);

impl Timestamp {
    /// Builds a timestamp from any integer; bits above 33 are discarded like an encoder would.
    pub fn new(ticks: u64) -> Self {
        Self(ticks & TIMESTAMP_MASK)
    }

    /// The 33-bit value in 90 kHz ticks.
    pub fn ticks(self) -> u64 {
        self.0
    }

    /// `self - earlier` modulo 2^33, as the signed distance in `[-2^32, 2^32)`: a wrap between the two
    /// values counts as a short step forward, not as a jump back by 26 hours.
    pub fn wrapping_delta(self, earlier: Timestamp) -> i64 {
        let raw = self.0.wrapping_sub(earlier.0) & TIMESTAMP_MASK;
        if raw >= TIMESTAMP_MODULUS / 2 {
            raw as i64 - TIMESTAMP_MODULUS as i64
        } else {
            raw as i64
        }
    }
}

/// A position on the engine's unwrapped 90 kHz timeline. Arithmetic never wraps in practice
/// (i64 ticks last 3 million years); conversion back to the wire is [`MediaTime::to_timestamp`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MediaTime(pub i64);

impl MediaTime {
    pub const ZERO: MediaTime = MediaTime(0);

    /// Ticks of the 90 kHz clock.
    pub fn ticks(self) -> i64 {
        self.0
    }

    pub fn from_secs_f64(seconds: f64) -> Self {
        MediaTime((seconds * CLOCK_90K as f64).round() as i64)
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / CLOCK_90K as f64
    }

    /// The wire value of this position (modulo 2^33).
    pub fn to_timestamp(self) -> Timestamp {
        Timestamp::new(self.0.rem_euclid(TIMESTAMP_MODULUS as i64) as u64)
    }

    /// Converts a count of samples at `rate` Hz into 90 kHz ticks, rounding to the nearest tick.
    pub fn from_samples(samples: i64, rate: u32) -> Self {
        let rate = i64::from(rate.max(1));
        MediaTime((samples * CLOCK_90K + rate / 2).div_euclid(rate))
    }

    pub fn saturating_add(self, ticks: i64) -> Self {
        MediaTime(self.0.saturating_add(ticks))
    }

    pub fn saturating_sub(self, other: MediaTime) -> i64 {
        self.0.saturating_sub(other.0)
    }
}

/// Maps 33-bit wire timestamps onto the unbounded [`MediaTime`] line.
///
/// Every stream of one program shares one unwrapper: each value is placed at the distance from the last
/// placed value that `Timestamp::wrapping_delta` gives, so values of different streams (audio up to ~1 s
/// ahead of video) and the 2^33 wrap both land where they belong. The first value maps to itself.
#[derive(Clone, Debug, Default)]
pub struct Unwrapper {
    last: Option<(Timestamp, MediaTime)>,
}

impl Unwrapper {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn unwrap(&mut self, ts: Timestamp) -> MediaTime {
        let placed = match self.last {
            None => MediaTime(ts.ticks() as i64),
            Some((last_ts, last_time)) => last_time.saturating_add(ts.wrapping_delta(last_ts)),
        };
        self.last = Some((ts, placed));
        placed
    }

    /// Forgets the reference so the next value starts a fresh mapping (used after a reset of the source).
    pub fn reset(&mut self) {
        self.last = None;
    }
}

/// Program clock reference (ISO/IEC 13818-1 §2.4.3.5): `base * 300 + extension` ticks of 27 MHz.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pcr {
    /// program_clock_reference_base, 33 bits at 90 kHz.
    pub base: Timestamp,
    /// program_clock_reference_extension, 9 bits (0..300) at 27 MHz.
    pub extension: u16,
}

impl Pcr {
    pub fn from_base(base: Timestamp) -> Self {
        Pcr { base, extension: 0 }
    }

    /// Parses the 6-byte PCR field of an adaptation field.
    pub fn parse(bytes: &[u8; 6]) -> Self {
        let base = (u64::from(bytes[0]) << 25)
            | (u64::from(bytes[1]) << 17)
            | (u64::from(bytes[2]) << 9)
            | (u64::from(bytes[3]) << 1)
            | (u64::from(bytes[4]) >> 7);
        let extension = (u16::from(bytes[4] & 0x01) << 8) | u16::from(bytes[5]);
        Pcr {
            base: Timestamp::new(base),
            extension,
        }
    }

    /// Serialises the 6-byte PCR field (6 reserved bits set to one).
    pub fn write(self) -> [u8; 6] {
        let base = self.base.ticks();
        [
            (base >> 25) as u8,
            (base >> 17) as u8,
            (base >> 9) as u8,
            (base >> 1) as u8,
            (((base & 1) as u8) << 7) | 0x7E | ((self.extension >> 8) as u8 & 0x01),
            self.extension as u8,
        ]
    }
}

/// The distance between consecutive frames of a stream, learnt from their timestamps: a step backwards, or of a
/// second or more, is a jump, not a frame, and leaves the learnt step as it was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameStep {
    last: Option<MediaTime>,
    step: i64,
}

impl FrameStep {
    /// Takes the next frame's timestamp.
    pub fn observe(&mut self, t: MediaTime) {
        if let Some(last) = self.last {
            let step = t.saturating_sub(last);
            if step > 0 && step < CLOCK_90K {
                self.step = step;
            }
        }
        self.last = Some(t);
    }

    /// The last step learnt, in ticks (0: none yet).
    pub fn step(&self) -> i64 {
        self.step
    }

    /// Where the next frame is expected: the last one plus the step, once both are known.
    pub fn next(&self) -> Option<MediaTime> {
        self.last
            .filter(|_| self.step > 0)
            .map(|last| last.saturating_add(self.step))
    }

    /// Forgets the last frame (a break); the step is kept.
    pub fn forget_last(&mut self) {
        self.last = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_delta_treats_the_wrap_as_a_short_step() {
        let before = Timestamp::new(TIMESTAMP_MODULUS - 900);
        let after = Timestamp::new(1800);
        assert_eq!(after.wrapping_delta(before), 2700);
        assert_eq!(before.wrapping_delta(after), -2700);
    }

    #[test]
    fn new_discards_bits_above_33() {
        assert_eq!(Timestamp::new(TIMESTAMP_MODULUS + 5).ticks(), 5);
    }

    #[test]
    fn unwrapper_follows_the_wrap_and_interleaved_streams() {
        let mut unwrapper = Unwrapper::new();
        let start = TIMESTAMP_MODULUS - 90_000;
        let video = unwrapper.unwrap(Timestamp::new(start));
        let audio_earlier = unwrapper.unwrap(Timestamp::new(start - 80_000));
        let video_after_wrap = unwrapper.unwrap(Timestamp::new(45_000));
        assert_eq!(video.ticks(), start as i64);
        assert_eq!(audio_earlier.ticks(), start as i64 - 80_000);
        assert_eq!(video_after_wrap.ticks(), TIMESTAMP_MODULUS as i64 + 45_000);
        assert_eq!(video_after_wrap.to_timestamp(), Timestamp::new(45_000));
    }

    #[test]
    fn media_time_to_timestamp_handles_negative_positions() {
        assert_eq!(MediaTime(-1).to_timestamp().ticks(), TIMESTAMP_MODULUS - 1);
    }

    #[test]
    fn samples_convert_to_ticks() {
        assert_eq!(MediaTime::from_samples(1024, 48_000).ticks(), 1920);
        assert_eq!(MediaTime::from_samples(1152, 48_000).ticks(), 2160);
        assert_eq!(MediaTime::from_samples(1536, 48_000).ticks(), 2880);
    }

    #[test]
    fn pcr_roundtrips_through_its_wire_form() {
        let pcr = Pcr {
            base: Timestamp::new(TIMESTAMP_MODULUS - 3),
            extension: 299,
        };
        assert_eq!(Pcr::parse(&pcr.write()), pcr);
    }

    #[test]
    fn frame_step_learns_the_step_and_ignores_jumps() {
        let mut step = FrameStep::default();
        assert_eq!(step.next(), None);
        step.observe(MediaTime(1000));
        step.observe(MediaTime(4600));
        assert_eq!(step.step(), 3600);
        step.observe(MediaTime(4600 + 10 * CLOCK_90K));
        step.observe(MediaTime(0));
        assert_eq!(step.step(), 3600);
        assert_eq!(step.next(), Some(MediaTime(3600)));
        step.forget_last();
        assert_eq!((step.next(), step.step()), (None, 3600));
    }
}
