//! Decides, for every unit, whether its timestamp continues the program's timeline.
//!
//! Each track must move forward smoothly; a track that jumps (upstream restart, zap, splice) breaks the
//! timeline only when it also disagrees with the program clock (the last accepted time of any track):
//! a jump that agrees with the other tracks is a local gap the track handles itself. After a break, units
//! of other tracks still on the old timeline are stale and dropped, until [`STALE_LIMIT`] in a row show
//! that the break was the odd one out, which then breaks back.

use e2gate_core::packet::Pid;
use e2gate_core::timestamp::{CLOCK_90K, MediaTime};

/// A track moving forward by more than this (90 kHz ticks) jumped.
pub const FORWARD_JUMP: i64 = CLOCK_90K;
/// A track moving backwards by more than this jumped.
pub const BACKWARD_JUMP: i64 = CLOCK_90K / 2;
/// Tracks of one timeline stay this close to each other (broadcast audio leads video by up to ~1 s).
pub const CLOCK_TOLERANCE: i64 = 3 * CLOCK_90K;
/// Stale units of one track tolerated in a row before its timeline wins.
pub const STALE_LIMIT: u32 = 25;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The unit continues the timeline.
    Accept,
    /// The unit belongs to a timeline that was left: drop it.
    Stale,
    /// The timeline breaks here: restart output with a discontinuity, then accept the unit.
    Break,
}

#[derive(Clone, Copy, Debug, Default)]
struct TrackTime {
    last: Option<MediaTime>,
    stale: u32,
}

#[derive(Debug, Default)]
pub struct Timeline {
    clock: Option<MediaTime>,
    tracks: Vec<(Pid, TrackTime)>,
}

impl Timeline {
    pub fn check(&mut self, pid: Pid, t: MediaTime) -> Verdict {
        let clock = *self.clock.get_or_insert(t);
        let consistent = t.saturating_sub(clock).abs() <= CLOCK_TOLERANCE;
        let index = match self.tracks.iter().position(|(p, _)| *p == pid) {
            Some(i) => i,
            None => {
                self.tracks.push((pid, TrackTime::default()));
                self.tracks.len() - 1
            }
        };
        let track = &mut self.tracks[index].1;
        let verdict = match track.last {
            Some(last) => {
                let step = t.saturating_sub(last);
                let jumped = !(-BACKWARD_JUMP..=FORWARD_JUMP).contains(&step);
                if jumped && !consistent {
                    Verdict::Break
                } else {
                    Verdict::Accept
                }
            }
            None if consistent => Verdict::Accept,
            None => {
                track.stale += 1;
                if track.stale > STALE_LIMIT {
                    Verdict::Break
                } else {
                    Verdict::Stale
                }
            }
        };
        match verdict {
            Verdict::Accept => {
                track.last = Some(t);
                track.stale = 0;
                self.clock = Some(t);
            }
            Verdict::Break => self.restart(pid, t),
            Verdict::Stale => {}
        }
        verdict
    }

    /// Starts a new timeline at `t` carried by `pid`; every other track must rejoin it.
    fn restart(&mut self, pid: Pid, t: MediaTime) {
        self.clock = Some(t);
        for (p, track) in &mut self.tracks {
            *track = TrackTime::default();
            if *p == pid {
                track.last = Some(t);
            }
        }
    }

    /// Forgets everything (the program changed).
    pub fn reset(&mut self) {
        self.clock = None;
        self.tracks.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIDEO: Pid = Pid::new(0x100);
    const AUDIO: Pid = Pid::new(0x101);

    #[test]
    fn interleaved_tracks_with_an_offset_are_accepted() {
        let mut timeline = Timeline::default();
        for i in 0..100 {
            assert_eq!(timeline.check(AUDIO, MediaTime(i * 2880)), Verdict::Accept);
            assert_eq!(
                timeline.check(VIDEO, MediaTime(90_000 + i * 3600)),
                Verdict::Accept
            );
        }
    }

    #[test]
    fn an_upstream_restart_breaks_once_and_old_units_are_stale() {
        let mut timeline = Timeline::default();
        timeline.check(VIDEO, MediaTime(0));
        timeline.check(AUDIO, MediaTime(0));
        assert_eq!(timeline.check(VIDEO, MediaTime(3600)), Verdict::Accept);
        assert_eq!(timeline.check(VIDEO, MediaTime(50_000_000)), Verdict::Break);
        assert_eq!(
            timeline.check(AUDIO, MediaTime(2880)),
            Verdict::Stale,
            "tail of the old timeline"
        );
        assert_eq!(
            timeline.check(AUDIO, MediaTime(50_000_000 - 40_000)),
            Verdict::Accept
        );
        assert_eq!(
            timeline.check(VIDEO, MediaTime(50_003_600)),
            Verdict::Accept
        );
    }

    #[test]
    fn a_gap_that_agrees_with_the_clock_is_local() {
        let mut timeline = Timeline::default();
        timeline.check(AUDIO, MediaTime(0));
        timeline.check(VIDEO, MediaTime(0));
        timeline.check(VIDEO, MediaTime(2 * CLOCK_90K));
        assert_eq!(
            timeline.check(AUDIO, MediaTime(2 * CLOCK_90K)),
            Verdict::Accept
        );
    }

    #[test]
    fn a_single_bogus_timestamp_heals() {
        let mut timeline = Timeline::default();
        timeline.check(VIDEO, MediaTime(0));
        timeline.check(AUDIO, MediaTime(0));
        assert_eq!(timeline.check(AUDIO, MediaTime(7_000_000)), Verdict::Break);
        let mut verdicts = Vec::new();
        for i in 1..=STALE_LIMIT as i64 + 1 {
            verdicts.push(timeline.check(VIDEO, MediaTime(i * 3600)));
        }
        assert_eq!(
            verdicts.last(),
            Some(&Verdict::Break),
            "video's timeline wins back"
        );
        assert!(
            verdicts[..verdicts.len() - 1]
                .iter()
                .all(|v| *v == Verdict::Stale)
        );
        assert_eq!(timeline.check(AUDIO, MediaTime(100_000)), Verdict::Accept);
    }
}
