//! Maps the followed program onto output streams: video copied or as H.264, every kept audio track as AAC-LC, and
//! optionally the original AC-3/E-AC-3 beside it. PIDs follow FFmpeg's layout (0x100 upwards).

use e2gate_codec::OUTPUT_CHANNELS;
use e2gate_core::codecs;
use e2gate_core::demux::{ProgramInfo, StreamInfo};
use e2gate_core::descriptor::{self, AudioType, Language};
use e2gate_core::mux::{FIRST_ES_PID, MuxConfig, MuxStream};
use e2gate_core::packet::Pid;
use e2gate_core::pes::stream_id;
use e2gate_core::stream_type::{AudioCodec, Codec, StreamType, VideoCodec};

use crate::options::{AudioOutput, PipelineOptions, VideoOutput};

/// Audio tracks transcoded per pipeline at most; a PMT listing more is hostile or exotic.
pub const MAX_AUDIO_TRACKS: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AudioRoute {
    /// Decode and encode AAC-LC.
    Transcode,
    /// Copy frames unchanged (AAC already, or the original AC-3/E-AC-3 kept beside the AAC).
    Copy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AudioSpec {
    pub source: Pid,
    pub codec: AudioCodec,
    pub route: AudioRoute,
    /// Index of the output stream.
    pub output: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VideoSpec {
    pub source: Pid,
    pub codec: VideoCodec,
    /// The first output stream; a transcoded ladder's renditions follow it (`output + 1`, …).
    pub output: usize,
    /// Video output streams: 1, or the ladder's renditions.
    pub renditions: usize,
}

/// One output stream as a consumer (playlist builder, metrics) sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputStream {
    pub pid: Pid,
    /// `h264`, `hevc`, `mpeg2video`, `aac`, `ac3`, `eac3`.
    pub codec: &'static str,
    pub language: Option<Language>,
    pub audio_type: AudioType,
    pub source_pid: Pid,
    /// In a [`Layout`], what the PMT and the options say; the pipeline completes it from the stream.
    pub format: StreamFormat,
}

/// What a player needs to know about an output stream (HLS `CODECS`, `CHANNELS`, `RESOLUTION`,
/// `FRAME-RATE`), from the stream itself; `None` while the stream has not said it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamFormat {
    /// RFC 6381 `codecs` (see [`e2gate_core::codecs`]); the codec family alone while the parameter sets or
    /// a frame header are still unknown.
    pub codecs: String,
    /// Audio: output channels (2 for the AAC the engine encodes, the source's for a copied track).
    pub channels: Option<u8>,
    /// Video: cropped picture size.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Video: frames per second as (numerator, denominator).
    pub frame_rate: Option<(u32, u32)>,
    pub interlaced: Option<bool>,
}

impl StreamFormat {
    fn codecs(codecs: String) -> Self {
        StreamFormat {
            codecs,
            ..StreamFormat::default()
        }
    }

    /// The AAC-LC stereo the engine encodes.
    fn encoded_aac() -> Self {
        StreamFormat {
            codecs: codecs::AAC_LC.into(),
            channels: Some(OUTPUT_CHANNELS),
            ..StreamFormat::default()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub mux: MuxConfig,
    pub video: Option<VideoSpec>,
    pub audio: Vec<AudioSpec>,
    pub streams: Vec<OutputStream>,
}

fn kept_audio<'a>(program: &'a ProgramInfo, options: &PipelineOptions) -> Vec<&'a StreamInfo> {
    let all: Vec<&StreamInfo> = program.audio().collect();
    let Some(wanted) = options.languages.as_ref() else {
        return all;
    };
    let matching: Vec<&StreamInfo> = all
        .iter()
        .copied()
        .filter(|s| {
            s.language
                .is_some_and(|l| wanted.iter().any(|w| w.matches(&l)))
        })
        .collect();
    if matching.is_empty() { all } else { matching }
}

/// Output streams in the order they are added, each on the next PID from [`FIRST_ES_PID`].
struct LayoutBuilder {
    next_pid: u16,
    mux: Vec<MuxStream>,
    streams: Vec<OutputStream>,
}

/// What an output stream says about itself, apart from the PID the builder gives it.
struct StreamSpec {
    stream_type: StreamType,
    stream_id: u8,
    descriptors: Vec<u8>,
    codec: &'static str,
    language: Option<Language>,
    audio_type: AudioType,
    source_pid: Pid,
    format: StreamFormat,
}

impl LayoutBuilder {
    fn new() -> Self {
        LayoutBuilder {
            next_pid: FIRST_ES_PID,
            mux: Vec::new(),
            streams: Vec::new(),
        }
    }

    /// Adds a stream on the next PID; returns its index.
    fn add(&mut self, spec: StreamSpec) -> usize {
        let pid = Pid::new(self.next_pid);
        self.next_pid += 1;
        self.mux.push(MuxStream {
            pid,
            stream_type: spec.stream_type,
            stream_id: spec.stream_id,
            descriptors: spec.descriptors,
        });
        self.streams.push(OutputStream {
            pid,
            codec: spec.codec,
            language: spec.language,
            audio_type: spec.audio_type,
            source_pid: spec.source_pid,
            format: spec.format,
        });
        self.mux.len() - 1
    }

    /// An audio stream of `source` with its language and audio type (descriptors after `descriptors`).
    fn add_audio(
        &mut self,
        source: &StreamInfo,
        (stream_type, stream_id, mut descriptors): (StreamType, u8, Vec<u8>),
        codec: &'static str,
        format: StreamFormat,
    ) -> usize {
        descriptors.extend(MuxStream::language_descriptors(
            source.language,
            source.audio_type,
        ));
        self.add(StreamSpec {
            stream_type,
            stream_id,
            descriptors,
            codec,
            language: source.language,
            audio_type: source.audio_type,
            source_pid: source.pid,
            format,
        })
    }
}

/// How an audio track copied unchanged is carried: its own stream type (AC-3/E-AC-3 with their registration
/// descriptor, as FFmpeg writes them); the language and audio type are added by the builder.
fn copied_audio(
    codec: AudioCodec,
    source: &StreamInfo,
    index: usize,
) -> ((StreamType, u8, Vec<u8>), &'static str) {
    let audio_id = stream_id::AUDIO + index as u8;
    let (stream_type, stream_id, format, name) = match codec {
        AudioCodec::Mpeg if source.stream_type == StreamType::MPEG1_AUDIO => {
            (StreamType::MPEG1_AUDIO, audio_id, None, "mp2")
        }
        AudioCodec::Mpeg => (StreamType::MPEG2_AUDIO, audio_id, None, "mp2"),
        AudioCodec::Ac3 => (
            StreamType::AC3,
            stream_id::PRIVATE_STREAM_1,
            Some(b"AC-3"),
            "ac3",
        ),
        AudioCodec::Eac3 => (
            StreamType::EAC3,
            stream_id::PRIVATE_STREAM_1,
            Some(b"EAC3"),
            "eac3",
        ),
        AudioCodec::AacAdts => (StreamType::AAC_ADTS, audio_id, None, "aac"),
        AudioCodec::AacLatm => (StreamType::AAC_LATM, audio_id, None, "aac_latm"),
    };
    let descriptors = format.map(registration).unwrap_or_default();
    ((stream_type, stream_id, descriptors), name)
}

fn registration(format_identifier: &[u8; 4]) -> Vec<u8> {
    let mut out = vec![descriptor::tag::REGISTRATION, 4];
    out.extend_from_slice(format_identifier);
    out
}

impl Layout {
    /// `None` when the program has neither video nor audio to output.
    pub fn build(program: &ProgramInfo, options: &PipelineOptions) -> Option<Layout> {
        let mut builder = LayoutBuilder::new();
        let video = program
            .video()
            .and_then(|source| add_video(&mut builder, source, options));
        let sources: Vec<&StreamInfo> = kept_audio(program, options)
            .into_iter()
            .take(MAX_AUDIO_TRACKS)
            .collect();
        let mut audio = Vec::new();
        for (index, source) in sources.iter().enumerate() {
            let Codec::Audio(codec) = source.codec else {
                continue;
            };
            let (carriage, route, name) = match options.audio_output {
                AudioOutput::Copy => {
                    let (carriage, name) = copied_audio(codec, source, index);
                    (carriage, AudioRoute::Copy, name)
                }
                AudioOutput::Aac => {
                    let route = if codec == AudioCodec::AacAdts {
                        AudioRoute::Copy
                    } else {
                        AudioRoute::Transcode
                    };
                    let carriage = (
                        StreamType::AAC_ADTS,
                        stream_id::AUDIO + index as u8,
                        Vec::new(),
                    );
                    (carriage, route, "aac")
                }
            };
            let format = match route {
                AudioRoute::Transcode => StreamFormat::encoded_aac(),
                AudioRoute::Copy => StreamFormat::codecs(codecs::audio(codec, carriage.0, None)),
            };
            let output = builder.add_audio(source, carriage, name, format);
            audio.push(AudioSpec {
                source: source.pid,
                codec,
                route,
                output,
            });
        }
        if options.keep_original_audio && options.audio_output == AudioOutput::Aac {
            for source in &sources {
                let (stream_type, name, format) = match source.codec {
                    Codec::Audio(AudioCodec::Ac3) => (StreamType::AC3, "ac3", b"AC-3"),
                    Codec::Audio(AudioCodec::Eac3) => (StreamType::EAC3, "eac3", b"EAC3"),
                    _ => continue,
                };
                let Codec::Audio(codec) = source.codec else {
                    continue;
                };
                let carriage = (
                    stream_type,
                    stream_id::PRIVATE_STREAM_1,
                    registration(format),
                );
                let format = StreamFormat::codecs(codecs::audio(codec, stream_type, None));
                let output = builder.add_audio(source, carriage, name, format);
                audio.push(AudioSpec {
                    source: source.pid,
                    codec,
                    route: AudioRoute::Copy,
                    output,
                });
            }
        }
        let first = builder.mux.first()?.pid;
        Some(Layout {
            mux: MuxConfig {
                transport_stream_id: 1,
                program_number: program.program_number,
                pcr_pid: first,
                streams: builder.mux,
            },
            video,
            audio,
            streams: builder.streams,
        })
    }
}

/// The video stream: copied in its own codec, or H.264 when the options transcode it.
fn add_video(
    builder: &mut LayoutBuilder,
    source: &StreamInfo,
    options: &PipelineOptions,
) -> Option<VideoSpec> {
    let Codec::Video(codec) = source.codec else {
        return None;
    };
    let transcoded = matches!(options.video, VideoOutput::Transcode { .. });
    let (stream_type, name, output_codec) = match codec {
        _ if transcoded => (StreamType::H264, "h264", VideoCodec::H264),
        VideoCodec::H264 => (StreamType::H264, "h264", codec),
        VideoCodec::Hevc => (StreamType::HEVC, "hevc", codec),
        VideoCodec::Mpeg2 if source.stream_type == StreamType::MPEG1_VIDEO => {
            (StreamType::MPEG1_VIDEO, "mpeg1video", codec)
        }
        VideoCodec::Mpeg2 => (StreamType::MPEG2_VIDEO, "mpeg2video", codec),
    };
    let renditions = match &options.video {
        VideoOutput::Transcode { settings, .. } => 1 + settings.ladder.len(),
        VideoOutput::Copy => 1,
    };
    let outputs: Vec<usize> = (0..renditions)
        .map(|n| {
            builder.add(StreamSpec {
                stream_type,
                stream_id: stream_id::VIDEO + n as u8,
                descriptors: Vec::new(),
                codec: name,
                language: None,
                audio_type: AudioType::UNDEFINED,
                source_pid: source.pid,
                format: StreamFormat::codecs(codecs::video(output_codec, None)),
            })
        })
        .collect();
    Some(VideoSpec {
        source: source.pid,
        codec,
        output: outputs[0],
        renditions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(pid: u16, codec: Codec, language: Option<&str>) -> StreamInfo {
        StreamInfo {
            pid: Pid::new(pid),
            stream_type: StreamType::PES_PRIVATE_DATA,
            codec,
            language: language.and_then(Language::parse),
            audio_type: AudioType::UNDEFINED,
            descriptors: vec![],
        }
    }

    fn orf() -> ProgramInfo {
        ProgramInfo {
            program_number: 4911,
            pmt_pid: Pid::new(107),
            pcr_pid: Pid::new(1920),
            version: 0,
            streams: vec![
                stream(1920, Codec::Video(VideoCodec::H264), None),
                stream(1921, Codec::Audio(AudioCodec::Ac3), Some("deu")),
                stream(1922, Codec::Audio(AudioCodec::Mpeg), Some("mis")),
                stream(1923, Codec::Teletext, Some("deu")),
            ],
        }
    }

    #[test]
    fn every_audio_track_becomes_aac_with_its_language() {
        let layout = Layout::build(&orf(), &PipelineOptions::default()).unwrap();
        let codecs: Vec<&str> = layout.streams.iter().map(|s| s.codec).collect();
        assert_eq!(codecs, vec!["h264", "aac", "aac"]);
        assert_eq!(layout.streams[1].language.unwrap().as_str(), "deu");
        assert_eq!(layout.mux.pcr_pid, Pid::new(0x100));
        assert_eq!(
            layout.audio.iter().map(|a| a.route).collect::<Vec<_>>(),
            vec![AudioRoute::Transcode; 2]
        );
        let formats: Vec<(&str, Option<u8>)> = layout
            .streams
            .iter()
            .map(|s| (s.format.codecs.as_str(), s.format.channels))
            .collect();
        assert_eq!(
            formats,
            vec![
                ("avc1", None),
                ("mp4a.40.2", Some(2)),
                ("mp4a.40.2", Some(2))
            ],
            "video and copied audio are completed from the stream"
        );
    }

    #[test]
    fn copy_keeps_every_audio_track_in_its_own_codec_and_language() {
        let options = PipelineOptions {
            audio_output: AudioOutput::Copy,
            keep_original_audio: true,
            ..PipelineOptions::default()
        };
        let layout = Layout::build(&orf(), &options).unwrap();
        let codecs: Vec<&str> = layout.streams.iter().map(|s| s.codec).collect();
        assert_eq!(codecs, vec!["h264", "ac3", "mp2"]);
        assert_eq!(
            layout.audio.iter().map(|a| a.route).collect::<Vec<_>>(),
            vec![AudioRoute::Copy; 2]
        );
        let ac3 = &layout.mux.streams[1];
        assert_eq!(ac3.stream_type, StreamType::AC3);
        assert_eq!(ac3.stream_id, stream_id::PRIVATE_STREAM_1);
        assert_eq!(
            &ac3.descriptors[..6],
            &[descriptor::tag::REGISTRATION, 4, b'A', b'C', b'-', b'3']
        );
        let mp2 = &layout.mux.streams[2];
        assert_eq!(mp2.stream_type, StreamType::MPEG2_AUDIO);
        let codecs: Vec<&str> = layout
            .streams
            .iter()
            .map(|s| s.format.codecs.as_str())
            .collect();
        assert_eq!(
            codecs,
            vec!["avc1", "ac-3", "mp4a.69"],
            "until a frame says more"
        );
        assert_eq!(layout.streams[2].language.unwrap().as_str(), "mis");
    }

    #[test]
    fn language_filter_and_original_ac3_are_honoured() {
        let options = PipelineOptions {
            languages: Some(vec![Language::parse("ger").unwrap()]),
            keep_original_audio: true,
            ..Default::default()
        };
        let layout = Layout::build(&orf(), &options).unwrap();
        let codecs: Vec<&str> = layout.streams.iter().map(|s| s.codec).collect();
        assert_eq!(codecs, vec!["h264", "aac", "ac3"]);
        assert_eq!(layout.mux.streams[2].stream_type, StreamType::AC3);
        let unknown = PipelineOptions {
            languages: Some(vec![Language::parse("fra").unwrap()]),
            ..Default::default()
        };
        assert_eq!(
            Layout::build(&orf(), &unknown).unwrap().audio.len(),
            2,
            "no match keeps every track"
        );
    }

    #[test]
    fn radio_has_the_pcr_on_audio_and_nothing_is_none() {
        let mut radio = orf();
        radio.streams.remove(0);
        let layout = Layout::build(&radio, &PipelineOptions::default()).unwrap();
        assert!(layout.video.is_none());
        assert_eq!(layout.mux.pcr_pid, layout.mux.streams[0].pid);
        radio.streams.retain(|s| s.codec == Codec::Teletext);
        assert!(Layout::build(&radio, &PipelineOptions::default()).is_none());
    }

    #[test]
    fn transcoded_video_is_an_h264_stream_whatever_the_source() {
        let mut sd = orf();
        sd.streams[0] = stream(1920, Codec::Video(VideoCodec::Mpeg2), None);
        let copied = Layout::build(&sd, &PipelineOptions::default()).unwrap();
        assert_eq!(copied.mux.streams[0].stream_type, StreamType::MPEG2_VIDEO);
        let options = PipelineOptions {
            video: crate::options::VideoOutput::Transcode {
                when: crate::options::TranscodeWhen::Always,
                settings: e2gate_codec::VideoSettings::default(),
            },
            ..PipelineOptions::default()
        };
        let layout = Layout::build(&sd, &options).unwrap();
        assert_eq!(layout.mux.streams[0].stream_type, StreamType::H264);
        assert_eq!(
            (
                layout.streams[0].codec,
                layout.streams[0].format.codecs.as_str()
            ),
            ("h264", "avc1")
        );
        assert_eq!(
            layout.video.unwrap().codec,
            VideoCodec::Mpeg2,
            "the source's codec, for the decoder"
        );
        let pids: Vec<u16> = layout.mux.streams.iter().map(|s| s.pid.value()).collect();
        assert_eq!(pids, vec![0x100, 0x101, 0x102]);
    }
}
