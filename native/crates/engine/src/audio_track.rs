//! One audio output track: AAC-LC transcoding with timestamps rebuilt from sample counts, or a copy.
//!
//! Timing: the first frame's PTS anchors sample 0 of the transcoder; every encoded frame's PTS is the
//! anchor plus its sample position (FFmpeg's priming convention included, so players line it up). Input
//! frames are compared with where the sample count says they should be: a gap up to [`MAX_FILL`] is filled
//! with silence, an overlap is dropped, anything larger restarts the transcoder on a new anchor. A/V sync
//! therefore stays within one audio frame of the input's.

use e2gate_codec::{
    AudioTranscoder, EncodedFrame, OUTPUT_CHANNELS, OUTPUT_RATE, TranscoderSettings,
};
use e2gate_core::audio::aac::write_adts_header;
use e2gate_core::demux::AudioUnit;
use e2gate_core::timestamp::{CLOCK_90K, MediaTime};
use e2gate_core::warning::{WarningCounts, WarningKind};

use crate::layout::{AudioRoute, AudioSpec};

/// Largest gap filled with silence or overlap dropped; beyond it the track restarts (1 s).
pub const MAX_FILL: i64 = CLOCK_90K;
/// Duration of one AAC frame at 48 kHz in 90 kHz ticks.
const AAC_FRAME_TICKS: i64 = 1920;

/// An audio frame ready for the multiplexer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudioOut {
    pub output: usize,
    pub pts: MediaTime,
    pub duration: i64,
    pub data: Vec<u8>,
}

struct Transcoding {
    transcoder: Option<AudioTranscoder>,
    anchor: Option<MediaTime>,
    unavailable: bool,
    scratch: Vec<EncodedFrame>,
}

pub struct AudioTrack {
    spec: AudioSpec,
    settings: TranscoderSettings,
    transcoding: Option<Transcoding>,
    frames_in: u64,
    frames_out: u64,
}

impl AudioTrack {
    pub fn new(spec: AudioSpec, settings: TranscoderSettings) -> Self {
        let transcoding = (spec.route == AudioRoute::Transcode).then(|| Transcoding {
            transcoder: None,
            anchor: None,
            unavailable: false,
            scratch: Vec::new(),
        });
        AudioTrack {
            spec,
            settings,
            transcoding,
            frames_in: 0,
            frames_out: 0,
        }
    }

    pub fn spec(&self) -> &AudioSpec {
        &self.spec
    }

    /// Moves the track to another output stream (the stream set changed around it).
    pub fn set_output(&mut self, output: usize) {
        self.spec.output = output;
    }

    pub fn frames_in(&self) -> u64 {
        self.frames_in
    }

    pub fn frames_out(&self) -> u64 {
        self.frames_out
    }

    pub fn process(
        &mut self,
        unit: &AudioUnit,
        out: &mut Vec<AudioOut>,
        warnings: &mut WarningCounts,
    ) {
        self.frames_in += 1;
        let before = out.len();
        match self.transcoding.as_mut() {
            None => out.push(AudioOut {
                output: self.spec.output,
                pts: unit.pts,
                duration: unit.frame.duration(),
                data: unit.frame.data.clone(),
            }),
            Some(_) => self.transcode(unit, out, warnings),
        }
        self.frames_out += (out.len() - before) as u64;
    }

    fn transcode(
        &mut self,
        unit: &AudioUnit,
        out: &mut Vec<AudioOut>,
        warnings: &mut WarningCounts,
    ) {
        let Some(state) = self.transcoding.as_mut() else {
            return;
        };
        if state.unavailable {
            return;
        }
        if state.transcoder.is_none() {
            match AudioTranscoder::new(self.spec.codec, self.settings) {
                Ok(t) => state.transcoder = Some(t),
                Err(_) => {
                    state.unavailable = true;
                    warnings.add(WarningKind::CodecUnavailable, 1);
                    return;
                }
            }
        }
        let anchor = *state.anchor.get_or_insert(unit.pts);
        let queued = state
            .transcoder
            .as_ref()
            .map_or(0, AudioTranscoder::queued_samples);
        let expected = anchor.saturating_add(MediaTime::from_samples(queued, OUTPUT_RATE).ticks());
        let offset = unit.pts.saturating_sub(expected);
        let tolerance = unit.frame.duration().max(AAC_FRAME_TICKS);
        if offset.abs() >= MAX_FILL {
            warnings.add(WarningKind::TimestampJump, 1);
            self.drain(out, warnings);
            return self.transcode(unit, out, warnings);
        }
        let Some(transcoder) = state.transcoder.as_mut() else {
            return;
        };
        if offset > tolerance {
            transcoder.push_silence((offset * i64::from(OUTPUT_RATE) / CLOCK_90K) as usize);
            warnings.add(WarningKind::AudioGapFilled, 1);
        } else if offset < -tolerance {
            warnings.add(WarningKind::AudioOverlapDropped, 1);
            return;
        }
        if transcoder.decode(&unit.frame.data).is_err() {
            warnings.add(WarningKind::DecodeError, 1);
        }
        let mut frames = std::mem::take(&mut state.scratch);
        if transcoder.encode(&mut frames).is_err() {
            warnings.add(WarningKind::EncodeError, 1);
            state.transcoder = None;
            state.anchor = None;
        }
        emit(self.spec.output, anchor, &mut frames, out);
        state.scratch = frames;
    }

    /// Drains the transcoder (end of input, timeline break, stream change); the next frame starts a new
    /// anchor.
    pub fn flush(&mut self, out: &mut Vec<AudioOut>, warnings: &mut WarningCounts) {
        let before = out.len();
        self.drain(out, warnings);
        self.frames_out += (out.len() - before) as u64;
    }

    fn drain(&mut self, out: &mut Vec<AudioOut>, warnings: &mut WarningCounts) {
        let Some(state) = self.transcoding.as_mut() else {
            return;
        };
        let (Some(mut transcoder), Some(anchor)) = (state.transcoder.take(), state.anchor.take())
        else {
            state.transcoder = None;
            state.anchor = None;
            return;
        };
        let mut frames = Vec::new();
        if transcoder.finish(&mut frames).is_err() {
            warnings.add(WarningKind::EncodeError, 1);
        }
        emit(self.spec.output, anchor, &mut frames, out);
    }
}

fn emit(output: usize, anchor: MediaTime, frames: &mut Vec<EncodedFrame>, out: &mut Vec<AudioOut>) {
    for frame in frames.drain(..) {
        let mut data = Vec::with_capacity(frame.data.len() + 7);
        write_adts_header(&mut data, OUTPUT_RATE, OUTPUT_CHANNELS, frame.data.len());
        data.extend_from_slice(&frame.data);
        out.push(AudioOut {
            output,
            pts: anchor.saturating_add(MediaTime::from_samples(frame.pts, OUTPUT_RATE).ticks()),
            duration: MediaTime::from_samples(i64::from(frame.samples), OUTPUT_RATE).ticks(),
            data,
        });
    }
}
