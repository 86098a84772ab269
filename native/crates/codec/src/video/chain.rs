//! Filters and encoder of one transcode on one backend, built for the first decoded picture's format. The probe
//! builds the same chain for a synthetic picture, so what it reports is what a session would get.

use ffmpeg_next::codec::Context;
use ffmpeg_next::format::Pixel;
use ffmpeg_next::util::frame;
use ffmpeg_next::{Packet, Rational, encoder, filter};

use super::backend::{Backend, Encoder, RateControl};
use super::hw;
use super::{OutputFormat, default_bitrate};

pub(super) const CLOCK: i32 = 90_000;

/// What the chain is built for: the decoded pictures' format and what the output should be.
pub(super) struct ChainInput<'a> {
    pub picture: &'a frame::Video,
    pub rate: (u32, u32),
    pub deinterlace: bool,
    pub size: (u32, u32),
    pub bitrate: Option<u32>,
    pub max_bitrate: Option<u32>,
    pub gop: i64,
    pub preset: &'a str,
}

pub(super) struct Chain {
    pub graph: filter::Graph,
    pub encoder: encoder::Video,
    pub format: OutputFormat,
    pub backend: Encoder,
    /// Keeps the hardware device open as long as graph and encoder use it.
    _device: Backend,
}

impl Chain {
    pub fn build(backend: Backend, input: &ChainInput<'_>) -> Result<Chain, String> {
        let (width, height) = input.size;
        let frame_rate = if input.deinterlace {
            (input.rate.0 * 2, input.rate.1)
        } else {
            input.rate
        };
        let format = OutputFormat {
            width,
            height,
            frame_rate,
            deinterlaced: input.deinterlace,
        };
        let mut graph = build_graph(&backend, input).map_err(|e| format!("filters: {e}"))?;
        let encoder = open_encoder(&backend, &mut graph, input, &format)?;
        Ok(Chain {
            graph,
            encoder,
            format,
            backend: backend.encoder,
            _device: backend,
        })
    }

    pub fn push(&mut self, picture: &frame::Video) -> Result<(), String> {
        let mut source = self.graph.get("in").ok_or("the graph lost its source")?;
        source.source().add(picture).map_err(|e| e.to_string())
    }

    /// The next filtered picture, if one is ready.
    pub fn pull(&mut self, into: &mut frame::Video) -> bool {
        self.graph
            .get("out")
            .is_some_and(|mut sink| sink.sink().frame(into).is_ok())
    }

    pub fn flush_filters(&mut self) -> Result<(), String> {
        let mut source = self.graph.get("in").ok_or("the graph lost its source")?;
        source.source().flush().map_err(|e| e.to_string())
    }

    /// Encoded packets ready now, appended through `take`.
    pub fn receive(&mut self, packet: &mut Packet, mut take: impl FnMut(&Packet)) {
        while self.encoder.receive_packet(packet).is_ok() {
            take(packet);
        }
    }
}

fn build_graph(
    backend: &Backend,
    input: &ChainInput<'_>,
) -> Result<filter::Graph, ffmpeg_next::Error> {
    let picture = input.picture;
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
        input.rate.0,
        input.rate.1,
    );
    let buffer = filter::find("buffer").ok_or(ffmpeg_next::Error::FilterNotFound)?;
    let sink = filter::find("buffersink").ok_or(ffmpeg_next::Error::FilterNotFound)?;
    graph.add(&buffer, "in", &args)?;
    graph.add(&sink, "out", "")?;
    let scale = (input.size != (picture.width(), picture.height())).then_some(input.size);
    let steps = backend.filters(input.deinterlace, scale, CLOCK);
    graph
        .output("in", 0)?
        .input("out", 0)?
        .parse(&steps.join(","))?;
    if let Some(device) = backend.device() {
        device.attach_to(&mut graph);
    }
    graph.validate()?;
    Ok(graph)
}

fn open_encoder(
    backend: &Backend,
    graph: &mut filter::Graph,
    input: &ChainInput<'_>,
    format: &OutputFormat,
) -> Result<encoder::Video, String> {
    let name = backend.encoder_name();
    let codec = encoder::find_by_name(name).ok_or(format!("{name} is not in this FFmpeg"))?;
    let mut context = Context::new_with_codec(codec)
        .encoder()
        .video()
        .map_err(|e| e.to_string())?;
    let (num, den) = format.frame_rate;
    context.set_width(format.width);
    context.set_height(format.height);
    context.set_format(Pixel::YUV420P);
    context.set_time_base((1, CLOCK));
    context.set_frame_rate(Some((num as i32, den as i32)));
    context.set_aspect_ratio((1, 1));
    let bitrate = input
        .bitrate
        .unwrap_or_else(|| default_bitrate(format.height));
    let max_bitrate = input.max_bitrate.unwrap_or(bitrate / 2 * 3).max(bitrate);
    context.set_bit_rate(bitrate as usize);
    context.set_max_bit_rate(max_bitrate as usize);
    // Keyframes come from the IDR schedule; this only bounds a GOP if the schedule ever stalls.
    let frames_per_gop =
        (input.gop as f64 * f64::from(num) / f64::from(den) / f64::from(CLOCK)).ceil();
    context.set_gop((2.0 * frames_per_gop).max(1.0) as u32);
    if let Some(hardware) = backend.hardware_format() {
        let mut sink = graph.get("out").ok_or("the graph lost its sink")?;
        // SAFETY of the raw pointer: the context is unopened and owned here; see hw::use_sink_frames.
        if !hw::use_sink_frames(&mut sink, unsafe { context.as_mut_ptr() }, hardware) {
            return Err("the filters gave no hardware frames".into());
        }
    }
    let rate = RateControl {
        max_bitrate,
        preset: input.preset.to_string(),
    };
    context
        .open_as_with(codec, backend.encoder_options(&rate))
        .map_err(|e| format!("{name}: {e}"))
}
