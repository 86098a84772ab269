//! One video track: decode (MPEG-2, H.264, HEVC) → deinterlace and scale (libavfilter) → H.264 (libx264).
//!
//! Timestamps stay on the engine's 90 kHz clock end to end: packets go in with their PTS/DTS, the filter graph
//! ends in `settb=1/90000`, the encoder's time base is 1/90000. The filter graph and the encoder are built at
//! the first decoded picture, when its size, pixel format, aspect ratio and field flags are known.
//!
//! Live rules: every `gop` ticks from the first picture the encoder is told to start an IDR (closed GOPs, no
//! scene-cut keyframes in between), so segment boundaries fall where the segmenter schedules them; constant
//! frame rate (field rate after deinterlacing); bit rate capped by `max_bitrate` over a `buffer`; level
//! chosen by x264 for the output size and rate. SPS/PPS and an access unit delimiter precede every IDR.

mod backend;
mod chain;
mod hw;
mod probe;

use ffmpeg_next::codec::{self, Context};
use ffmpeg_next::util::frame;
use ffmpeg_next::util::picture;
use ffmpeg_next::{Packet, decoder, encoder};

use e2gate_core::stream_type::VideoCodec;

pub use backend::{DEFAULT_VAAPI_DEVICE, Encoder, EncoderChoice};
pub use probe::{EncoderProbe, probe_encoder, probe_encoders};

use crate::CodecError;
use backend::Backend;
use chain::{CLOCK, Chain, ChainInput, RenditionInput};

/// Whether the transcoder deinterlaces (to one picture per field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deinterlace {
    Off,
    On,
    /// When the first decoded picture is flagged interlaced; the choice then holds for the track.
    Auto,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VideoSettings {
    /// Output height in lines (width follows the display aspect ratio, square pixels); `None` keeps the
    /// source's height. Never scales up.
    pub height: Option<u32>,
    /// Average bit rate in bits per second; `None`: [`default_bitrate`] of the output height.
    pub bitrate: Option<u32>,
    /// Peak bit rate (x264's VBV, over a buffer of two seconds of it); `None`: 1.5 × the bit rate.
    pub max_bitrate: Option<u32>,
    /// Further renditions from the same decode and deinterlace (an ABR ladder), each encoded on its own; their
    /// IDRs fall on the same pictures as the first rendition's.
    pub ladder: Vec<Rung>,
    /// An IDR every `gop` ticks of 90 kHz (the segment target).
    pub gop: i64,
    /// When set, the second IDR comes this many ticks after the first, and the schedule goes on from there
    /// (the segmenter's fast start: a short first segment).
    pub first_gop: Option<i64>,
    pub deinterlace: Deinterlace,
    /// x264 preset (`ultrafast` … `veryslow`).
    pub preset: String,
    pub encoder: EncoderChoice,
    /// The VAAPI render node or CUDA device index; `None`: the backend's default.
    pub device: Option<String>,
}

impl Default for VideoSettings {
    fn default() -> Self {
        VideoSettings {
            height: None,
            bitrate: None,
            max_bitrate: None,
            ladder: Vec::new(),
            gop: 2 * i64::from(CLOCK),
            first_gop: None,
            deinterlace: Deinterlace::Auto,
            preset: "veryfast".into(),
            encoder: EncoderChoice::Auto,
            device: None,
        }
    }
}

/// One extra rendition of the ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rung {
    /// Output height in lines (never above the source's).
    pub height: u32,
    /// `None`: [`default_bitrate`] of the height.
    pub bitrate: Option<u32>,
}

/// Bit rate for an output height when none is set: about what broadcasters spend on H.264 at that size.
pub fn default_bitrate(height: u32) -> u32 {
    match height {
        0..=288 => 600_000,
        289..=360 => 900_000,
        361..=480 => 1_400_000,
        481..=576 => 1_800_000,
        577..=720 => 3_000_000,
        _ => 5_000_000,
    }
}

/// One H.264 access unit (Annex B, AUD first) from the encoder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedPicture {
    /// Which rendition: 0 for the main one, 1… for the ladder's rungs in their order.
    pub rendition: usize,
    pub data: Vec<u8>,
    pub pts: i64,
    pub dts: i64,
    pub keyframe: bool,
}

/// What the encoder produces, known once the first picture was decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputFormat {
    pub width: u32,
    pub height: u32,
    /// Frames per second as (numerator, denominator).
    pub frame_rate: (u32, u32),
    pub deinterlaced: bool,
}

pub struct VideoTranscoder {
    decoder: decoder::Video,
    settings: VideoSettings,
    /// The source's frame rate as the stream states it (the decoder's guess is used when absent).
    source_rate: Option<(u32, u32)>,
    chain: Option<Chain>,
    decoded: frame::Video,
    filtered: frame::Video,
    encoded: Packet,
    /// Per rendition: when the next IDR is due.
    next_idr: Vec<Option<i64>>,
    pictures_in: u64,
    /// Hardware backends that failed in this transcoder (at build or mid-stream): not tried again.
    failed: Vec<Encoder>,
    /// Why each backend tried last was not used, for the coded error of an explicit choice.
    reasons: Vec<String>,
    /// Per rendition: the next picture must be an IDR (a new encoder after a backend failed).
    force_idr: Vec<bool>,
}

fn decoder_name(codec: VideoCodec) -> &'static str {
    match codec {
        VideoCodec::Mpeg2 => "mpeg2video",
        VideoCodec::H264 => "h264",
        VideoCodec::Hevc => "hevc",
    }
}

fn open_decoder(codec: VideoCodec) -> Result<decoder::Video, CodecError> {
    let name = decoder_name(codec);
    let unavailable = CodecError::Unavailable(name);
    let found = decoder::find_by_name(name).ok_or(unavailable.clone())?;
    let mut context = Context::new_with_codec(found).decoder();
    // One thread: no frame-threading delay, and the engine scales by running many pipelines.
    context.set_threading(codec::threading::Config {
        kind: codec::threading::Type::None,
        count: 1,
        ..Default::default()
    });
    context.set_time_base((1, CLOCK));
    let opened = context.open_as(found).map_err(|_| unavailable.clone())?;
    opened.video().map_err(|_| unavailable)
}

fn even(value: f64) -> u32 {
    ((value / 2.0).round() as u32 * 2).max(2)
}

/// Output size: the requested height (never above the source's), the width from the display aspect ratio.
fn output_size(picture: &frame::Video, height: Option<u32>) -> (u32, u32) {
    let (width, source_height) = (picture.width(), picture.height());
    let sar = picture.aspect_ratio();
    let sar = if sar.numerator() > 0 && sar.denominator() > 0 {
        f64::from(sar.numerator()) / f64::from(sar.denominator())
    } else {
        1.0
    };
    let display_aspect = f64::from(width) * sar / f64::from(source_height.max(1));
    let height = height.map_or(source_height, |h| h.min(source_height));
    (
        even(f64::from(height) * display_aspect),
        even(f64::from(height)),
    )
}

impl VideoTranscoder {
    /// `source_rate`: the frame rate the stream's parameter sets state, when they do.
    pub fn new(
        codec: VideoCodec,
        source_rate: Option<(u32, u32)>,
        settings: VideoSettings,
    ) -> Result<Self, CodecError> {
        crate::init();
        if settings.encoder == EncoderChoice::Only(Encoder::Software)
            || settings.encoder == EncoderChoice::Auto
        {
            encoder::find_by_name("libx264").ok_or(CodecError::Unavailable("libx264 encoder"))?;
        }
        let renditions = 1 + settings.ladder.len();
        Ok(VideoTranscoder {
            decoder: open_decoder(codec)?,
            settings,
            source_rate,
            chain: None,
            decoded: frame::Video::empty(),
            filtered: frame::Video::empty(),
            encoded: Packet::empty(),
            next_idr: vec![None; renditions],
            pictures_in: 0,
            failed: Vec::new(),
            reasons: Vec::new(),
            force_idr: vec![false; renditions],
        })
    }

    /// What the main rendition's encoder produces; `None` until the first picture was decoded.
    pub fn output_format(&self) -> Option<OutputFormat> {
        self.chain.as_ref().map(|chain| chain.renditions[0].format)
    }

    /// The backend encoding now; `None` until the first picture was decoded.
    pub fn encoder(&self) -> Option<Encoder> {
        self.chain.as_ref().map(|chain| chain.backend)
    }

    /// Pictures decoded so far.
    pub fn pictures_in(&self) -> u64 {
        self.pictures_in
    }

    /// Decodes one access unit (PTS/DTS in 90 kHz ticks) and appends what the encoder gave out.
    pub fn push(
        &mut self,
        data: &[u8],
        pts: i64,
        dts: i64,
        out: &mut Vec<EncodedPicture>,
    ) -> Result<(), CodecError> {
        let mut packet = Packet::copy(data);
        packet.set_pts(Some(pts));
        packet.set_dts(Some(dts));
        let sent = self.decoder.send_packet(&packet);
        // A damaged picture costs that picture; what was decoded before it still flows.
        self.drain_decoder(out)?;
        sent.map_err(|e| CodecError::Decode(e.to_string()))
    }

    /// End of input: everything buffered in decoder, filters and encoder comes out.
    pub fn flush(&mut self, out: &mut Vec<EncodedPicture>) -> Result<(), CodecError> {
        let _ = self.decoder.send_eof();
        self.drain_decoder(out)?;
        let Some(chain) = self.chain.as_mut() else {
            return Ok(());
        };
        chain.flush_filters().map_err(CodecError::Filter)?;
        self.drain_filters(out)?;
        if let Some(chain) = self.chain.as_mut() {
            for rendition in &mut chain.renditions {
                let _ = rendition.encoder.send_eof();
            }
        }
        for index in 0..self.next_idr.len() {
            self.drain_encoder(index, out);
        }
        Ok(())
    }

    fn drain_decoder(&mut self, out: &mut Vec<EncodedPicture>) -> Result<(), CodecError> {
        while self.decoder.receive_frame(&mut self.decoded).is_ok() {
            self.pictures_in += 1;
            let pts = self.decoded.timestamp().or(self.decoded.pts());
            self.decoded.set_pts(pts);
            if self.chain.is_none() {
                self.chain = Some(self.build_chain()?);
            }
            let chain = self.chain.as_mut().expect("built above");
            if let Err(reason) = chain.push(&self.decoded) {
                self.backend_failed(reason)?;
                continue;
            }
            self.drain_filters(out)?;
        }
        Ok(())
    }

    /// The first backend of the choice that builds, in order; the reasons of those that did not.
    fn build_chain(&mut self) -> Result<Chain, CodecError> {
        let picture = &self.decoded;
        let rate = self
            .source_rate
            .or_else(|| {
                self.decoder
                    .frame_rate()
                    .filter(|r| r.numerator() > 0 && r.denominator() > 0)
                    .map(|r| (r.numerator() as u32, r.denominator() as u32))
            })
            .unwrap_or((25, 1));
        let deinterlace = match self.settings.deinterlace {
            Deinterlace::Off => false,
            Deinterlace::On => true,
            Deinterlace::Auto => picture.is_interlaced(),
        };
        let mut renditions = vec![RenditionInput {
            size: output_size(picture, self.settings.height),
            bitrate: self.settings.bitrate,
            max_bitrate: self.settings.max_bitrate,
        }];
        renditions.extend(self.settings.ladder.iter().map(|rung| RenditionInput {
            size: output_size(picture, Some(rung.height)),
            bitrate: rung.bitrate,
            max_bitrate: None,
        }));
        let input = ChainInput {
            picture,
            rate,
            deinterlace,
            renditions,
            gop: self.settings.gop,
            preset: &self.settings.preset,
        };
        self.reasons.clear();
        for &candidate in self.settings.encoder.candidates() {
            if self.failed.contains(&candidate) {
                continue;
            }
            let built = Backend::open(candidate, self.settings.device.as_deref())
                .and_then(|backend| Chain::build(backend, &input));
            match built {
                Ok(chain) => return Ok(chain),
                Err(reason) => {
                    self.reasons.push(format!("{}: {reason}", candidate.name()));
                    self.failed.push(candidate);
                }
            }
        }
        Err(CodecError::Unusable(self.reasons.join("; ")))
    }

    /// The chain's backend failed mid-stream (device lost, driver error): the next picture builds the next
    /// backend of the choice (software after a hardware one under `auto`), starting with an IDR.
    fn backend_failed(&mut self, reason: String) -> Result<(), CodecError> {
        let Some(chain) = self.chain.take() else {
            return Ok(());
        };
        self.failed.push(chain.backend);
        self.force_idr.iter_mut().for_each(|force| *force = true);
        if chain.backend == Encoder::Software {
            return Err(CodecError::Encode(reason));
        }
        Ok(())
    }

    fn drain_filters(&mut self, out: &mut Vec<EncodedPicture>) -> Result<(), CodecError> {
        for index in 0..self.next_idr.len() {
            loop {
                let Some(chain) = self.chain.as_mut() else {
                    return Ok(());
                };
                if !chain.pull(index, &mut self.filtered) {
                    break;
                }
                let pts = self.filtered.pts().unwrap_or(0);
                let idr = self.idr_due(index, pts);
                self.filtered.set_kind(if idr {
                    picture::Type::I
                } else {
                    picture::Type::None
                });
                let chain = self.chain.as_mut().expect("checked above");
                if let Err(error) = chain.renditions[index].encoder.send_frame(&self.filtered) {
                    return self.backend_failed(error.to_string());
                }
                self.drain_encoder(index, out);
            }
        }
        Ok(())
    }

    /// Whether the picture at `pts` of rendition `index` starts a GOP: the schedule (every `gop` from the
    /// first picture, the first step `first_gop`) or a new encoder. The same `pts` gives every rendition the
    /// same answer, so the ladder's segments line up.
    fn idr_due(&mut self, index: usize, pts: i64) -> bool {
        let due = self.next_idr[index].is_none_or(|due| pts >= due);
        if due {
            let mut next = match self.next_idr[index] {
                None => pts + self.settings.first_gop.unwrap_or(self.settings.gop),
                Some(due) => due + self.settings.gop,
            };
            while next <= pts {
                next += self.settings.gop;
            }
            self.next_idr[index] = Some(next);
        }
        due || std::mem::take(&mut self.force_idr[index])
    }

    fn drain_encoder(&mut self, index: usize, out: &mut Vec<EncodedPicture>) {
        let Some(chain) = self.chain.as_mut() else {
            return;
        };
        chain.receive(index, &mut self.encoded, |packet| {
            let Some(data) = packet.data() else {
                return;
            };
            let pts = packet.pts().unwrap_or(0);
            out.push(EncodedPicture {
                rendition: index,
                data: data.to_vec(),
                pts,
                dts: packet.dts().unwrap_or(pts),
                keyframe: packet.is_key(),
            });
        });
    }
}
