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

use ffmpeg_next::codec::{self, Context};
use ffmpeg_next::format::Pixel;
use ffmpeg_next::util::frame;
use ffmpeg_next::util::picture;
use ffmpeg_next::{Dictionary, Packet, Rational, decoder, encoder, filter};

use e2gate_core::stream_type::VideoCodec;

use crate::CodecError;

const CLOCK: i32 = 90_000;

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
    /// An IDR every `gop` ticks of 90 kHz (the segment target).
    pub gop: i64,
    /// When set, the second IDR comes this many ticks after the first, and the schedule goes on from there
    /// (the segmenter's fast start: a short first segment).
    pub first_gop: Option<i64>,
    pub deinterlace: Deinterlace,
    /// x264 preset (`ultrafast` … `veryslow`).
    pub preset: String,
}

impl Default for VideoSettings {
    fn default() -> Self {
        VideoSettings {
            height: None,
            bitrate: None,
            max_bitrate: None,
            gop: 2 * i64::from(CLOCK),
            first_gop: None,
            deinterlace: Deinterlace::Auto,
            preset: "veryfast".into(),
        }
    }
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

struct Chain {
    graph: filter::Graph,
    encoder: encoder::Video,
    format: OutputFormat,
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
    next_idr: Option<i64>,
    pictures_in: u64,
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

fn filter_error(error: ffmpeg_next::Error) -> CodecError {
    CodecError::Filter(error.to_string())
}

fn build_graph(
    picture: &frame::Video,
    rate: (u32, u32),
    deinterlace: bool,
    (width, height): (u32, u32),
) -> Result<filter::Graph, CodecError> {
    let mut graph = filter::Graph::new();
    let sar = picture.aspect_ratio();
    let sar = if sar.numerator() > 0 {
        sar
    } else {
        Rational::new(1, 1)
    };
    let args = format!(
        "video_size={}x{}:pix_fmt={}:time_base=1/{CLOCK}:pixel_aspect={}/{}:frame_rate={}/{}",
        picture.width(),
        picture.height(),
        ffmpeg_next::ffi::AVPixelFormat::from(picture.format()) as i32,
        sar.numerator(),
        sar.denominator(),
        rate.0,
        rate.1,
    );
    let buffer = filter::find("buffer").ok_or(CodecError::Unavailable("buffer filter"))?;
    let sink = filter::find("buffersink").ok_or(CodecError::Unavailable("buffersink filter"))?;
    graph.add(&buffer, "in", &args).map_err(filter_error)?;
    graph.add(&sink, "out", "").map_err(filter_error)?;
    let mut steps = Vec::new();
    if deinterlace {
        steps.push("bwdif=mode=send_field:parity=auto:deint=all".to_string());
    }
    if (width, height) != (picture.width(), picture.height()) {
        steps.push(format!("scale=w={width}:h={height}:flags=bicubic"));
    }
    steps.push("setsar=1".into());
    steps.push("format=yuv420p".into());
    steps.push(format!("settb=1/{CLOCK}"));
    graph
        .output("in", 0)
        .and_then(|parser| parser.input("out", 0))
        .and_then(|parser| parser.parse(&steps.join(",")))
        .map_err(filter_error)?;
    graph.validate().map_err(filter_error)?;
    Ok(graph)
}

fn open_encoder(
    settings: &VideoSettings,
    format: &OutputFormat,
) -> Result<encoder::Video, CodecError> {
    let unavailable = CodecError::Unavailable("libx264 encoder");
    let codec = encoder::find_by_name("libx264").ok_or(unavailable.clone())?;
    let mut context = Context::new_with_codec(codec)
        .encoder()
        .video()
        .map_err(|e| CodecError::Encode(e.to_string()))?;
    let (num, den) = format.frame_rate;
    context.set_width(format.width);
    context.set_height(format.height);
    context.set_format(Pixel::YUV420P);
    context.set_time_base((1, CLOCK));
    context.set_frame_rate(Some((num as i32, den as i32)));
    context.set_aspect_ratio((1, 1));
    let bitrate = settings
        .bitrate
        .unwrap_or_else(|| default_bitrate(format.height));
    let max_bitrate = settings.max_bitrate.unwrap_or(bitrate / 2 * 3).max(bitrate);
    context.set_bit_rate(bitrate as usize);
    context.set_max_bit_rate(max_bitrate as usize);
    // Keyframes come from the IDR schedule; this only bounds a GOP if the schedule ever stalls.
    let frames_per_gop =
        (settings.gop as f64 * f64::from(num) / f64::from(den) / f64::from(CLOCK)).ceil();
    context.set_gop((2.0 * frames_per_gop).max(1.0) as u32);
    let mut options = Dictionary::new();
    options.set("preset", &settings.preset);
    options.set("profile", "high");
    options.set("bufsize", &(2 * u64::from(max_bitrate)).to_string());
    options.set("forced-idr", "1");
    // force-cfr: rate control and the VUI timing follow the frame rate, not the 90 kHz time base.
    options.set(
        "x264-params",
        "scenecut=0:open-gop=0:aud=1:repeat-headers=1:force-cfr=1",
    );
    context
        .open_as_with(codec, options)
        .map_err(|e| CodecError::Encode(format!("libx264: {e}")))
}

impl VideoTranscoder {
    /// `source_rate`: the frame rate the stream's parameter sets state, when they do.
    pub fn new(
        codec: VideoCodec,
        source_rate: Option<(u32, u32)>,
        settings: VideoSettings,
    ) -> Result<Self, CodecError> {
        crate::init();
        encoder::find_by_name("libx264").ok_or(CodecError::Unavailable("libx264 encoder"))?;
        Ok(VideoTranscoder {
            decoder: open_decoder(codec)?,
            settings,
            source_rate,
            chain: None,
            decoded: frame::Video::empty(),
            filtered: frame::Video::empty(),
            encoded: Packet::empty(),
            next_idr: None,
            pictures_in: 0,
        })
    }

    /// What the encoder produces; `None` until the first picture was decoded.
    pub fn output_format(&self) -> Option<OutputFormat> {
        self.chain.as_ref().map(|chain| chain.format)
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
        if let Some(mut source) = chain.graph.get("in") {
            source.source().flush().map_err(filter_error)?;
        }
        self.drain_filters(out)?;
        let chain = self.chain.as_mut().expect("checked above");
        let _ = chain.encoder.send_eof();
        self.drain_encoder(out);
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
            let mut source = chain.graph.get("in").expect("the graph has its source");
            source.source().add(&self.decoded).map_err(filter_error)?;
            self.drain_filters(out)?;
        }
        Ok(())
    }

    fn build_chain(&self) -> Result<Chain, CodecError> {
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
        let size = output_size(picture, self.settings.height);
        let frame_rate = if deinterlace {
            (rate.0 * 2, rate.1)
        } else {
            rate
        };
        let format = OutputFormat {
            width: size.0,
            height: size.1,
            frame_rate,
            deinterlaced: deinterlace,
        };
        Ok(Chain {
            graph: build_graph(picture, rate, deinterlace, size)?,
            encoder: open_encoder(&self.settings, &format)?,
            format,
        })
    }

    fn drain_filters(&mut self, out: &mut Vec<EncodedPicture>) -> Result<(), CodecError> {
        loop {
            let chain = self
                .chain
                .as_mut()
                .expect("filters run after the chain is built");
            let mut sink = chain.graph.get("out").expect("the graph has its sink");
            if sink.sink().frame(&mut self.filtered).is_err() {
                return Ok(());
            }
            let pts = self.filtered.pts().unwrap_or(0);
            let idr = match self.next_idr {
                None => true,
                Some(due) => pts >= due,
            };
            if idr {
                let mut due = match self.next_idr {
                    None => pts + self.settings.first_gop.unwrap_or(self.settings.gop),
                    Some(due) => due + self.settings.gop,
                };
                while due <= pts {
                    due += self.settings.gop;
                }
                self.next_idr = Some(due);
                self.filtered.set_kind(picture::Type::I);
            } else {
                self.filtered.set_kind(picture::Type::None);
            }
            chain
                .encoder
                .send_frame(&self.filtered)
                .map_err(|e| CodecError::Encode(e.to_string()))?;
            self.drain_encoder(out);
        }
    }

    fn drain_encoder(&mut self, out: &mut Vec<EncodedPicture>) {
        let Some(chain) = self.chain.as_mut() else {
            return;
        };
        while chain.encoder.receive_packet(&mut self.encoded).is_ok() {
            let Some(data) = self.encoded.data() else {
                continue;
            };
            let pts = self.encoded.pts().unwrap_or(0);
            out.push(EncodedPicture {
                data: data.to_vec(),
                pts,
                dts: self.encoded.dts().unwrap_or(pts),
                keyframe: self.encoded.is_key(),
            });
        }
    }
}
