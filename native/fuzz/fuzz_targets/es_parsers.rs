//! Every elementary-stream and PSI parser entry point on arbitrary bytes: Annex B unit splitting (the lazy
//! prefix scan against the full one), video access-unit inspection and parameter sets for
//! H.264/HEVC/MPEG-2, the H.264 start repair (slice headers after real parameter sets), audio framing for every
//! codec, PES headers, sections, PAT/PMT, descriptors, PCR.
#![no_main]

use e2gate_core::audio::AudioFramer;
use e2gate_core::descriptor;
use e2gate_core::es;
use e2gate_core::pes::PesHeader;
use e2gate_core::psi::{Pat, Pmt, Section};
use e2gate_core::stream_type::{AudioCodec, VideoCodec};
use e2gate_core::timestamp::{MediaTime, Pcr};
use libfuzzer_sys::fuzz_target;

/// SPS and PPS of the 720p50 x264 fixture (High, CABAC, weighted prediction), so slice headers get parsed.
const PARAMETER_SETS: &[u8] = &[
    0, 0, 0, 1, 0x67, 0x64, 0x00, 0x28, 0xAC, 0xD9, 0x40, 0x50, 0x05, 0xBB, 0x01, 0x10, 0x00, 0x00,
    0x03, 0x00, 0x10, 0x00, 0x00, 0x06, 0x40, 0xF1, 0x83, 0x19, 0x60, 0, 0, 0, 1, 0x68, 0xEF, 0xBC,
    0xB0,
];

fuzz_target!(|data: &[u8]| {
    let mut touched = 0usize;
    // The lazy prefix scan used by inspection must see exactly what the full unit split sees.
    for limit in [2, 65, 513] {
        let cut = es::nal::units(data).map(|u| &u[..u.len().min(limit)]);
        assert!(cut.eq(es::nal::unit_prefixes(data, limit)), "limit {limit}");
    }
    for codec in [VideoCodec::H264, VideoCodec::Hevc, VideoCodec::Mpeg2] {
        let info = es::inspect(codec, data);
        let sets: Vec<Vec<u8>> = es::parameter_sets(codec, data)
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect();
        let params = es::video_params(codec, data);
        let patched = es::with_parameter_sets(codec, data, &sets);
        touched += usize::from(info.keyframe)
            + sets.len()
            + patched.len()
            + params.map_or(0, |p| p.width as usize);
    }
    let mut repair = es::h264_start::StartRepair::default();
    repair.start();
    repair.access_unit(PARAMETER_SETS);
    for piece in data.split_inclusive(|&b| b == 0xE7) {
        if let Some(fixed) = repair.access_unit(piece) {
            touched += fixed.len();
        }
    }
    for codec in [
        AudioCodec::Mpeg,
        AudioCodec::Ac3,
        AudioCodec::Eac3,
        AudioCodec::AacAdts,
        AudioCodec::AacLatm,
    ] {
        let mut framer = AudioFramer::new(codec);
        for (index, piece) in data.chunks(97).enumerate() {
            framer.push(
                piece,
                (index % 3 == 0).then_some(MediaTime(index as i64 * 1920)),
            );
            while let Some(frame) = framer.pull() {
                touched += frame.data.len() + frame.duration() as usize;
            }
        }
        framer.flush();
        while let Some(frame) = framer.pull() {
            touched += frame.data.len();
        }
        touched += framer.take_report().skipped_bytes;
    }
    if let Ok(header) = PesHeader::parse(data) {
        touched += header.payload_offset + header.pts.map_or(0, |t| t.ticks() as usize);
    }
    if let Ok(section) = Section::parse(data.to_vec()) {
        touched += Pat::from_section(&section).map_or(0, |p| p.programs.len());
        if let Some(pmt) = Pmt::from_section(&section) {
            for es in &pmt.streams {
                touched += usize::from(es.language().is_some()) + es.codec().name().len();
            }
        }
    }
    touched += descriptor::descriptors(data)
        .map(|d| d.body.len())
        .sum::<usize>();
    if let Some(field) = data.get(..6) {
        let pcr = Pcr::parse(field.try_into().expect("six bytes"));
        assert_eq!(Pcr::parse(&pcr.write()), pcr);
    }
    std::hint::black_box(touched);
});
