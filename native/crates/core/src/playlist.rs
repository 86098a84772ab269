//! HLS media playlist model (RFC 8216 §4.3.3/§4.3.2, Apple HLS authoring spec §8): a sliding window of
//! segments with media sequence, discontinuity sequence and program date-time, rendered as text.
//!
//! The core has no clock: the caller passes the wall-clock time of a segment's first frame when it has one
//! (first segment, after a discontinuity); otherwise it is derived from the previous segment plus its
//! duration ("advance by media time").
//!
//! EXT-X-TARGETDURATION is the configured target rounded up to whole seconds and never changes during the
//! playlist's life (RFC 8216 §4.3.3.1 and §6.2.1: it MUST NOT change). A segment longer than that (a source GOP
//! longer than the target) is listed with its real EXTINF; [`MediaPlaylist::longest_segment`] reports the
//! overrun so the caller can create its playlists with a target that covers the source.

use std::collections::VecDeque;
use std::fmt::Write;

/// Whether the playlist slides, only grows, or is complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaylistKind {
    /// Live sliding window (no EXT-X-PLAYLIST-TYPE).
    Live,
    /// Grows only (EXT-X-PLAYLIST-TYPE:EVENT).
    Event,
    /// Complete file (EXT-X-PLAYLIST-TYPE:VOD, written when ended).
    Vod,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlaylistEntry {
    pub uri: String,
    /// Seconds.
    pub duration: f64,
    pub discontinuity: bool,
    /// Starts with a keyframe.
    pub independent: bool,
    /// Milliseconds since the Unix epoch of the first frame.
    pub program_date_time_ms: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct MediaPlaylist {
    kind: PlaylistKind,
    /// Segments kept; 0 keeps all.
    window: usize,
    target_duration: u64,
    /// Longest EXTINF pushed so far, in seconds.
    longest: f64,
    /// Every segment pushed so far started with a keyframe.
    all_independent: bool,
    media_sequence: u64,
    discontinuity_sequence: u64,
    entries: VecDeque<PlaylistEntry>,
    ended: bool,
}

impl MediaPlaylist {
    /// `target_seconds` is the segmenter's target; EXT-X-TARGETDURATION is that, rounded up to whole seconds,
    /// for the life of the playlist.
    pub fn new(kind: PlaylistKind, window: usize, target_seconds: f64) -> Self {
        MediaPlaylist {
            kind,
            window: if kind == PlaylistKind::Live {
                window
            } else {
                0
            },
            target_duration: target_seconds.ceil().max(1.0) as u64,
            longest: 0.0,
            all_independent: true,
            media_sequence: 0,
            discontinuity_sequence: 0,
            entries: VecDeque::new(),
            ended: false,
        }
    }

    pub fn media_sequence(&self) -> u64 {
        self.media_sequence
    }

    /// EXT-X-TARGETDURATION, in seconds.
    pub fn target_duration(&self) -> u64 {
        self.target_duration
    }

    /// The longest segment pushed so far, in seconds (0 before the first); above
    /// [`MediaPlaylist::target_duration`] when a segment overran the target.
    pub fn longest_segment(&self) -> f64 {
        self.longest
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Appends a segment, dropping the oldest beyond the window.
    pub fn push(&mut self, mut entry: PlaylistEntry) {
        if entry.program_date_time_ms.is_none()
            && let Some(previous) = self.entries.back()
        {
            entry.program_date_time_ms = previous
                .program_date_time_ms
                .map(|t| t + (previous.duration * 1000.0).round() as i64);
        }
        self.longest = self.longest.max(entry.duration);
        self.all_independent &= entry.independent;
        self.entries.push_back(entry);
        while self.window > 0 && self.entries.len() > self.window {
            if let Some(removed) = self.entries.pop_front() {
                self.media_sequence += 1;
                // RFC 8216 §6.2.2: removing a segment tagged EXT-X-DISCONTINUITY bumps the sequence.
                self.discontinuity_sequence += u64::from(removed.discontinuity);
            }
        }
    }

    /// Marks the playlist complete (EXT-X-ENDLIST).
    pub fn end(&mut self) {
        self.ended = true;
    }

    pub fn render(&self) -> String {
        let mut out = String::with_capacity(128 + self.entries.len() * 96);
        out.push_str("#EXTM3U\n#EXT-X-VERSION:3\n");
        let _ = writeln!(out, "#EXT-X-TARGETDURATION:{}", self.target_duration);
        let _ = writeln!(out, "#EXT-X-MEDIA-SEQUENCE:{}", self.media_sequence);
        if self.discontinuity_sequence > 0 {
            let _ = writeln!(
                out,
                "#EXT-X-DISCONTINUITY-SEQUENCE:{}",
                self.discontinuity_sequence
            );
        }
        match self.kind {
            PlaylistKind::Live => {}
            PlaylistKind::Event => out.push_str("#EXT-X-PLAYLIST-TYPE:EVENT\n"),
            PlaylistKind::Vod => out.push_str("#EXT-X-PLAYLIST-TYPE:VOD\n"),
        }
        // Every segment so far, not only those in the window: the tag does not come back once it was wrong.
        if !self.entries.is_empty() && self.all_independent {
            out.push_str("#EXT-X-INDEPENDENT-SEGMENTS\n");
        }
        for entry in &self.entries {
            if entry.discontinuity {
                out.push_str("#EXT-X-DISCONTINUITY\n");
            }
            if let Some(ms) = entry.program_date_time_ms {
                let _ = writeln!(out, "#EXT-X-PROGRAM-DATE-TIME:{}", iso8601(ms));
            }
            let _ = writeln!(out, "#EXTINF:{:.3},\n{}", entry.duration, entry.uri);
        }
        if self.ended {
            out.push_str("#EXT-X-ENDLIST\n");
        }
        out
    }
}

/// Formats milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ` (proleptic Gregorian, UTC).
pub fn iso8601(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    // Civil-from-days (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: usize, discontinuity: bool) -> PlaylistEntry {
        PlaylistEntry {
            uri: format!("seg{i}.ts"),
            duration: 2.0 + i as f64 * 0.01,
            discontinuity,
            independent: true,
            program_date_time_ms: None,
        }
    }

    #[test]
    fn formats_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(iso8601(1_795_263_300_500), "2026-11-21T12:15:00.500Z");
    }

    #[test]
    fn window_slides_and_counts_sequences() {
        let mut playlist = MediaPlaylist::new(PlaylistKind::Live, 3, 2.0);
        let mut first = entry(0, false);
        first.program_date_time_ms = Some(1_795_263_300_000);
        playlist.push(first);
        for i in 1..6 {
            playlist.push(entry(i, i == 2));
        }
        let text = playlist.render();
        assert!(text.contains("#EXT-X-MEDIA-SEQUENCE:3\n"), "{text}");
        assert!(text.contains("#EXT-X-DISCONTINUITY-SEQUENCE:1\n"), "{text}");
        assert!(!text.contains("seg2.ts") && text.contains("seg3.ts") && text.contains("seg5.ts"));
        assert!(
            text.contains("#EXT-X-TARGETDURATION:2\n"),
            "the target, not the longest"
        );
        assert!((playlist.longest_segment() - 2.05).abs() < 1e-9);
        // seg3 starts after seg0..seg2: 2.00 + 2.01 + 2.02 s later.
        assert!(
            text.contains(
                "#EXT-X-PROGRAM-DATE-TIME:2026-11-21T12:15:06.030Z\n#EXTINF:2.030,\nseg3.ts"
            ),
            "{text}"
        );
        assert!(!text.contains("ENDLIST"));
    }

    #[test]
    fn target_duration_stays_constant_when_a_segment_overruns_it() {
        let mut playlist = MediaPlaylist::new(PlaylistKind::Live, 6, 1.5);
        assert_eq!(playlist.target_duration(), 2, "rounded up");
        assert_eq!(playlist.longest_segment(), 0.0);
        for duration in [1.9, 5.12, 2.0] {
            playlist.push(PlaylistEntry {
                duration,
                ..entry(0, false)
            });
        }
        let text = playlist.render();
        assert!(text.contains("#EXT-X-TARGETDURATION:2\n"), "{text}");
        assert!(text.contains("#EXTINF:5.120,\n"), "{text}");
        assert_eq!(playlist.longest_segment(), 5.12);
    }

    #[test]
    fn independent_segments_only_while_every_segment_so_far_was() {
        let mut playlist = MediaPlaylist::new(PlaylistKind::Live, 2, 2.0);
        playlist.push(entry(0, false));
        assert!(playlist.render().contains("#EXT-X-INDEPENDENT-SEGMENTS\n"));
        playlist.push(PlaylistEntry {
            independent: false,
            ..entry(1, false)
        });
        for i in 2..5 {
            playlist.push(entry(i, false));
        }
        let text = playlist.render();
        assert!(!text.contains("seg1.ts"), "the forced cut left the window");
        assert!(!text.contains("INDEPENDENT"), "{text}");
    }

    #[test]
    fn vod_keeps_everything_and_ends() {
        let mut playlist = MediaPlaylist::new(PlaylistKind::Vod, 3, 6.0);
        for i in 0..10 {
            playlist.push(entry(i, false));
        }
        playlist.end();
        let text = playlist.render();
        assert_eq!(text.matches("#EXTINF").count(), 10);
        assert!(text.starts_with(
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n"
        ));
        assert!(text.contains("#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n"));
        assert!(text.ends_with("#EXT-X-ENDLIST\n"));
    }
}
