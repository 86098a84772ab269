//! RFC 6381 `codecs` parameters, as HLS puts them in `CODECS` (RFC 8216 §4.3.4.2, Apple HLS authoring
//! spec 9.1), built from what the stream says: video from its parameter sets, audio from a frame header.
//!
//! | stream | string | from |
//! |---|---|---|
//! | H.264 | `avc1.PPCCLL`, lowercase hex (`avc1.640028`) | SPS profile_idc, constraint flags byte, level_idc (ISO/IEC 14496-15 §5.4.1) |
//! | HEVC | `hvc1.[A-C]P.F.TL.C[.C…]` (`hvc1.1.6.L120.90`) | SPS profile_tier_level (ISO/IEC 14496-15 Annex E.3, below) |
//! | MPEG-2 video | `mp4v.OTI`: `60` Simple, `61` Main, `62` SNR, `63` Spatial, `64` High, `65` 4:2:2; `6A` MPEG-1 | sequence extension (RFC 6381 §3.3, MP4 objectTypeIndication) |
//! | AAC | `mp4a.40.AOT` (`mp4a.40.2` AAC-LC) | ADTS profile + 1, or the LATM AudioSpecificConfig |
//! | AC-3, E-AC-3 | `ac-3`, `ec-3` | stream type |
//! | MPEG audio (MP2) | `mp4a.6B` (ISO/IEC 11172-3), `mp4a.69` (13818-3 lower rates) | the header's ID bit |
//!
//! HEVC: general_profile_space as a letter (none for 0), general_profile_idc; the 32 compatibility flags in
//! reverse bit order as hex without leading zeros; `L` or `H` (tier) and general_level_idc; then the six
//! constraint indicator bytes as hex, trailing zero bytes left out. `hvc1` (parameter sets in the sample
//! entry) is what Apple's players ask for; the TS segments carry them in band as well.
//!
//! MP2 is `mp4a.6B`, not `mp4a.40.34`: MPEG-4 audio object type 34 is Layer III (MP3) — what hls.js and
//! Apple write for MP3 — and 33 would be Layer II, which no player looks for; objectTypeIndication 0x6B
//! ("MPEG-1 audio", any layer) is the RFC 6381 value for the MPEG-1 Layer II that DVB broadcasts.
//!
//! Until a stream has shown what is needed, the string is its family alone (`avc1`, `hvc1`, `mp4v`,
//! `mp4a.40`), which RFC 6381 allows; an MP2 stream without a frame yet follows its stream type.

use crate::audio::{aac, mpa};
use crate::es::CodecProfile;
use crate::stream_type::{AudioCodec, StreamType, VideoCodec};

/// The `codecs` string of a video stream; `profile` from [`crate::es::VideoParams::codec_profile`].
pub fn video(codec: VideoCodec, profile: Option<&CodecProfile>) -> String {
    match (codec, profile) {
        (
            VideoCodec::H264,
            Some(CodecProfile::Avc {
                profile_idc,
                constraint_flags,
                level_idc,
            }),
        ) => format!("avc1.{profile_idc:02x}{constraint_flags:02x}{level_idc:02x}"),
        (VideoCodec::Hevc, Some(profile @ CodecProfile::Hevc { .. })) => hevc(profile),
        (
            VideoCodec::Mpeg2,
            Some(CodecProfile::Mpeg2 {
                profile_and_level_indication,
            }),
        ) => match mpeg2_object_type(*profile_and_level_indication) {
            Some(oti) => format!("mp4v.{oti:02X}"),
            None => "mp4v".into(),
        },
        (VideoCodec::H264, _) => "avc1".into(),
        (VideoCodec::Hevc, _) => "hvc1".into(),
        (VideoCodec::Mpeg2, _) => "mp4v".into(),
    }
}

fn hevc(profile: &CodecProfile) -> String {
    let CodecProfile::Hevc {
        general_profile_space,
        general_tier_flag,
        general_profile_idc,
        general_profile_compatibility_flags,
        general_constraint_indicator_flags,
        general_level_idc,
    } = profile
    else {
        return "hvc1".into();
    };
    let space = match general_profile_space {
        1 => "A",
        2 => "B",
        3 => "C",
        _ => "",
    };
    let tier = if *general_tier_flag { 'H' } else { 'L' };
    let mut out = format!(
        "hvc1.{space}{general_profile_idc}.{:X}.{tier}{general_level_idc}",
        general_profile_compatibility_flags.reverse_bits()
    );
    let used = general_constraint_indicator_flags
        .iter()
        .rposition(|b| *b != 0)
        .map_or(0, |i| i + 1);
    for byte in &general_constraint_indicator_flags[..used] {
        out.push_str(&format!(".{byte:02X}"));
    }
    out
}

/// MP4 objectTypeIndication of MPEG-2 video by profile (ISO/IEC 14496-1 Table 5), MPEG-1 video for `None`.
fn mpeg2_object_type(profile_and_level_indication: Option<u8>) -> Option<u8> {
    let Some(indication) = profile_and_level_indication else {
        return Some(0x6A);
    };
    if indication & 0x80 != 0 {
        // Escaped profiles: only 4:2:2 (0x82 high level, 0x85 main level) has an objectTypeIndication.
        return matches!(indication, 0x82 | 0x85).then_some(0x65);
    }
    match (indication >> 4) & 0x07 {
        5 => Some(0x60), // Simple
        4 => Some(0x61), // Main
        3 => Some(0x62), // SNR scalable
        2 => Some(0x63), // Spatially scalable
        1 => Some(0x64), // High
        _ => None,
    }
}

/// The `codecs` string of an audio stream, from one of its frames when there is one (`frame` as the
/// demultiplexer framed it, header included).
pub fn audio(codec: AudioCodec, stream_type: StreamType, frame: Option<&[u8]>) -> String {
    match codec {
        AudioCodec::Ac3 => "ac-3".into(),
        AudioCodec::Eac3 => "ec-3".into(),
        AudioCodec::AacAdts => mp4a(frame.and_then(aac::adts_audio_object_type)),
        AudioCodec::AacLatm => mp4a(frame.and_then(aac::latm_audio_object_type)),
        AudioCodec::Mpeg => {
            let mpeg1 = frame
                .and_then(mpa::is_mpeg1)
                .unwrap_or(stream_type != StreamType::MPEG2_AUDIO);
            if mpeg1 { "mp4a.6B" } else { "mp4a.69" }.into()
        }
    }
}

/// `codecs` of the AAC-LC the engine encodes.
pub const AAC_LC: &str = "mp4a.40.2";

fn mp4a(audio_object_type: Option<u8>) -> String {
    match audio_object_type {
        Some(aot) => format!("mp4a.40.{aot}"),
        None => "mp4a.40".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::es::h264;
    use crate::testing::audio::mpa_frame;
    use crate::testing::h264::Sps;

    fn avc(sps: &Sps) -> String {
        let params = h264::parse_sps(&sps.nal()).unwrap();
        video(VideoCodec::H264, params.codec_profile.as_ref())
    }

    #[test]
    fn h264_takes_profile_constraint_byte_and_level_from_the_sps() {
        assert_eq!(avc(&Sps::hd720()), "avc1.640028");
        let main = Sps {
            profile_idc: 77,
            constraint_flags: 0x40,
            level_idc: 40,
            ..Sps::hd720()
        };
        assert_eq!(avc(&main), "avc1.4d4028");
        let constrained_baseline = Sps {
            profile_idc: 66,
            constraint_flags: 0xC0,
            level_idc: 30,
            ..Sps::hd720()
        };
        assert_eq!(avc(&constrained_baseline), "avc1.42c01e");
        let high_42 = Sps {
            level_idc: 42,
            ..Sps::hd720()
        };
        assert_eq!(avc(&high_42), "avc1.64002a");
        assert_eq!(video(VideoCodec::H264, None), "avc1");
    }

    #[test]
    fn hevc_follows_iso_14496_15_annex_e() {
        let main = CodecProfile::Hevc {
            general_profile_space: 0,
            general_tier_flag: false,
            general_profile_idc: 1,
            general_profile_compatibility_flags: 0x6000_0000, // flags 1 and 2
            general_constraint_indicator_flags: [0x90, 0, 0, 0, 0, 0],
            general_level_idc: 120,
        };
        assert_eq!(video(VideoCodec::Hevc, Some(&main)), "hvc1.1.6.L120.90");
        let main10_high = CodecProfile::Hevc {
            general_profile_space: 0,
            general_tier_flag: true,
            general_profile_idc: 2,
            general_profile_compatibility_flags: 0x2000_0000,
            general_constraint_indicator_flags: [0xB0, 0, 0, 0, 0, 0x01],
            general_level_idc: 153,
        };
        assert_eq!(
            video(VideoCodec::Hevc, Some(&main10_high)),
            "hvc1.2.4.H153.B0.00.00.00.00.01"
        );
        assert_eq!(video(VideoCodec::Hevc, None), "hvc1");
    }

    #[test]
    fn mpeg2_video_maps_profiles_to_object_types() {
        let mpeg2 = |indication| {
            video(
                VideoCodec::Mpeg2,
                Some(&CodecProfile::Mpeg2 {
                    profile_and_level_indication: indication,
                }),
            )
        };
        assert_eq!(mpeg2(Some(0x48)), "mp4v.61"); // Main@Main
        assert_eq!(mpeg2(Some(0x58)), "mp4v.60"); // Simple@Main
        assert_eq!(mpeg2(Some(0x14)), "mp4v.64"); // High@High
        assert_eq!(mpeg2(Some(0x85)), "mp4v.65"); // 4:2:2@Main
        assert_eq!(mpeg2(None), "mp4v.6A"); // MPEG-1 video
        assert_eq!(mpeg2(Some(0x8E)), "mp4v");
    }

    #[test]
    fn audio_strings_come_from_the_frame_header() {
        let mut adts = Vec::new();
        aac::write_adts_header(&mut adts, 48_000, 2, 10);
        assert_eq!(
            audio(AudioCodec::AacAdts, StreamType::AAC_ADTS, Some(&adts)),
            "mp4a.40.2"
        );
        assert_eq!(
            audio(AudioCodec::AacLatm, StreamType::AAC_LATM, None),
            "mp4a.40"
        );
        assert_eq!(audio(AudioCodec::Ac3, StreamType::AC3, None), "ac-3");
        assert_eq!(audio(AudioCodec::Eac3, StreamType::EAC3, None), "ec-3");
        let mut mp2 = mpa_frame(2, 9, 1, false);
        // MPEG-1 Layer II on a stream declared as ISO/IEC 13818-3: the header wins.
        assert_eq!(
            audio(AudioCodec::Mpeg, StreamType::MPEG2_AUDIO, Some(&mp2)),
            "mp4a.6B"
        );
        mp2[1] &= !0x08;
        assert_eq!(
            audio(AudioCodec::Mpeg, StreamType::MPEG1_AUDIO, Some(&mp2)),
            "mp4a.69"
        );
        assert_eq!(
            audio(AudioCodec::Mpeg, StreamType::MPEG1_AUDIO, None),
            "mp4a.6B"
        );
    }
}
