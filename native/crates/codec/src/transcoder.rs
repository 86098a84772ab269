//! One audio track: decode → (resample/downmix) → AAC-LC encode, counted in samples at 48 kHz.

use ffmpeg_next::codec::{self, Context};
use ffmpeg_next::format::Sample;
use ffmpeg_next::format::sample::Type as SampleType;
use ffmpeg_next::software::resampling;
use ffmpeg_next::util::frame;
use ffmpeg_next::{ChannelLayout, Dictionary, Packet, decoder, encoder};

use e2gate_core::stream_type::AudioCodec;

use crate::fifo::StereoFifo;
use crate::{CodecError, ffi};

pub const OUTPUT_RATE: u32 = 48_000;
pub const OUTPUT_CHANNELS: u8 = 2;
/// Samples per channel in one AAC-LC frame.
pub const AAC_FRAME_SAMPLES: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TranscoderSettings {
    /// AAC bit rate in bits per second.
    pub bitrate: u32,
}

impl Default for TranscoderSettings {
    fn default() -> Self {
        TranscoderSettings { bitrate: 192_000 }
    }
}

/// One encoded AAC-LC frame (raw, without ADTS header).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedFrame {
    pub data: Vec<u8>,
    /// Position of the frame's first sample, in samples at 48 kHz since this transcoder's sample 0.
    /// Negative for the encoder's priming frame (FFmpeg's convention: decoder output then lines up).
    pub pts: i64,
    pub samples: u32,
}

/// Format of decoded frames the resampler was built for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct InputFormat {
    format: Sample,
    layout: u64,
    channels: u16,
    rate: u32,
}

pub struct AudioTranscoder {
    decoder: decoder::Audio,
    encoder: encoder::Audio,
    resampler: Option<(InputFormat, resampling::Context)>,
    fifo: StereoFifo,
    decoded: frame::Audio,
    scratch: (Vec<f32>, Vec<f32>),
    /// Samples handed to the encoder so far.
    encoded_samples: i64,
    /// Samples queued (decoded, resampled, or silence) so far.
    queued_samples: i64,
}

fn decoder_id(codec: AudioCodec) -> Option<codec::Id> {
    match codec {
        AudioCodec::Mpeg => Some(codec::Id::MP2),
        AudioCodec::Ac3 => Some(codec::Id::AC3),
        AudioCodec::Eac3 => Some(codec::Id::EAC3),
        AudioCodec::AacLatm => Some(codec::Id::AAC_LATM),
        AudioCodec::AacAdts => Some(codec::Id::AAC),
    }
}

fn open_decoder(input: AudioCodec) -> Result<decoder::Audio, CodecError> {
    let unavailable = CodecError::Unavailable(match input {
        AudioCodec::Mpeg => "mp2 decoder",
        AudioCodec::Ac3 => "ac3 decoder",
        AudioCodec::Eac3 => "eac3 decoder",
        AudioCodec::AacLatm => "aac_latm decoder",
        AudioCodec::AacAdts => "aac decoder",
    });
    // The float MPEG audio decoder outputs planar float, which the encoder takes without conversion.
    let preferred = if input == AudioCodec::Mpeg {
        decoder::find_by_name("mp2float")
    } else {
        None
    };
    let codec = preferred
        .or_else(|| decoder_id(input).and_then(decoder::find))
        .ok_or(unavailable.clone())?;
    let mut context = Context::new_with_codec(codec).decoder();
    context.set_threading(codec::threading::Config {
        kind: codec::threading::Type::None,
        count: 1,
        ..Default::default()
    });
    let mut options = Dictionary::new();
    if matches!(input, AudioCodec::Ac3 | AudioCodec::Eac3) {
        // Downmix inside the AC-3 decoder, with the stream's own centre/surround mix levels.
        options.set("downmix", "stereo");
    }
    let opened = context
        .open_as_with(codec, options)
        .map_err(|_| unavailable.clone())?;
    opened.audio().map_err(|_| unavailable)
}

/// FFmpeg's `fast` coder instead of its default `twoloop`: half the CPU, and at our 96 kb/s per channel its author
/// finds it sounds better. Mid/side stereo off: with both channels identical (mono services sent as stereo, common
/// on radio and older SD channels) the fast coder's mid/side search costs 3.5 times its normal time; at this
/// bitrate M/S gains little. Measured in docs/native.md.
fn encoder_options() -> Dictionary<'static> {
    let mut options = Dictionary::new();
    options.set("aac_coder", "fast");
    options.set("aac_ms", "0");
    options
}

fn open_encoder(settings: TranscoderSettings) -> Result<encoder::Audio, CodecError> {
    let codec = encoder::find(codec::Id::AAC).ok_or(CodecError::Unavailable("aac encoder"))?;
    let mut context = Context::new_with_codec(codec)
        .encoder()
        .audio()
        .map_err(|e| CodecError::Encode(e.to_string()))?;
    context.set_rate(OUTPUT_RATE as i32);
    context.set_format(Sample::F32(SampleType::Planar));
    context.set_channel_layout(ChannelLayout::STEREO);
    context.set_channels(i32::from(OUTPUT_CHANNELS));
    context.set_bit_rate(settings.bitrate as usize);
    context.set_time_base((1, OUTPUT_RATE as i32));
    context
        .open_as_with(codec, encoder_options())
        .map_err(|_| CodecError::Unavailable("aac encoder"))
}

impl AudioTranscoder {
    pub fn new(input: AudioCodec, settings: TranscoderSettings) -> Result<Self, CodecError> {
        crate::init();
        Ok(AudioTranscoder {
            decoder: open_decoder(input)?,
            encoder: open_encoder(settings)?,
            resampler: None,
            fifo: StereoFifo::default(),
            decoded: frame::Audio::empty(),
            scratch: (Vec::new(), Vec::new()),
            encoded_samples: 0,
            queued_samples: 0,
        })
    }

    /// Samples (48 kHz) queued for encoding since sample 0: decoded output plus inserted silence.
    pub fn queued_samples(&self) -> i64 {
        self.queued_samples
    }

    /// Decodes one frame of input; returns the samples (48 kHz) it added.
    pub fn decode(&mut self, data: &[u8]) -> Result<usize, CodecError> {
        let packet = Packet::copy(data);
        self.decoder
            .send_packet(&packet)
            .map_err(|e| CodecError::Decode(e.to_string()))?;
        self.receive_decoded()
    }

    fn receive_decoded(&mut self) -> Result<usize, CodecError> {
        let mut added = 0;
        while self.decoder.receive_frame(&mut self.decoded).is_ok() {
            added += self.queue_decoded()?;
        }
        Ok(added)
    }

    fn queue_decoded(&mut self) -> Result<usize, CodecError> {
        let frame = &self.decoded;
        let input = InputFormat {
            format: frame.format(),
            layout: frame.channel_layout().bits(),
            channels: frame.channels(),
            rate: frame.rate(),
        };
        let samples = frame.samples();
        if samples == 0 || input.channels == 0 || input.rate == 0 {
            return Ok(0);
        }
        let direct = input.format == Sample::F32(SampleType::Planar)
            && input.channels == 2
            && input.rate == OUTPUT_RATE;
        if direct {
            self.fifo.push(
                &frame.plane::<f32>(0)[..samples],
                &frame.plane::<f32>(1)[..samples],
            );
            self.queued_samples += samples as i64;
            return Ok(samples);
        }
        if self
            .resampler
            .as_ref()
            .is_none_or(|(format, _)| *format != input)
        {
            let layout = if input.layout == 0 {
                ChannelLayout::default(i32::from(input.channels))
            } else {
                ChannelLayout::from_bits_truncate(input.layout)
            };
            let context = resampling::Context::get(
                input.format,
                layout,
                input.rate,
                Sample::F32(SampleType::Planar),
                ChannelLayout::STEREO,
                OUTPUT_RATE,
            )
            .map_err(|e| CodecError::Resample(e.to_string()))?;
            self.resampler = Some((input, context));
        }
        let Some((_, context)) = self.resampler.as_mut() else {
            return Ok(0);
        };
        let (left, right) = &mut self.scratch;
        let produced = ffi::resample_into(context, &self.decoded, left, right)
            .map_err(|code| CodecError::Resample(ffmpeg_next::Error::from(code).to_string()))?;
        self.fifo.push(&left[..produced], &right[..produced]);
        self.queued_samples += produced as i64;
        Ok(produced)
    }

    /// Queues silence (to fill a gap in the input and keep A/V sync).
    pub fn push_silence(&mut self, samples: usize) {
        self.fifo.push_silence(samples);
        self.queued_samples += samples as i64;
    }

    /// Encodes every complete 1024-sample frame queued so far.
    pub fn encode(&mut self, out: &mut Vec<EncodedFrame>) -> Result<(), CodecError> {
        while self.fifo.len() >= AAC_FRAME_SAMPLES {
            self.send_frame(AAC_FRAME_SAMPLES)?;
            self.receive_encoded(out)?;
        }
        Ok(())
    }

    /// Drains decoder, resampler and encoder (end of input or before a timeline restart).
    pub fn finish(&mut self, out: &mut Vec<EncodedFrame>) -> Result<(), CodecError> {
        if self.decoder.send_eof().is_ok() {
            let _ = self.receive_decoded();
        }
        self.encode(out)?;
        let rest = self.fifo.len();
        if rest > 0 {
            self.send_frame(rest)?; // the AAC encoder accepts a short last frame
        }
        self.encoder
            .send_eof()
            .map_err(|e| CodecError::Encode(e.to_string()))?;
        self.receive_encoded(out)
    }

    fn send_frame(&mut self, samples: usize) -> Result<(), CodecError> {
        let mut frame = frame::Audio::new(
            Sample::F32(SampleType::Planar),
            samples,
            ChannelLayout::STEREO,
        );
        frame.set_rate(OUTPUT_RATE);
        let mut left = std::mem::take(&mut self.scratch.0);
        let mut right = std::mem::take(&mut self.scratch.1);
        left.resize(samples, 0.0);
        right.resize(samples, 0.0);
        self.fifo.pop_into(samples, &mut left, &mut right);
        frame.plane_mut::<f32>(0)[..samples].copy_from_slice(&left[..samples]);
        frame.plane_mut::<f32>(1)[..samples].copy_from_slice(&right[..samples]);
        self.scratch = (left, right);
        frame.set_pts(Some(self.encoded_samples));
        self.encoded_samples += samples as i64;
        self.encoder
            .send_frame(&frame)
            .map_err(|e| CodecError::Encode(e.to_string()))
    }

    fn receive_encoded(&mut self, out: &mut Vec<EncodedFrame>) -> Result<(), CodecError> {
        let mut packet = Packet::empty();
        while self.encoder.receive_packet(&mut packet).is_ok() {
            let Some(data) = packet.data() else { continue };
            out.push(EncodedFrame {
                data: data.to_vec(),
                pts: packet.pts().unwrap_or(self.encoded_samples),
                samples: u32::try_from(packet.duration())
                    .ok()
                    .filter(|d| *d > 0)
                    .unwrap_or(AAC_FRAME_SAMPLES as u32),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use e2gate_core::audio::{self, HeaderResult};

    /// Encodes `seconds` of a test tone with FFmpeg's own encoders, so the decoder has real frames.
    fn tone(codec: codec::Id, channels: ChannelLayout, frames: usize) -> Vec<Vec<u8>> {
        let found = encoder::find(codec).expect("encoder in Debian's FFmpeg");
        let mut context = Context::new_with_codec(found).encoder().audio().unwrap();
        let format = found.audio().unwrap().formats().unwrap().next().unwrap();
        context.set_rate(48_000);
        context.set_format(format);
        context.set_channel_layout(channels);
        context.set_channels(channels.channels());
        context.set_bit_rate(192_000);
        context.set_time_base((1, 48_000));
        let mut enc = context.open_as(found).unwrap();
        let frame_size = if codec == codec::Id::MP2 { 1152 } else { 1536 };
        let mut out = Vec::new();
        let mut packet = Packet::empty();
        for i in 0..frames {
            let mut frame = frame::Audio::new(format, frame_size, channels);
            frame.set_rate(48_000);
            frame.set_pts(Some((i * frame_size) as i64));
            for plane in 0..frame.planes() {
                let data = frame.data_mut(plane);
                for (j, byte) in data.iter_mut().enumerate() {
                    *byte = ((j * 7 + i) % 251) as u8 / 8;
                }
            }
            enc.send_frame(&frame).unwrap();
            while enc.receive_packet(&mut packet).is_ok() {
                out.push(packet.data().unwrap().to_vec());
            }
        }
        out
    }

    #[test]
    fn ac3_5_1_becomes_stereo_aac_frames_with_sample_exact_positions() {
        let frames = tone(codec::Id::AC3, ChannelLayout::_5POINT1, 40);
        assert!(
            matches!(audio::parse_header(AudioCodec::Ac3, &frames[0]), HeaderResult::Valid(h) if h.channels == 6)
        );
        let mut transcoder =
            AudioTranscoder::new(AudioCodec::Ac3, TranscoderSettings::default()).unwrap();
        let mut out = Vec::new();
        for frame in &frames {
            assert_eq!(transcoder.decode(frame).unwrap(), 1536);
            transcoder.encode(&mut out).unwrap();
        }
        transcoder.finish(&mut out).unwrap();
        let total = frames.len() as i64 * 1536;
        assert_eq!(transcoder.queued_samples(), total);
        assert!(
            transcoder.resampler.is_none(),
            "the AC-3 decoder downmixes to stereo itself"
        );
        assert_eq!(out[0].pts, -1024, "priming frame");
        assert!(out.windows(2).all(|w| w[1].pts == w[0].pts + 1024));
        assert!(out.last().unwrap().pts + 1024 >= total);
        assert!(out.iter().all(|f| !f.data.is_empty()));
    }

    #[test]
    fn mp2_stereo_goes_straight_to_the_encoder() {
        let frames = tone(codec::Id::MP2, ChannelLayout::STEREO, 20);
        let mut transcoder =
            AudioTranscoder::new(AudioCodec::Mpeg, TranscoderSettings { bitrate: 128_000 })
                .unwrap();
        let mut out = Vec::new();
        for frame in &frames {
            transcoder.decode(frame).unwrap();
        }
        transcoder.push_silence(1152);
        transcoder.finish(&mut out).unwrap();
        assert!(transcoder.resampler.is_none());
        assert_eq!(transcoder.queued_samples(), 21 * 1152);
    }

    #[test]
    fn damaged_frames_are_errors_not_panics() {
        let mut transcoder =
            AudioTranscoder::new(AudioCodec::Ac3, TranscoderSettings::default()).unwrap();
        let mut garbage = vec![0x0B, 0x77];
        garbage.extend((0..1790).map(|i| (i * 31 % 256) as u8));
        for _ in 0..3 {
            let _ = transcoder.decode(&garbage);
        }
        let mut out = Vec::new();
        transcoder.finish(&mut out).unwrap();
    }
}
