//! Which video encoders work on this machine: each backend builds the chain a session would (device, GPU filters,
//! encoder) for a small synthetic picture and encodes it. What fails says why, in FFmpeg's words.

use ffmpeg_next::Packet;
use ffmpeg_next::format::Pixel;
use ffmpeg_next::util::frame;
use ffmpeg_next::util::picture;

use super::backend::{Backend, Encoder};
use super::chain::{Chain, ChainInput, RenditionInput};

/// One backend as the probe found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncoderProbe {
    pub encoder: Encoder,
    pub available: bool,
    /// Why it is not (missing device, no driver, session limit, encoder missing from FFmpeg).
    pub reason: Option<String>,
}

const WIDTH: u32 = 320;
const HEIGHT: u32 = 180;

/// Tries every backend (`device`: the VAAPI render node or CUDA device index to use).
pub fn probe_encoders(device: Option<&str>) -> Vec<EncoderProbe> {
    crate::init();
    Encoder::ALL
        .into_iter()
        .map(|encoder| match encode_one(encoder, device) {
            Ok(()) => EncoderProbe {
                encoder,
                available: true,
                reason: None,
            },
            Err(reason) => EncoderProbe {
                encoder,
                available: false,
                reason: Some(reason),
            },
        })
        .collect()
}

/// Whether one backend works: `Err` says why not.
pub fn probe_encoder(encoder: Encoder, device: Option<&str>) -> Result<(), String> {
    crate::init();
    encode_one(encoder, device)
}

fn encode_one(encoder: Encoder, device: Option<&str>) -> Result<(), String> {
    let mut picture = frame::Video::new(Pixel::YUV420P, WIDTH, HEIGHT);
    for plane in 0..3 {
        picture.data_mut(plane).fill(128);
    }
    picture.set_pts(Some(0));
    picture.set_kind(picture::Type::I);
    let input = ChainInput {
        picture: &picture,
        rate: (25, 1),
        deinterlace: false,
        renditions: vec![RenditionInput {
            size: (WIDTH / 2, HEIGHT / 2),
            bitrate: Some(500_000),
            max_bitrate: None,
        }],
        gop: 90_000,
        preset: "ultrafast",
    };
    let mut chain = Chain::build(Backend::open(encoder, device)?, &input)?;
    chain.push(&picture)?;
    chain.flush_filters()?;
    let mut filtered = frame::Video::empty();
    while chain.pull(0, &mut filtered) {
        let encoder = &mut chain.renditions[0].encoder;
        encoder.send_frame(&filtered).map_err(|e| e.to_string())?;
    }
    chain.renditions[0]
        .encoder
        .send_eof()
        .map_err(|e| e.to_string())?;
    let mut packets = 0;
    chain.receive(0, &mut Packet::empty(), |_| packets += 1);
    if packets == 0 {
        return Err("the encoder produced nothing".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_works_and_every_backend_is_reported() {
        let probes = probe_encoders(Some("/dev/dri/renderD-none"));
        let names: Vec<&str> = probes.iter().map(|p| p.encoder.name()).collect();
        assert_eq!(names, ["vaapi", "nvenc", "software"]);
        let software = probes
            .iter()
            .find(|p| p.encoder == Encoder::Software)
            .unwrap();
        assert!(software.available, "{software:?}");
        let vaapi = &probes[0];
        assert!(!vaapi.available);
        assert!(
            vaapi
                .reason
                .as_deref()
                .unwrap()
                .contains("/dev/dri/renderD-none"),
            "{vaapi:?}"
        );
    }
}
