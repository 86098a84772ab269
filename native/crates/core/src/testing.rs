//! Field-named writers of synthetic elementary streams, for unit tests here and in the other crates and
//! for the fuzz targets (feature `test-support`). Nothing here is used by the engine itself.

pub mod h264 {
    use crate::bits::BitWriter;
    use crate::es::nal;

    /// SEI payloadType of recovery_point.
    const SEI_RECOVERY_POINT: u8 = 6;

    /// Field-named writer for a minimal SPS (4:2:0 8 bit for the High profiles, no VUI unless timing is given).
    pub struct Sps {
        pub profile_idc: u32,
        /// constraint_set0_flag … constraint_set5_flag and reserved_zero_2bits, as one byte.
        pub constraint_flags: u32,
        pub level_idc: u32,
        pub pic_width_in_mbs_minus1: u32,
        pub pic_height_in_map_units_minus1: u32,
        pub frame_mbs_only_flag: bool,
        /// frame_crop_bottom_offset (in crop units)
        pub frame_crop_bottom_offset: u32,
        /// (num_units_in_tick, time_scale)
        pub timing: Option<(u32, u32)>,
    }

    impl Sps {
        pub fn hd720() -> Self {
            Sps {
                profile_idc: 100,
                constraint_flags: 0,
                level_idc: 40,
                pic_width_in_mbs_minus1: 79,
                pic_height_in_map_units_minus1: 44,
                frame_mbs_only_flag: true,
                frame_crop_bottom_offset: 0,
                timing: Some((1, 100)),
            }
        }

        pub fn nal(&self) -> Vec<u8> {
            let mut w = BitWriter::new();
            w.bits(8, self.profile_idc)
                .bits(8, self.constraint_flags)
                .bits(8, self.level_idc)
                .ue(0);
            if matches!(
                self.profile_idc,
                100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
            ) {
                w.ue(1).ue(0).ue(0).bit(false).bit(false); // chroma 4:2:0, 8 bit, no scaling matrix
            }
            w.ue(0).ue(0).ue(0); // log2_max_frame_num_minus4, poc type 0, log2_max_poc_lsb_minus4
            w.ue(4).bit(false);
            w.ue(self.pic_width_in_mbs_minus1)
                .ue(self.pic_height_in_map_units_minus1);
            w.bit(self.frame_mbs_only_flag);
            if !self.frame_mbs_only_flag {
                w.bit(true);
            }
            w.bit(true);
            let crop = self.frame_crop_bottom_offset > 0;
            w.bit(crop);
            if crop {
                w.ue(0).ue(0).ue(0).ue(self.frame_crop_bottom_offset);
            }
            w.bit(self.timing.is_some());
            if let Some((units, scale)) = self.timing {
                w.bit(false).bit(false).bit(false).bit(false).bit(true);
                w.bits(32, units).bits(32, scale).bit(true);
            }
            let mut nal = vec![0x67];
            nal.extend(nal::escape_rbsp(&w.finish_rbsp()));
            nal
        }
    }

    pub fn slice(nal_unit_type: u8, first_mb_in_slice: u32, slice_type: u32) -> Vec<u8> {
        let mut w = BitWriter::new();
        w.ue(first_mb_in_slice).ue(slice_type).ue(0).bits(8, 0xAB);
        let mut nal = vec![0x60 | nal_unit_type];
        nal.extend(nal::escape_rbsp(&w.finish_rbsp()));
        nal
    }

    pub fn recovery_point_sei(recovery_frame_cnt: u32) -> Vec<u8> {
        let mut payload = BitWriter::new();
        payload.ue(recovery_frame_cnt).bit(true).bits(2, 0);
        let payload = payload.finish_rbsp();
        let mut rbsp = vec![5, 1, 0x42, SEI_RECOVERY_POINT, payload.len() as u8];
        rbsp.extend(payload);
        rbsp.push(0x80);
        let mut nal = vec![0x06];
        nal.extend(nal::escape_rbsp(&rbsp));
        nal
    }

    pub fn access_unit(units: &[Vec<u8>]) -> Vec<u8> {
        let mut out = Vec::new();
        for unit in units {
            nal::push_unit(&mut out, unit);
        }
        out
    }

    /// access_unit_delimiter_rbsp with primary_pic_type 7 (any slice type).
    pub const AUD: [u8; 2] = [0x09, 0xF0];
    /// A minimal PPS NAL.
    pub const PPS: [u8; 3] = [0x68, 0xCE, 0x38];
}

pub mod audio {
    use crate::audio::{HeaderResult, ac3, mpa};
    use crate::bits::BitWriter;

    /// Field-named MPEG audio header writer (MPEG-1 unless `lsf`), zero-filled to the frame size.
    pub fn mpa_frame(
        layer: u32,
        bitrate_index: u32,
        sampling_frequency: u32,
        mono: bool,
    ) -> Vec<u8> {
        let mut w = BitWriter::new();
        w.bits(11, 0x7FF).bits(2, 3).bits(2, layer).bit(true);
        w.bits(4, bitrate_index)
            .bits(2, sampling_frequency)
            .bit(false)
            .bit(false);
        w.bits(2, if mono { 3 } else { 0 })
            .bits(2, 0)
            .bit(false)
            .bit(true)
            .bits(2, 0);
        let mut frame = w.into_bytes();
        let HeaderResult::Valid(header) = mpa::parse(&frame) else {
            panic!("invalid test header")
        };
        frame.resize(header.size, 0);
        frame
    }

    /// Field-named AC-3 header writer; the body is zero-filled to the frame size.
    pub fn ac3_frame(fscod: u32, frmsizecod: u32, acmod: u32, lfeon: bool) -> Vec<u8> {
        let mut w = BitWriter::new();
        w.bits(16, 0x0B77)
            .bits(16, 0)
            .bits(2, fscod)
            .bits(6, frmsizecod);
        w.bits(5, 8).bits(3, 0).bits(3, acmod);
        if acmod & 1 != 0 && acmod != 1 {
            w.bits(2, 0);
        }
        if acmod & 4 != 0 {
            w.bits(2, 0);
        }
        if acmod == 2 {
            w.bits(2, 0);
        }
        w.bit(lfeon);
        let mut frame = w.into_bytes();
        let HeaderResult::Valid(header) = ac3::parse_ac3(&frame) else {
            panic!("invalid test header")
        };
        frame.resize(header.size, 0);
        frame
    }

    pub fn eac3_frame(
        strmtyp: u32,
        substreamid: u32,
        frmsiz: u32,
        acmod: u32,
        lfeon: bool,
    ) -> Vec<u8> {
        let mut w = BitWriter::new();
        w.bits(16, 0x0B77)
            .bits(2, strmtyp)
            .bits(3, substreamid)
            .bits(11, frmsiz);
        w.bits(2, 0)
            .bits(2, 3)
            .bits(3, acmod)
            .bit(lfeon)
            .bits(5, 16)
            .bits(5, 0);
        let mut frame = w.into_bytes();
        frame.resize((frmsiz as usize + 1) * 2, 0);
        frame
    }
}

pub mod mux {
    use crate::descriptor::{AudioType, Language};
    use crate::mux::{MuxConfig, MuxStream};
    use crate::packet::Pid;
    use crate::pes::stream_id;
    use crate::stream_type::StreamType;

    /// The common test program: H.264 on PID 0x100 (carrying the PCR) and MPEG audio in `language` on 0x101.
    pub fn h264_with_mpeg_audio(
        program_number: u16,
        language: &str,
        audio_type: AudioType,
    ) -> MuxConfig {
        MuxConfig {
            transport_stream_id: 1,
            program_number,
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
                    stream_type: StreamType::MPEG2_AUDIO,
                    stream_id: stream_id::AUDIO,
                    descriptors: MuxStream::language_descriptors(
                        Language::parse(language),
                        audio_type,
                    ),
                },
            ],
        }
    }
}
