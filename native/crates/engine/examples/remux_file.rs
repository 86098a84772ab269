//! Runs the pipeline over a file without the Node binding (engine debugging and profiling).
//! Usage: cargo run --release -p e2gate-engine --example remux_file -- IN.ts OUT.ts|OUT_DIR [hls|renditions]
//! (`renditions`: HLS with one file per output stream and segment, `seg<N>_<stream>.ts`).

use std::io::Write;

use e2gate_engine::{Output, OutputKind, Pipeline, PipelineOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (input, output) = (
        args.get(1).ok_or("missing IN")?,
        args.get(2).ok_or("missing OUT")?,
    );
    let renditions = args.get(3).is_some_and(|a| a == "renditions");
    let hls = renditions || args.get(3).is_some_and(|a| a == "hls");
    let options = PipelineOptions {
        output: if hls { OutputKind::Hls } else { OutputKind::Ts },
        hls_renditions: renditions,
        ..Default::default()
    };
    let mut pipeline = Pipeline::new(options)?;
    let data = std::fs::read(input)?;
    let mut ts = if hls {
        None
    } else {
        Some(std::fs::File::create(output)?)
    };
    if hls {
        std::fs::create_dir_all(output)?;
    }
    let mut handle = |pipeline: &mut Pipeline| -> std::io::Result<()> {
        while let Some(out) = pipeline.pull() {
            match out {
                Output::Streams(streams) => {
                    for (index, stream) in streams.iter().enumerate() {
                        println!("stream {index}: {} {:?}", stream.codec, stream.format);
                    }
                }
                Output::Ts(bytes) => ts.as_mut().map_or(Ok(()), |f| f.write_all(&bytes))?,
                Output::Segment(s) => {
                    println!(
                        "segment {} start {:.3} duration {:.3} key {} disc {}",
                        s.sequence,
                        s.start.as_secs_f64(),
                        s.duration as f64 / 90_000.0,
                        s.keyframe,
                        s.discontinuity
                    );
                    if !s.data.is_empty() {
                        std::fs::write(format!("{output}/seg{}.ts", s.sequence), &s.data)?;
                    }
                    for (index, part) in s.parts.iter().enumerate() {
                        std::fs::write(format!("{output}/seg{}_{index}.ts", s.sequence), part)?;
                    }
                }
            }
        }
        Ok(())
    };
    for chunk in data.chunks(65_536) {
        pipeline.push(chunk);
        handle(&mut pipeline)?;
    }
    pipeline.finish();
    handle(&mut pipeline)?;
    eprintln!("{:#?}", pipeline.stats());
    Ok(())
}
