//! Roundtrip: arbitrary video access units and MP2 frames with arbitrary (monotonic-ish) timestamps are
//! multiplexed, then demultiplexed; everything must come back unchanged and in order.
#![no_main]

use arbitrary::Arbitrary;
use e2gate_core::demux::{DemuxEvent, Demuxer, ProgramSelector};
use e2gate_core::descriptor::AudioType;
use e2gate_core::mux::Muxer;
use e2gate_core::testing::audio::mpa_frame;
use e2gate_core::testing::mux::h264_with_mpeg_audio;
use e2gate_core::timestamp::{MediaTime, TIMESTAMP_MODULUS, Unwrapper};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Unit {
    audio: bool,
    step: u16,
    payload: Vec<u8>,
    keyframe: bool,
}

#[derive(Arbitrary, Debug)]
struct Input {
    start: u64,
    chunk: u16,
    units: Vec<Unit>,
}

fuzz_target!(|input: Input| {
    let config = h264_with_mpeg_audio(1, "deu", AudioType::UNDEFINED);
    let mut muxer = Muxer::new(config);
    let mut ts = Vec::new();
    muxer.write_tables(&mut ts);
    let mp2 = mpa_frame(2, 10, 1, false);
    let mut t = (input.start % TIMESTAMP_MODULUS) as i64;
    let mut sent_video = Vec::new();
    let mut sent_audio = Vec::new();
    // What the demultiplexer must report: the 33-bit wire values placed on one unwrapped line.
    let mut expected = Unwrapper::new();
    for unit in input.units.iter().take(200) {
        t += i64::from(unit.step);
        let time = expected.unwrap(MediaTime(t).to_timestamp());
        let written = MediaTime(t);
        if unit.audio {
            muxer.write_pes(&mut ts, 1, written, written, &mp2, true);
            sent_audio.push(time);
        } else {
            let payload: Vec<u8> = unit.payload.iter().take(20_000).copied().collect();
            muxer.write_pes(&mut ts, 0, written, written, &payload, unit.keyframe);
            sent_video.push((time, payload));
        }
    }
    let mut demuxer = Demuxer::new(ProgramSelector::First);
    let mut events = Vec::new();
    for piece in ts.chunks(usize::from(input.chunk.max(1))) {
        demuxer.push(piece);
        events.extend(std::iter::from_fn(|| demuxer.pull()));
    }
    demuxer.finish();
    events.extend(std::iter::from_fn(|| demuxer.pull()));
    let video: Vec<(MediaTime, Vec<u8>)> = events
        .iter()
        .filter_map(|e| {
            if let DemuxEvent::Video(v) = e {
                Some((v.pts, v.data.clone()))
            } else {
                None
            }
        })
        .collect();
    let audio: Vec<MediaTime> = events
        .iter()
        .filter_map(|e| {
            if let DemuxEvent::Audio(a) = e {
                Some(a.pts)
            } else {
                None
            }
        })
        .collect();
    assert!(
        events.iter().all(|e| !matches!(e, DemuxEvent::Warning(_))),
        "clean input raised a warning: {events:?}"
    );
    assert_eq!(video, sent_video);
    assert_eq!(audio, sent_audio);
});
