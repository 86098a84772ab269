//! Arbitrary bytes through the demultiplexer (in arbitrary chunk sizes, following the first program or a
//! service id) and the prober; every event and accessor is touched. Must never panic or grow unbounded.
#![no_main]

use e2gate_core::demux::{DemuxEvent, Demuxer, ProgramSelector};
use e2gate_core::probe::probe;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, stream)) = data.split_first() else {
        return;
    };
    let selector = if control & 1 == 0 {
        ProgramSelector::First
    } else {
        ProgramSelector::ServiceId(u16::from(control >> 1))
    };
    let chunk = 1 + usize::from(control) * 7;
    let mut demuxer = Demuxer::new(selector);
    let mut touched = 0usize;
    let mut visit = |demuxer: &mut Demuxer| {
        while let Some(event) = demuxer.pull() {
            match event {
                DemuxEvent::Program(program) => {
                    touched += program.streams.len()
                        + usize::from(program.video().is_some())
                        + program.audio().count();
                }
                DemuxEvent::Video(unit) => {
                    touched += unit.data.len() + usize::from(unit.info.keyframe)
                }
                DemuxEvent::Audio(unit) => {
                    touched += unit.frame.data.len() + unit.frame.duration() as usize
                }
                DemuxEvent::Warning(warning) => touched += warning.kind.name().len(),
            }
        }
    };
    for piece in stream.chunks(chunk) {
        demuxer.push(piece);
        visit(&mut demuxer);
    }
    demuxer.finish();
    visit(&mut demuxer);
    let report = probe(stream);
    touched += report
        .programs
        .iter()
        .map(|p| p.streams.len())
        .sum::<usize>();
    std::hint::black_box(touched);
});
