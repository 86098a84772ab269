//! `MediaPlaylist`: the core's HLS media playlist model, for the CLI and tests.

use napi::Env;
use napi_derive::napi;

use e2gate_core::playlist::{self, PlaylistEntry, PlaylistKind};

use crate::error::{Code, throw};

#[napi(object)]
pub struct MediaPlaylistOptions {
    /// `'live'` (sliding window), `'event'` (grows) or `'vod'` (complete when ended).
    /// @default 'live'
    #[napi(ts_type = "'live' | 'event' | 'vod'")]
    pub kind: Option<String>,
    /// Segments kept by a live playlist; 0 keeps all.
    /// @default 6
    pub window: Option<u32>,
    /// The segmenter's target duration in seconds. EXT-X-TARGETDURATION is this rounded up to whole seconds
    /// and stays constant for the life of the playlist (RFC 8216), even when a segment is longer (a source
    /// GOP longer than the target); `longestSegment` shows such an overrun.
    /// @default 2
    pub target_duration: Option<f64>,
}

#[napi(object)]
pub struct MediaPlaylistSegment {
    pub uri: String,
    /// Seconds.
    pub duration: f64,
    /// @default false
    pub discontinuity: Option<bool>,
    /// Starts with a keyframe. @default true
    pub independent: Option<bool>,
    /// Wall-clock time of the first frame (ms since the epoch); derived from the previous segment when
    /// omitted. Give it for the first segment and after a discontinuity.
    pub program_date_time: Option<f64>,
}

/// An HLS media playlist (RFC 8216): sliding window, media sequence, discontinuities, program date-time.
/// EXT-X-TARGETDURATION is the configured target, constant for the playlist's life;
/// EXT-X-INDEPENDENT-SEGMENTS is written while every segment pushed so far was independent.
#[napi]
pub struct MediaPlaylist {
    inner: playlist::MediaPlaylist,
}

#[napi]
impl MediaPlaylist {
    /// Throws `ERR_NATIVE_INVALID_OPTIONS` for an unknown kind or a target outside 0.5–60 s.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, options: Option<MediaPlaylistOptions>) -> napi::Result<Self> {
        let options = options.unwrap_or(MediaPlaylistOptions {
            kind: None,
            window: None,
            target_duration: None,
        });
        let kind = match options.kind.as_deref() {
            None | Some("live") => PlaylistKind::Live,
            Some("event") => PlaylistKind::Event,
            Some("vod") => PlaylistKind::Vod,
            Some(other) => {
                return Err(throw(
                    &env,
                    Code::InvalidOptions,
                    format!("kind: must be 'live', 'event' or 'vod', got '{other}'"),
                ));
            }
        };
        let target = options.target_duration.unwrap_or(2.0);
        if !(0.5..=60.0).contains(&target) {
            return Err(throw(
                &env,
                Code::InvalidOptions,
                format!("targetDuration: must be 0.5–60 seconds, got {target}"),
            ));
        }
        Ok(MediaPlaylist {
            inner: playlist::MediaPlaylist::new(kind, options.window.unwrap_or(6) as usize, target),
        })
    }

    /// Appends a segment (and drops the oldest beyond the window).
    #[napi(catch_unwind)]
    pub fn push(&mut self, env: Env, segment: MediaPlaylistSegment) -> napi::Result<()> {
        if !segment.duration.is_finite() || segment.duration < 0.0 {
            return Err(throw(
                &env,
                Code::InvalidOptions,
                format!(
                    "duration: must be a non-negative number, got {}",
                    segment.duration
                ),
            ));
        }
        self.inner.push(PlaylistEntry {
            uri: segment.uri,
            duration: segment.duration,
            discontinuity: segment.discontinuity.unwrap_or(false),
            independent: segment.independent.unwrap_or(true),
            program_date_time_ms: segment
                .program_date_time
                .filter(|t| t.is_finite())
                .map(|t| t as i64),
        });
        Ok(())
    }

    /// Marks the playlist complete (`#EXT-X-ENDLIST`).
    #[napi(catch_unwind)]
    pub fn end(&mut self) -> napi::Result<()> {
        self.inner.end();
        Ok(())
    }

    /// The playlist text.
    #[napi(catch_unwind)]
    pub fn render(&self) -> napi::Result<String> {
        Ok(self.inner.render())
    }

    /// EXT-X-MEDIA-SEQUENCE: the sequence number of the first listed segment.
    #[napi(getter)]
    pub fn media_sequence(&self) -> i64 {
        self.inner.media_sequence() as i64
    }

    /// The longest segment pushed so far, in seconds (0 before the first); above the declared
    /// EXT-X-TARGETDURATION when a segment overran it.
    #[napi(getter)]
    pub fn longest_segment(&self) -> f64 {
        self.inner.longest_segment()
    }
}
