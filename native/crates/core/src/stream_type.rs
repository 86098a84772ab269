//! stream_type (ISO/IEC 13818-1 Table 2-34, ATSC A/52 for 0x81/0x87) and the codec it implies.
//!
//! DVB carries AC-3, E-AC-3, teletext and subtitles as stream_type 0x06 ("PES private data"): the codec is
//! in the ES descriptors (EN 300 468 Annex D), so classification looks at both.

use crate::descriptor::{self, Descriptor, tag};

/// An 8-bit stream_type; an open newtype because the code space grows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StreamType(pub u8);

impl StreamType {
    pub const MPEG1_VIDEO: StreamType = StreamType(0x01);
    pub const MPEG2_VIDEO: StreamType = StreamType(0x02);
    pub const MPEG1_AUDIO: StreamType = StreamType(0x03);
    pub const MPEG2_AUDIO: StreamType = StreamType(0x04);
    pub const PRIVATE_SECTIONS: StreamType = StreamType(0x05);
    pub const PES_PRIVATE_DATA: StreamType = StreamType(0x06);
    pub const AAC_ADTS: StreamType = StreamType(0x0F);
    pub const AAC_LATM: StreamType = StreamType(0x11);
    pub const H264: StreamType = StreamType(0x1B);
    pub const HEVC: StreamType = StreamType(0x24);
    pub const AC3: StreamType = StreamType(0x81);
    pub const EAC3: StreamType = StreamType(0x87);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VideoCodec {
    Mpeg2,
    H264,
    Hevc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AudioCodec {
    /// MPEG-1/2 audio layers I–III (broadcast: layer II, "MP2").
    Mpeg,
    Ac3,
    Eac3,
    /// AAC in ADTS framing.
    AacAdts,
    /// AAC in LATM/LOAS framing.
    AacLatm,
}

/// What an elementary stream carries, as far as the engine cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Codec {
    Video(VideoCodec),
    Audio(AudioCodec),
    Teletext,
    DvbSubtitle,
    Other,
}

impl Codec {
    /// Classifies an ES from its stream_type and ES_info descriptors.
    pub fn classify(stream_type: StreamType, es_info: &[u8]) -> Codec {
        match stream_type {
            StreamType::MPEG1_VIDEO | StreamType::MPEG2_VIDEO => Codec::Video(VideoCodec::Mpeg2),
            StreamType::H264 => Codec::Video(VideoCodec::H264),
            StreamType::HEVC => Codec::Video(VideoCodec::Hevc),
            StreamType::MPEG1_AUDIO | StreamType::MPEG2_AUDIO => Codec::Audio(AudioCodec::Mpeg),
            StreamType::AAC_ADTS => Codec::Audio(AudioCodec::AacAdts),
            StreamType::AAC_LATM => Codec::Audio(AudioCodec::AacLatm),
            StreamType::AC3 => Codec::Audio(AudioCodec::Ac3),
            StreamType::EAC3 => Codec::Audio(AudioCodec::Eac3),
            StreamType::PES_PRIVATE_DATA => classify_private(descriptor::descriptors(es_info)),
            _ => Codec::Other,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Codec::Video(VideoCodec::Mpeg2) => "mpeg2video",
            Codec::Video(VideoCodec::H264) => "h264",
            Codec::Video(VideoCodec::Hevc) => "hevc",
            Codec::Audio(AudioCodec::Mpeg) => "mp2",
            Codec::Audio(AudioCodec::Ac3) => "ac3",
            Codec::Audio(AudioCodec::Eac3) => "eac3",
            Codec::Audio(AudioCodec::AacAdts) => "aac",
            Codec::Audio(AudioCodec::AacLatm) => "aac_latm",
            Codec::Teletext => "teletext",
            Codec::DvbSubtitle => "dvb_subtitle",
            Codec::Other => "other",
        }
    }
}

fn classify_private<'a>(descriptors: impl Iterator<Item = Descriptor<'a>>) -> Codec {
    let mut registered = None;
    for d in descriptors {
        match d.tag {
            tag::AC3 => return Codec::Audio(AudioCodec::Ac3),
            tag::ENHANCED_AC3 => return Codec::Audio(AudioCodec::Eac3),
            tag::AAC => return Codec::Audio(AudioCodec::AacAdts),
            tag::TELETEXT => return Codec::Teletext,
            tag::SUBTITLING => return Codec::DvbSubtitle,
            tag::REGISTRATION => registered = descriptor::registration(d.body),
            _ => {}
        }
    }
    match registered.as_ref() {
        Some(b"AC-3") => Codec::Audio(AudioCodec::Ac3),
        Some(b"EAC3") => Codec::Audio(AudioCodec::Eac3),
        Some(b"HEVC") => Codec::Video(VideoCodec::Hevc),
        _ => Codec::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_data_is_classified_by_descriptor() {
        let ac3 = [
            tag::ISO_639_LANGUAGE,
            4,
            b'd',
            b'e',
            b'u',
            0,
            tag::AC3,
            1,
            0,
        ];
        assert_eq!(
            Codec::classify(StreamType::PES_PRIVATE_DATA, &ac3),
            Codec::Audio(AudioCodec::Ac3)
        );
        let eac3 = [tag::REGISTRATION, 4, b'E', b'A', b'C', b'3'];
        assert_eq!(
            Codec::classify(StreamType::PES_PRIVATE_DATA, &eac3),
            Codec::Audio(AudioCodec::Eac3)
        );
        assert_eq!(
            Codec::classify(StreamType::PES_PRIVATE_DATA, &[tag::TELETEXT, 0]),
            Codec::Teletext
        );
        assert_eq!(
            Codec::classify(StreamType::PES_PRIVATE_DATA, &[]),
            Codec::Other
        );
    }

    #[test]
    fn plain_stream_types_need_no_descriptor() {
        assert_eq!(
            Codec::classify(StreamType::H264, &[]),
            Codec::Video(VideoCodec::H264)
        );
        assert_eq!(
            Codec::classify(StreamType::MPEG2_AUDIO, &[]),
            Codec::Audio(AudioCodec::Mpeg)
        );
        assert_eq!(Codec::classify(StreamType(0x05), &[]), Codec::Other);
    }
}
