//! The video track of a pipeline: copied, or transcoded to H.264 (see [`VideoTranscoder`]).
//!
//! Both routes start at a keyframe: before the first one (a start mid-GOP, after a break) access units are
//! dropped, and so are leading pictures shown before it (open GOP; they reference pictures never output).
//! A copied track repeats the last parameter sets in front of keyframes that lack them and repairs the
//! reference marking of an H.264 open-GOP start ([`StartRepair`]). A transcoded track decides at each start
//! whether it transcodes at all ([`TranscodeWhen`]); its output starts with the encoder's first picture, a
//! few pictures after its input did.

use std::borrow::Cow;

use e2gate_codec::{EncodedPicture, Encoder, VideoSettings, VideoTranscoder};
use e2gate_core::demux::VideoUnit;
use e2gate_core::es;
use e2gate_core::es::h264_start::StartRepair;
use e2gate_core::stream_type::VideoCodec;
use e2gate_core::timestamp::{CLOCK_90K, FrameStep, MediaTime};
use e2gate_core::warning::{WarningCounts, WarningKind};

use crate::layout::VideoSpec;
use crate::options::{TranscodeWhen, VideoOutput};

/// An access unit ready for the multiplexer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VideoOut {
    /// Rendition of the ladder (0: the main one, and the only one when copying).
    pub rendition: usize,
    pub pts: MediaTime,
    pub dts: MediaTime,
    /// Presentation duration in ticks (0 while unknown).
    pub duration: i64,
    pub data: Vec<u8>,
    pub keyframe: bool,
    /// Carries parameter sets the stream's format can be learnt from.
    pub parameter_sets: bool,
    /// The first output since the track (re)started.
    pub first: bool,
}

struct Transcoding {
    when: TranscodeWhen,
    settings: VideoSettings,
    /// `None` while waiting for a start, or when this start copies (the source is playable as it is).
    coder: Option<VideoTranscoder>,
    unavailable: bool,
    /// This start needs a transcoder that cannot be had: its pictures are dropped (a source that is not
    /// H.264 must not reach an H.264 output stream).
    dropping: bool,
    encoded: Vec<EncodedPicture>,
}

pub struct VideoTrack {
    spec: VideoSpec,
    waiting: bool,
    /// Nothing was output since the last (re)start.
    output_pending: bool,
    skip_reported: bool,
    /// PTS of the keyframe the track (re)started at: pictures shown before it are dropped.
    start_pts: Option<MediaTime>,
    start_repair: StartRepair,
    parameter_sets: Vec<Vec<u8>>,
    frames: FrameStep,
    transcoding: Option<Transcoding>,
}

impl VideoTrack {
    pub fn new(spec: VideoSpec, output: &VideoOutput) -> Self {
        let transcoding = match output {
            VideoOutput::Copy => None,
            VideoOutput::Transcode { when, settings } => Some(Transcoding {
                when: *when,
                settings: settings.clone(),
                coder: None,
                unavailable: false,
                dropping: false,
                encoded: Vec::new(),
            }),
        };
        VideoTrack {
            spec,
            waiting: true,
            output_pending: true,
            skip_reported: false,
            start_pts: None,
            start_repair: StartRepair::default(),
            parameter_sets: Vec::new(),
            frames: FrameStep::default(),
            transcoding,
        }
    }

    pub fn spec(&self) -> &VideoSpec {
        &self.spec
    }

    /// Keeps the parameter sets of a track this one replaces (same source and codec): a keyframe without
    /// them can still start the output.
    pub fn inherit(&mut self, previous: VideoTrack) {
        if previous.spec.source == self.spec.source && previous.spec.codec == self.spec.codec {
            self.parameter_sets = previous.parameter_sets;
        }
    }

    /// Nothing was output since the last (re)start: audio waits for the first picture.
    pub fn output_pending(&self) -> bool {
        self.output_pending
    }

    /// The video encoder backend in use (`software`, `vaapi`, `nvenc`); `None` while copying.
    pub fn encoder(&self) -> Option<&'static str> {
        let coder = self.transcoding.as_ref()?.coder.as_ref()?;
        coder.encoder().map(Encoder::name)
    }

    /// Whether the current start transcodes.
    pub fn transcoding(&self) -> bool {
        self.transcoding.as_ref().is_some_and(|t| t.coder.is_some())
    }

    /// Takes one access unit of the source; appends what goes out.
    pub fn process(
        &mut self,
        unit: VideoUnit,
        out: &mut Vec<VideoOut>,
        warnings: &mut WarningCounts,
    ) {
        let started_now = self.waiting && unit.info.keyframe;
        if self.waiting && !unit.info.keyframe {
            if !self.skip_reported {
                self.skip_reported = true;
                warnings.add(WarningKind::SkippedBeforeKeyframe, 1);
            }
            return;
        }
        if started_now {
            self.start_pts = Some(unit.pts);
        } else if self.start_pts.is_some_and(|start| unit.pts < start) {
            warnings.add(WarningKind::SkippedBeforeKeyframe, 1);
            return;
        }
        self.waiting = false;
        if unit.info.has_parameter_sets {
            self.parameter_sets = es::parameter_sets(unit.codec, &unit.data)
                .into_iter()
                .map(<[u8]>::to_vec)
                .collect();
        }
        if started_now {
            self.start_route(&unit, warnings);
        }
        if self.transcoding() {
            self.transcode(&unit, out, warnings);
        } else if !self.transcoding.as_ref().is_some_and(|t| t.dropping) {
            self.copy(unit, started_now, out);
        }
    }

    /// At a start: whether this stretch transcodes, and a fresh transcoder if it does.
    fn start_route(&mut self, unit: &VideoUnit, warnings: &mut WarningCounts) {
        if self.transcoding.is_none() {
            return;
        }
        let params = es::video_params(unit.codec, &self.complete(unit));
        let Some(transcoding) = self.transcoding.as_mut() else {
            return;
        };
        transcoding.coder = None;
        transcoding.dropping = false;
        let needed = match transcoding.when {
            TranscodeWhen::Always => true,
            TranscodeWhen::NotBrowserPlayable => {
                unit.codec != VideoCodec::H264
                    || params.as_ref().is_none_or(|p| p.interlaced != Some(false))
            }
        };
        if !needed {
            return;
        }
        if !transcoding.unavailable {
            let rate = params.and_then(|p| p.frame_rate);
            match VideoTranscoder::new(unit.codec, rate, transcoding.settings.clone()) {
                Ok(coder) => transcoding.coder = Some(coder),
                Err(_) => {
                    transcoding.unavailable = true;
                    warnings.add(WarningKind::CodecUnavailable, 1);
                }
            }
        }
        // Without a transcoder, H.264 is still copied (interlaced beats nothing); other codecs are dropped.
        transcoding.dropping = transcoding.coder.is_none() && unit.codec != VideoCodec::H264;
    }

    fn copy(&mut self, unit: VideoUnit, started_now: bool, out: &mut Vec<VideoOut>) {
        let inserted = self.lacks_parameter_sets(&unit);
        let data = if inserted {
            es::with_parameter_sets(unit.codec, &unit.data, &self.parameter_sets)
        } else {
            unit.data
        };
        if started_now {
            self.start_repair.start();
        } else if unit.info.keyframe {
            self.start_repair.keyframe();
        }
        let data = match unit.codec {
            VideoCodec::H264 if self.start_repair.is_active() => {
                self.start_repair.access_unit(&data).unwrap_or(data)
            }
            _ => data,
        };
        self.frames.observe(unit.dts);
        out.push(VideoOut {
            rendition: 0,
            pts: unit.pts,
            dts: unit.dts,
            duration: self.frames.step(),
            data,
            keyframe: unit.info.keyframe,
            parameter_sets: unit.info.has_parameter_sets || inserted,
            first: std::mem::take(&mut self.output_pending),
        });
    }

    /// The unit as a decoder needs it: a keyframe that lacks parameter sets gets the last ones in front.
    fn complete<'a>(&self, unit: &'a VideoUnit) -> Cow<'a, [u8]> {
        if self.lacks_parameter_sets(unit) {
            Cow::Owned(es::with_parameter_sets(
                unit.codec,
                &unit.data,
                &self.parameter_sets,
            ))
        } else {
            Cow::Borrowed(&unit.data)
        }
    }

    /// A keyframe without parameter sets, while the stream's last ones are known.
    fn lacks_parameter_sets(&self, unit: &VideoUnit) -> bool {
        unit.info.keyframe && !unit.info.has_parameter_sets && !self.parameter_sets.is_empty()
    }

    fn transcode(
        &mut self,
        unit: &VideoUnit,
        out: &mut Vec<VideoOut>,
        warnings: &mut WarningCounts,
    ) {
        let data = self.complete(unit);
        let Some(transcoding) = self.transcoding.as_mut() else {
            return;
        };
        let Some(coder) = transcoding.coder.as_mut() else {
            return;
        };
        if coder
            .push(
                &data,
                unit.pts.ticks(),
                unit.dts.ticks(),
                &mut transcoding.encoded,
            )
            .is_err()
        {
            warnings.add(WarningKind::DecodeError, 1);
        }
        self.emit_encoded(out);
    }

    fn emit_encoded(&mut self, out: &mut Vec<VideoOut>) {
        let Some(transcoding) = self.transcoding.as_mut() else {
            return;
        };
        let duration = transcoding
            .coder
            .as_ref()
            .and_then(VideoTranscoder::output_format)
            .map_or(0, |f| {
                (CLOCK_90K * i64::from(f.frame_rate.1)) / i64::from(f.frame_rate.0.max(1))
            });
        for picture in transcoding.encoded.drain(..) {
            out.push(VideoOut {
                rendition: picture.rendition,
                pts: MediaTime(picture.pts),
                dts: MediaTime(picture.dts),
                duration,
                parameter_sets: picture.keyframe,
                keyframe: picture.keyframe,
                data: picture.data,
                first: std::mem::take(&mut self.output_pending),
            });
        }
    }

    /// The stream broke or ends: what the transcoder still holds comes out, then the track waits for a
    /// keyframe again.
    pub fn flush(&mut self, out: &mut Vec<VideoOut>, warnings: &mut WarningCounts) {
        let Some(transcoding) = self.transcoding.as_mut() else {
            return;
        };
        let Some(coder) = transcoding.coder.as_mut() else {
            return;
        };
        if coder.flush(&mut transcoding.encoded).is_err() {
            warnings.add(WarningKind::EncodeError, 1);
        }
        self.emit_encoded(out);
    }

    /// After a break: wait for the next keyframe (call [`VideoTrack::flush`] first).
    pub fn restart(&mut self) {
        self.waiting = true;
        self.output_pending = true;
        self.skip_reported = false;
        self.start_pts = None;
        self.frames.forget_last();
        if let Some(transcoding) = self.transcoding.as_mut() {
            transcoding.coder = None;
        }
    }
}
