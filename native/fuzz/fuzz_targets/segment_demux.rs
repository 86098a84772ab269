//! Roundtrip: units through the HLS segmenter, every segment demultiplexed on its own: each starts with
//! PAT/PMT and (with video) a keyframe at the segment's start time, and together they hold every unit.
//! With renditions every part of a segment is demultiplexed on its own: one stream each, audio by
//! presentation time inside the segment's span.
#![no_main]

use arbitrary::Arbitrary;
use e2gate_core::demux::{DemuxEvent, Demuxer, ProgramSelector};
use e2gate_core::mux::{MuxConfig, MuxStream};
use e2gate_core::packet::Pid;
use e2gate_core::pes::stream_id;
use e2gate_core::segmenter::{OutputMode, Segment, Segmenter, Unit};
use e2gate_core::stream_type::StreamType;
use e2gate_core::testing::audio::mpa_frame;
use e2gate_core::testing::h264::{AUD, PPS, Sps, access_unit, slice};
use e2gate_core::timestamp::MediaTime;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Step {
    audio: bool,
    keyframe: bool,
    advance: u16,
}

#[derive(Arbitrary, Debug)]
struct Input {
    target_tenths: u8,
    renditions: bool,
    steps: Vec<Step>,
}

/// Demultiplexes one transport stream that must start with its tables.
fn demux(ts: &[u8], segment: &Segment) -> Vec<DemuxEvent> {
    let mut demuxer = Demuxer::new(ProgramSelector::First);
    demuxer.push(ts);
    demuxer.finish();
    let events: Vec<DemuxEvent> = std::iter::from_fn(|| demuxer.pull()).collect();
    assert!(
        matches!(events.first(), Some(DemuxEvent::Program(_))),
        "segment {} starts without tables",
        segment.sequence
    );
    events
}

fuzz_target!(|input: Input| {
    let target = (i64::from(input.target_tenths % 100) + 5) * 9_000;
    let config = MuxConfig {
        transport_stream_id: 1,
        program_number: 1,
        pcr_pid: Pid::new(0x100),
        streams: vec![
            MuxStream {
                pid: Pid::new(0x100),
                stream_type: StreamType::H264,
                stream_id: stream_id::VIDEO,
                descriptors: vec![],
            },
            MuxStream {
                pid: Pid::new(0x101),
                stream_type: StreamType::MPEG1_AUDIO,
                stream_id: stream_id::AUDIO,
                descriptors: vec![],
            },
        ],
    };
    let mode = if input.renditions {
        OutputMode::HlsRenditions { target }
    } else {
        OutputMode::Hls { target }
    };
    let mut segmenter = Segmenter::new(mode, config, Some(0));
    let keyframe = access_unit(&[
        AUD.to_vec(),
        Sps::hd720().nal(),
        PPS.to_vec(),
        slice(1, 0, 7),
    ]);
    let other = access_unit(&[AUD.to_vec(), slice(1, 0, 5)]);
    let mp2 = mpa_frame(2, 10, 1, false);
    let mut t = 0i64;
    let mut started = false;
    let mut written = 0usize;
    for step in input.steps.iter().take(500) {
        t += i64::from(step.advance);
        let time = MediaTime(t);
        let (data, key, stream) = if step.audio {
            (&mp2, true, 1)
        } else {
            (
                if step.keyframe { &keyframe } else { &other },
                step.keyframe,
                0,
            )
        };
        started |= stream == 0 && key;
        if started {
            written += 1;
        }
        segmenter.write(&Unit {
            stream,
            pts: time,
            dts: time,
            duration: 1800,
            data,
            keyframe: key,
        });
    }
    segmenter.finish();
    let mut read = 0usize;
    let segments: Vec<Segment> = std::iter::from_fn(|| segmenter.pull_segment()).collect();
    for (index, segment) in segments.iter().enumerate() {
        let events = if input.renditions {
            assert!(segment.data.is_empty() && segment.parts.len() == 2);
            let audio = demux(&segment.parts[1], segment);
            let last = index + 1 == segments.len();
            for event in &audio {
                match event {
                    DemuxEvent::Program(program) => assert_eq!(program.streams.len(), 1),
                    DemuxEvent::Audio(a) => assert!(
                        a.pts >= segment.start && (last || a.pts < segment.end()),
                        "audio at {:?} outside segment {}",
                        a.pts,
                        segment.sequence
                    ),
                    DemuxEvent::Video(_) => panic!("video in the audio part"),
                    DemuxEvent::Warning(_) => {}
                }
            }
            let mut video = demux(&segment.parts[0], segment);
            video.extend(audio);
            video
        } else {
            demux(&segment.data, segment)
        };
        let first_video = events.iter().find_map(|e| {
            if let DemuxEvent::Video(v) = e {
                Some(v)
            } else {
                None
            }
        });
        if segment.keyframe {
            let first = first_video.expect("a keyframe segment holds video");
            assert!(first.info.keyframe);
            assert_eq!(first.pts, segment.start);
        }
        assert!(segment.duration >= 0);
        read += events
            .iter()
            .filter(|e| matches!(e, DemuxEvent::Video(_) | DemuxEvent::Audio(_)))
            .count();
    }
    assert_eq!(read, written);
});
