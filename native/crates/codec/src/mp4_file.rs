//! MPEG-TS file → MP4 file with the index first ("fast start"), for browser playback of finished work (the
//! batch-job path; live output never touches files). Packets are copied, not re-encoded: the engine has already
//! made the audio AAC and the video H.264. libavformat's MP4 muxer turns ADTS AAC into raw frames
//! (`aac_adtstoasc`, inserted by the muxer itself) and Annex B H.264 into length-prefixed NAL units, builds
//! `avcC` from the stream's SPS/PPS and, with `+faststart`, moves `moov` before `mdat` in a second pass.
//!
//! This is the one place in the codec crate that does file I/O; it runs on a worker thread of the binding.

use std::path::Path;

use ffmpeg_next::{Dictionary, Rescale, codec, encoder, format, media};

/// What the written MP4 holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Mp4Summary {
    /// Duration of the whole file as its header states it, in seconds.
    pub duration_seconds: f64,
    pub video_streams: u32,
    pub audio_streams: u32,
    /// ISO 639-2 code of each audio stream, in order (`und` when the input named none).
    pub audio_languages: Vec<String>,
}

/// Why a remux failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mp4Error {
    /// The input could not be opened or holds no audio or video stream.
    Input(String),
    /// Writing the output failed (disk full, permissions, a packet the muxer refused).
    Output(String),
}

impl std::fmt::Display for Mp4Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mp4Error::Input(e) => write!(f, "unreadable input: {e}"),
            Mp4Error::Output(e) => write!(f, "MP4 not written: {e}"),
        }
    }
}

impl std::error::Error for Mp4Error {}

/// Copies every audio and video stream of the transport stream at `input` into an MP4 at `output` (replaced if
/// present), keeping each stream's language, with `moov` first. Subtitles, teletext and data streams are left out.
pub fn remux_ts_to_mp4(input: &Path, output: &Path) -> Result<Mp4Summary, Mp4Error> {
    crate::init();
    let mut source = format::input(&input).map_err(|e| Mp4Error::Input(e.to_string()))?;
    let mut sink =
        format::output_as(&output, "mp4").map_err(|e| Mp4Error::Output(e.to_string()))?;

    let mut mapping: Vec<Option<usize>> = vec![None; source.nb_streams() as usize];
    let mut written = 0usize;
    for stream in source.streams() {
        let parameters = stream.parameters();
        let medium = parameters.medium();
        if (medium != media::Type::Video && medium != media::Type::Audio)
            || parameters.id() == codec::Id::None
        {
            continue;
        }
        let mut out = sink
            .add_stream(encoder::find(codec::Id::None))
            .map_err(|e| Mp4Error::Output(e.to_string()))?;
        out.set_parameters(parameters);
        // The TS stream's codec tag means nothing in MP4; the muxer picks its own (`avc1`, `mp4a`).
        // SAFETY: `out` is a stream of `sink`, whose codec parameters were just allocated by add_stream.
        unsafe { (*out.parameters().as_mut_ptr()).codec_tag = 0 };
        out.set_metadata(stream.metadata().to_owned());
        mapping[stream.index()] = Some(written);
        written += 1;
    }
    if written == 0 {
        return Err(Mp4Error::Input("no audio or video stream".into()));
    }

    // A recording's timestamps start wherever the broadcast clock stood; the file starts at zero, or players show
    // the gap as black (and the header's duration includes it).
    // SAFETY: `source` is an open input context; `start_time` is a plain field (AV_NOPTS_VALUE when unknown).
    let start = unsafe { (*source.as_ptr()).start_time };
    let start = if start == ffmpeg_next::ffi::AV_NOPTS_VALUE {
        0
    } else {
        start
    };

    let mut options = Dictionary::new();
    options.set("movflags", "+faststart");
    sink.write_header_with(options)
        .map_err(|e| Mp4Error::Output(e.to_string()))?;
    for (stream, mut packet) in source.packets() {
        let Some(index) = mapping.get(stream.index()).copied().flatten() else {
            continue;
        };
        let out_base = sink
            .stream(index)
            .map(|s| s.time_base())
            .ok_or_else(|| Mp4Error::Output("output stream vanished".into()))?;
        let shift = start.rescale(ffmpeg_next::rescale::TIME_BASE, stream.time_base());
        packet.set_pts(packet.pts().map(|pts| pts - shift));
        packet.set_dts(packet.dts().map(|dts| dts - shift));
        packet.rescale_ts(stream.time_base(), out_base);
        packet.set_position(-1);
        packet.set_stream(index);
        packet
            .write_interleaved(&mut sink)
            .map_err(|e| Mp4Error::Output(e.to_string()))?;
    }
    sink.write_trailer()
        .map_err(|e| Mp4Error::Output(e.to_string()))?;
    drop(sink);
    summarise(output)
}

/// Reads back what was written: the header's duration and the streams with their languages.
fn summarise(path: &Path) -> Result<Mp4Summary, Mp4Error> {
    let written = format::input(&path).map_err(|e| Mp4Error::Output(e.to_string()))?;
    let mut summary = Mp4Summary {
        duration_seconds: written.duration().max(0) as f64
            / f64::from(ffmpeg_next::ffi::AV_TIME_BASE),
        video_streams: 0,
        audio_streams: 0,
        audio_languages: Vec::new(),
    };
    for stream in written.streams() {
        match stream.parameters().medium() {
            media::Type::Video => summary.video_streams += 1,
            media::Type::Audio => {
                summary.audio_streams += 1;
                let language = stream
                    .metadata()
                    .get("language")
                    .unwrap_or("und")
                    .to_string();
                summary.audio_languages.push(language);
            }
            _ => {}
        }
    }
    Ok(summary)
}
