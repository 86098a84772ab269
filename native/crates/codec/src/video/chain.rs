//! Filters and encoders of one transcode on one backend, built for the first decoded picture's format: one
//! decode and one deinterlace feed every rendition (the ABR ladder), each with its own scale and encoder. The
//! probe builds the same chain for a synthetic picture, so what it reports is what a session would get.

use ffmpeg_next::codec::Context;
use ffmpeg_next::format::Pixel;
use ffmpeg_next::util::frame;
use ffmpeg_next::{Packet, Rational, encoder, filter};

use super::backend::{Backend, Encoder, RateControl};
use super::hw;
use super::{OutputFormat, default_bitrate};

pub(super) const CLOCK: i32 = 90_000;

/// One rendition's size and rate.
pub(super) struct RenditionInput {
    pub size: (u32, u32),
    pub bitrate: Option<u32>,
    pub max_bitrate: Option<u32>,
}

/// What the chain is built for: the decoded pictures' format and what the output should be.
pub(super) struct ChainInput<'a> {
    pub picture: &'a frame::Video,
    pub rate: (u32, u32),
    pub deinterlace: bool,
    pub renditions: Vec<RenditionInput>,
    pub gop: i64,
    pub preset: &'a str,
}

/// One rendition's encoder, fed by the graph's sink `out<index>`.
pub(super) struct Rendition {
    pub encoder: encoder::Video,
    pub format: OutputFormat,
    sink: String,
}

pub(super) struct Chain {
    pub graph: filter::Graph,
    pub renditions: Vec<Rendition>,
    pub backend: Encoder,
    /// Keeps the hardware device open as long as graph and encoders use it.
    _device: Backend,
}

impl Chain {
    pub fn build(backend: Backend, input: &ChainInput<'_>) -> Result<Chain, String> {
        let frame_rate = if input.deinterlace {
            (input.rate.0 * 2, input.rate.1)
        } else {
            input.rate
        };
        let mut graph = build_graph(&backend, input).map_err(|e| format!("filters: {e}"))?;
        let mut renditions = Vec::with_capacity(input.renditions.len());
        for (index, rendition) in input.renditions.iter().enumerate() {
            let format = OutputFormat {
                width: rendition.size.0,
                height: rendition.size.1,
                frame_rate,
                deinterlaced: input.deinterlace,
            };
            let sink = format!("out{index}");
            let encoder = open_encoder(&backend, &mut graph, &sink, rendition, input, &format)?;
            renditions.push(Rendition {
                encoder,
                format,
                sink,
            });
        }
        Ok(Chain {
            graph,
            renditions,
            backend: backend.encoder,
            _device: backend,
        })
    }

    pub fn push(&mut self, picture: &frame::Video) -> Result<(), String> {
        let mut source = self.graph.get("in").ok_or("the graph lost its source")?;
        source.source().add(picture).map_err(|e| e.to_string())
    }

    /// The next filtered picture of rendition `index`, if one is ready.
    pub fn pull(&mut self, index: usize, into: &mut frame::Video) -> bool {
        let Some(rendition) = self.renditions.get(index) else {
            return false;
        };
        self.graph
            .get(&rendition.sink)
            .is_some_and(|mut sink| sink.sink().frame(into).is_ok())
    }

    pub fn flush_filters(&mut self) -> Result<(), String> {
        let mut source = self.graph.get("in").ok_or("the graph lost its source")?;
        source.source().flush().map_err(|e| e.to_string())
    }

    /// Encoded packets of rendition `index` ready now, handed to `take`.
    pub fn receive(&mut self, index: usize, packet: &mut Packet, mut take: impl FnMut(&Packet)) {
        let Some(rendition) = self.renditions.get_mut(index) else {
            return;
        };
        while rendition.encoder.receive_packet(packet).is_ok() {
            take(packet);
        }
    }
}

/// `[in]` shared filters, split into one branch per rendition, each scaled into its sink `[out<n>]`.
fn graph_spec(backend: &Backend, input: &ChainInput<'_>) -> String {
    let source = (input.picture.width(), input.picture.height());
    let branch = |rendition: &RenditionInput| {
        let scale = (rendition.size != source).then_some(rendition.size);
        backend.rendition_filters(scale, CLOCK).join(",")
    };
    let mut shared = backend.shared_filters(input.deinterlace);
    if input.renditions.len() == 1 {
        shared.push(branch(&input.renditions[0]));
        return format!("[in]{}[out0]", shared.join(","));
    }
    let count = input.renditions.len();
    shared.push(format!("split={count}"));
    let labels: String = (0..count).map(|n| format!("[s{n}]")).collect();
    let mut spec = format!("[in]{}{labels}", shared.join(","));
    for (n, rendition) in input.renditions.iter().enumerate() {
        spec.push_str(&format!(";[s{n}]{}[out{n}]", branch(rendition)));
    }
    spec
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
    for index in 0..input.renditions.len() {
        graph.add(&sink, &format!("out{index}"), "")?;
    }
    let mut parser = graph.output("in", 0)?;
    for index in 0..input.renditions.len() {
        parser = parser.input(&format!("out{index}"), 0)?;
    }
    parser.parse(&graph_spec(backend, input))?;
    if let Some(device) = backend.device() {
        device.attach_to(&mut graph);
    }
    graph.validate()?;
    Ok(graph)
}

fn open_encoder(
    backend: &Backend,
    graph: &mut filter::Graph,
    sink: &str,
    rendition: &RenditionInput,
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
    let bitrate = rendition
        .bitrate
        .unwrap_or_else(|| default_bitrate(format.height));
    let max_bitrate = rendition
        .max_bitrate
        .unwrap_or(bitrate / 2 * 3)
        .max(bitrate);
    context.set_bit_rate(bitrate as usize);
    context.set_max_bit_rate(max_bitrate as usize);
    // Keyframes come from the IDR schedule; this only bounds a GOP if the schedule ever stalls.
    let frames_per_gop =
        (input.gop as f64 * f64::from(num) / f64::from(den) / f64::from(CLOCK)).ceil();
    context.set_gop((2.0 * frames_per_gop).max(1.0) as u32);
    if let Some(hardware) = backend.hardware_format() {
        let mut sink = graph.get(sink).ok_or("the graph lost a sink")?;
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
