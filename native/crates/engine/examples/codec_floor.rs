//! The codec floor for `npm run bench:remux`: decode + resample + AAC-LC encode of every audio track of a
//! file, nothing else. Audio frames are demultiplexed first (not measured); then this thread's CPU time is
//! read from /proc around the codec work alone, with the engine's own settings (192 kb/s, 48 kHz stereo).
//! Usage: cargo run --release -p e2gate-engine --example codec_floor -- IN.ts
//! Prints one JSON line: {"cpuSeconds":…,"audioSeconds":…,"tracks":[…],"aacFrames":…,"aacBytes":…}

use std::collections::BTreeMap;

use e2gate_codec::{AudioTranscoder, TranscoderSettings};
use e2gate_core::demux::{DemuxEvent, Demuxer, ProgramSelector};
use e2gate_core::packet::Pid;
use e2gate_core::stream_type::AudioCodec;

/// CPU time of the calling thread in seconds (first field of /proc/thread-self/schedstat, nanoseconds).
fn thread_cpu_seconds() -> f64 {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    text.split_whitespace()
        .next()
        .and_then(|ns| ns.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1e9
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let input = std::env::args().nth(1).ok_or("usage: codec_floor IN.ts")?;
    let data = std::fs::read(input)?;
    let mut demuxer = Demuxer::new(ProgramSelector::First);
    let mut tracks: BTreeMap<Pid, (AudioCodec, Vec<Vec<u8>>, f64)> = BTreeMap::new();
    let mut collect = |demuxer: &mut Demuxer| {
        while let Some(event) = demuxer.pull() {
            if let DemuxEvent::Audio(unit) = event {
                let seconds = unit.frame.duration() as f64 / 90_000.0;
                let entry = tracks
                    .entry(unit.pid)
                    .or_insert((unit.codec, Vec::new(), 0.0));
                entry.1.push(unit.frame.data);
                entry.2 += seconds;
            }
        }
    };
    for chunk in data.chunks(65_536) {
        demuxer.push(chunk);
        collect(&mut demuxer);
    }
    demuxer.finish();
    collect(&mut demuxer);

    let settings = TranscoderSettings::default();
    let mut encoded = 0usize;
    let mut encoded_bytes = 0usize;
    let before = thread_cpu_seconds();
    for (codec, frames, _) in tracks.values() {
        let mut transcoder = AudioTranscoder::new(*codec, settings)?;
        let mut out = Vec::new();
        for frame in frames {
            let _ = transcoder.decode(frame);
            transcoder.encode(&mut out)?;
            encoded += out.len();
            encoded_bytes += out.iter().map(|f| f.data.len()).sum::<usize>();
            out.clear();
        }
        transcoder.finish(&mut out)?;
        encoded += out.len();
        encoded_bytes += out.iter().map(|f| f.data.len()).sum::<usize>();
    }
    let cpu = thread_cpu_seconds() - before;
    let audio_seconds = tracks.values().map(|t| t.2).fold(0.0, f64::max);
    let names: Vec<String> = tracks
        .values()
        .map(|(codec, frames, _)| format!("\"{codec:?}:{}\"", frames.len()))
        .collect();
    println!(
        "{{\"cpuSeconds\":{cpu:.4},\"audioSeconds\":{audio_seconds:.3},\"tracks\":[{}],\"aacFrames\":{encoded},\"aacBytes\":{encoded_bytes}}}",
        names.join(",")
    );
    Ok(())
}
