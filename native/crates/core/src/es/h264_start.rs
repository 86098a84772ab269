//! Joining an H.264 stream at a non-IDR I picture (what broadcast encoders send as random access points):
//! the pictures after it may still carry memory_management_control_operations (§7.4.3.3) that unmark
//! short-term reference pictures from before it, which a decoder that started at the I picture never had.
//! FFmpeg logs "mmco: unref short failure" and goes on; Chromium's decoder fails the whole stream
//! (PIPELINE_ERROR_DECODE). [`StartRepair`] removes those operations from the slice headers of the first GOP
//! output after a start, and nothing else: the slice data is copied as it is.
//!
//! Which pictures the decoder has is followed as a decoder does: it starts from frame_num 0 and fills every
//! frame_num gap (the start itself, and a leading reference picture dropped before the first output picture)
//! with "non-existing" frames through the sliding window (§8.2.5.2; FFmpeg does so whatever
//! gaps_in_frame_num_value_allowed_flag says). Operations on those frames are kept: removing them would
//! overflow its reference list.

use std::collections::{HashMap, VecDeque};

use super::h264::{nal_type, skip_scaling_list};
use super::nal;
use crate::bits::{BitReader, BitWriter};

/// Parameter sets are short; slice headers that carry MMCOs stay well below this.
const PARAMETER_SET_PEEK: usize = 1024;

#[derive(Clone, Copy, Debug)]
struct SpsSyntax {
    log2_max_frame_num: u32,
    poc_type: u32,
    log2_max_poc_lsb: u32,
    max_num_ref_frames: u32,
    delta_pic_order_always_zero: bool,
    frame_mbs_only: bool,
    separate_colour_plane: bool,
    chroma_array_type: u32,
}

#[derive(Clone, Copy, Debug)]
struct PpsSyntax {
    sps_id: u32,
    cabac: bool,
    bottom_field_pic_order_in_frame_present: bool,
    num_ref_idx_default: [u32; 2],
    weighted_pred: bool,
    weighted_bipred_idc: u32,
    deblocking_filter_control_present: bool,
    redundant_pic_cnt_present: bool,
}

/// One memory_management_control_operation with its arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Mmco {
    op: u32,
    args: [u32; 2],
}

/// Where dec_ref_pic_marking() sits in a slice header, and what it says.
struct ParsedSlice {
    frame_num: u32,
    field: bool,
    /// Bit positions in the RBSP: start and end of dec_ref_pic_marking(), end of the slice header.
    marking: (usize, usize),
    adaptive: bool,
    header_end: usize,
    cabac: bool,
    mmcos: Vec<Mmco>,
}

/// Repairs the first GOP after each start (see the module documentation).
#[derive(Debug, Default)]
pub struct StartRepair {
    sps: HashMap<u32, SpsSyntax>,
    pps: HashMap<u32, PpsSyntax>,
    /// Set from a start until the next random access point.
    active: bool,
    /// The short-term reference frames (frame_num, oldest first) of a decoder that started with the output:
    /// the pictures output since the start and the frames it infers for frame_num gaps.
    references: VecDeque<u32>,
    /// frame_num of the previous picture; a decoder starts from 0.
    previous: u32,
    /// Slice NAL units rewritten so far.
    pub removed: u64,
}

impl StartRepair {
    /// Output (re)starts at this access unit (a keyframe).
    pub fn start(&mut self) {
        self.active = true;
        self.references.clear();
        self.previous = 0;
    }

    /// Another random access point after the start: the GOP that needed repair is over.
    pub fn keyframe(&mut self) {
        self.active = false;
    }

    /// Whether access units still go through [`Self::access_unit`].
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// Learns parameter sets; returns the access unit rewritten when one of its slices unmarks a picture the
    /// decoder does not have (None: output it as it is).
    pub fn access_unit(&mut self, data: &[u8]) -> Option<Vec<u8>> {
        let mut rewritten: Option<Vec<(usize, usize, Vec<u8>)>> = None;
        let mut kept: Option<Vec<Mmco>> = None;
        for unit in nal::units(data) {
            let Some(&header) = unit.first() else {
                continue;
            };
            match header & 0x1F {
                nal_type::SPS => self.learn_sps(unit),
                nal_type::PPS => self.learn_pps(unit),
                // An IDR start needs nothing: the decoder's reference list is the encoder's.
                nal_type::SLICE_IDR => self.active = false,
                nal_type::SLICE_NON_IDR if self.active => {
                    let reference = header & 0x60 != 0;
                    let Some((slice, sps)) = self.parse_slice(unit, reference) else {
                        continue;
                    };
                    // Every slice of a picture carries the same marking: decided at its first slice.
                    let kept = kept.get_or_insert_with(|| self.picture(&slice, &sps, reference));
                    if reference && slice.adaptive && kept.len() != slice.mmcos.len() {
                        let fixed = rewrite(unit, &slice, kept)?;
                        let offset = unit.as_ptr() as usize - data.as_ptr() as usize;
                        rewritten
                            .get_or_insert_with(Vec::new)
                            .push((offset, unit.len(), fixed));
                    }
                }
                _ => {}
            }
        }
        let replacements = rewritten?;
        self.removed += replacements.len() as u64;
        Some(splice(data, &replacements))
    }

    /// Follows the decoder's short-term reference list through one picture; returns the operations to keep.
    fn picture(&mut self, slice: &ParsedSlice, sps: &SpsSyntax, reference: bool) -> Vec<Mmco> {
        let max_frame_num = 1u32 << sps.log2_max_frame_num;
        let capacity = sps.max_num_ref_frames.max(1) as usize;
        let frame_num = slice.frame_num;
        if frame_num != self.previous && frame_num != (self.previous + 1) % max_frame_num {
            // A gap (the start, or a leading reference picture dropped): the decoder infers the missing
            // frames with the sliding window; only the newest `capacity` of them can stay.
            let missing = (frame_num + max_frame_num - self.previous - 1) % max_frame_num;
            let skip = missing.saturating_sub(capacity as u32);
            for n in skip..missing {
                self.slide_in((self.previous + 1 + n) % max_frame_num, capacity);
            }
        }
        self.previous = frame_num;
        if !reference || self.references.contains(&frame_num) {
            return slice.mmcos.clone();
        }
        if !slice.adaptive {
            self.slide_in(frame_num, capacity);
            return Vec::new();
        }
        let current = if slice.field {
            2 * frame_num + 1
        } else {
            frame_num
        };
        let kept = slice
            .mmcos
            .iter()
            .copied()
            .filter(|mmco| match mmco.op {
                1 | 3 => {
                    // picNumX = CurrPicNum − (difference_of_pic_nums_minus1 + 1), §8.2.5.4.1.
                    let pic_num = i64::from(current) - i64::from(mmco.args[0]) - 1;
                    let wrap = if slice.field {
                        pic_num.div_euclid(2)
                    } else {
                        pic_num
                    };
                    let target = wrap.rem_euclid(i64::from(max_frame_num)) as u32;
                    let found = self.references.iter().position(|&f| f == target);
                    found.map(|at| self.references.remove(at)).is_some()
                }
                5 => {
                    self.references.clear();
                    true
                }
                _ => true,
            })
            .collect();
        self.references.push_back(frame_num);
        kept
    }

    fn slide_in(&mut self, frame_num: u32, capacity: usize) {
        if self.references.len() >= capacity {
            self.references.pop_front();
        }
        self.references.push_back(frame_num);
    }

    fn learn_sps(&mut self, unit: &[u8]) {
        let rbsp = nal::rbsp(&unit[1..], PARAMETER_SET_PEEK);
        if let Some((id, sps)) = parse_sps_syntax(&rbsp) {
            self.sps.insert(id, sps);
        }
    }

    fn learn_pps(&mut self, unit: &[u8]) {
        let rbsp = nal::rbsp(&unit[1..], PARAMETER_SET_PEEK);
        if let Some((id, pps)) = parse_pps_syntax(&rbsp) {
            self.pps.insert(id, pps);
        }
    }

    fn parse_slice(&self, unit: &[u8], reference: bool) -> Option<(ParsedSlice, SpsSyntax)> {
        let rbsp = nal::rbsp(&unit[1..], PARAMETER_SET_PEEK);
        let mut found = None;
        let slice = parse_slice_header(&rbsp, reference, |pps_id| {
            let pps = *self.pps.get(&pps_id)?;
            let sps = *self.sps.get(&pps.sps_id)?;
            found = Some(sps);
            Some((pps, sps))
        })?;
        Some((slice, found?))
    }
}

/// The slice NAL unit with `kept` as its operations; the rest of the header and the slice data unchanged.
fn rewrite(unit: &[u8], slice: &ParsedSlice, kept: &[Mmco]) -> Option<Vec<u8>> {
    let rbsp = nal::rbsp(&unit[1..], usize::MAX);
    let mut writer = BitWriter::new();
    let mut reader = BitReader::new(&rbsp);
    copy_bits(&mut reader, &mut writer, slice.marking.0)?;
    // adaptive_ref_pic_marking_mode_flag stays 1 (no sliding window): an empty list changes nothing.
    writer.bit(true);
    for mmco in kept {
        writer.ue(mmco.op);
        match mmco.op {
            1 | 2 | 4 | 6 => {
                writer.ue(mmco.args[0]);
            }
            3 => {
                writer.ue(mmco.args[0]).ue(mmco.args[1]);
            }
            _ => {}
        }
    }
    writer.ue(0);
    reader.skip_bits(slice.marking.1 - slice.marking.0)?;
    let out_rbsp = if slice.cabac {
        copy_bits(&mut reader, &mut writer, slice.header_end - slice.marking.1)?;
        // cabac_alignment_one_bit, then the slice data as it was (byte aligned in both).
        while !writer.len_bits().is_multiple_of(8) {
            writer.bit(true);
        }
        let mut bytes = writer.into_bytes();
        bytes.extend_from_slice(rbsp.get(slice.header_end.div_ceil(8)..)?);
        bytes
    } else {
        let stop_bit = last_set_bit(&rbsp)?;
        copy_bits(
            &mut reader,
            &mut writer,
            stop_bit.checked_sub(slice.marking.1)?,
        )?;
        writer.finish_rbsp()
    };
    let mut out = vec![unit[0]];
    out.extend_from_slice(&nal::escape_rbsp(&out_rbsp));
    // An RBSP ending in a zero byte (cabac_zero_word) is followed by an escape byte.
    if out.last() == Some(&0) {
        out.push(3);
    }
    Some(out)
}

fn copy_bits(reader: &mut BitReader<'_>, writer: &mut BitWriter, count: usize) -> Option<()> {
    for _ in 0..count {
        writer.bit(reader.read_bit()?);
    }
    Some(())
}

/// Position of the rbsp_stop_one_bit: the last bit set.
fn last_set_bit(rbsp: &[u8]) -> Option<usize> {
    let index = rbsp.iter().rposition(|&b| b != 0)?;
    Some(index * 8 + 7 - rbsp[index].trailing_zeros() as usize)
}

/// The access unit with some of its NAL units (offset, length, new bytes) replaced.
fn splice(data: &[u8], replacements: &[(usize, usize, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 16);
    let mut at = 0;
    for (offset, len, unit) in replacements {
        out.extend_from_slice(&data[at..*offset]);
        out.extend_from_slice(unit);
        at = offset + len;
    }
    out.extend_from_slice(&data[at..]);
    out
}

fn parse_sps_syntax(rbsp: &[u8]) -> Option<(u32, SpsSyntax)> {
    let mut r = BitReader::new(rbsp);
    let profile_idc = r.read_bits(8)?;
    r.skip_bits(16)?;
    let id = r.read_ue()?;
    let (mut chroma_format_idc, mut separate_colour_plane) = (1, false);
    if matches!(
        profile_idc,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    ) {
        chroma_format_idc = r.read_ue()?;
        if chroma_format_idc == 3 {
            separate_colour_plane = r.read_bit()?;
        }
        r.read_ue()?;
        r.read_ue()?;
        r.read_bit()?;
        if r.read_bit()? {
            for i in 0..if chroma_format_idc == 3 { 12 } else { 8 } {
                if r.read_bit()? {
                    skip_scaling_list(&mut r, if i < 6 { 16 } else { 64 })?;
                }
            }
        }
    }
    let log2_max_frame_num = r.read_ue()?.checked_add(4).filter(|&v| v <= 16)?;
    let poc_type = r.read_ue()?;
    let (mut log2_max_poc_lsb, mut delta_pic_order_always_zero) = (0, false);
    match poc_type {
        0 => log2_max_poc_lsb = r.read_ue()?.checked_add(4).filter(|&v| v <= 16)?,
        1 => {
            delta_pic_order_always_zero = r.read_bit()?;
            r.read_se()?;
            r.read_se()?;
            for _ in 0..r.read_ue()?.min(256) {
                r.read_se()?;
            }
        }
        2 => {}
        _ => return None,
    }
    let max_num_ref_frames = r.read_ue()?.min(16);
    r.read_bit()?;
    r.read_ue()?;
    r.read_ue()?;
    let frame_mbs_only = r.read_bit()?;
    let sps = SpsSyntax {
        log2_max_frame_num,
        poc_type,
        log2_max_poc_lsb,
        max_num_ref_frames,
        delta_pic_order_always_zero,
        frame_mbs_only,
        separate_colour_plane,
        chroma_array_type: if separate_colour_plane {
            0
        } else {
            chroma_format_idc
        },
    };
    Some((id, sps))
}

fn parse_pps_syntax(rbsp: &[u8]) -> Option<(u32, PpsSyntax)> {
    let mut r = BitReader::new(rbsp);
    let id = r.read_ue()?;
    let sps_id = r.read_ue()?;
    let cabac = r.read_bit()?;
    let bottom_field_pic_order_in_frame_present = r.read_bit()?;
    if r.read_ue()? != 0 {
        return None; // slice groups (Baseline FMO): never in broadcast, not handled
    }
    let num_ref_idx_default = [r.read_ue()?.checked_add(1)?, r.read_ue()?.checked_add(1)?];
    let weighted_pred = r.read_bit()?;
    let weighted_bipred_idc = r.read_bits(2)?;
    r.read_se()?;
    r.read_se()?;
    r.read_se()?;
    let deblocking_filter_control_present = r.read_bit()?;
    r.read_bit()?;
    let redundant_pic_cnt_present = r.read_bit()?;
    let pps = PpsSyntax {
        sps_id,
        cabac,
        bottom_field_pic_order_in_frame_present,
        num_ref_idx_default,
        weighted_pred,
        weighted_bipred_idc,
        deblocking_filter_control_present,
        redundant_pic_cnt_present,
    };
    Some((id, pps))
}

/// slice_header() of a non-IDR slice up to its end (§7.3.3), noting where dec_ref_pic_marking() is.
fn parse_slice_header(
    rbsp: &[u8],
    reference: bool,
    mut sets: impl FnMut(u32) -> Option<(PpsSyntax, SpsSyntax)>,
) -> Option<ParsedSlice> {
    let mut r = BitReader::new(rbsp);
    let total = rbsp.len() * 8;
    let position = |r: &BitReader<'_>| total - r.bits_left();
    r.read_ue()?;
    let slice_type = r.read_ue()? % 5;
    let (pps, sps) = sets(r.read_ue()?)?;
    if sps.separate_colour_plane {
        r.skip_bits(2)?;
    }
    let frame_num = r.read_bits(sps.log2_max_frame_num)?;
    let mut field = false;
    if !sps.frame_mbs_only {
        field = r.read_bit()?;
        if field {
            r.read_bit()?;
        }
    }
    if sps.poc_type == 0 {
        r.skip_bits(sps.log2_max_poc_lsb as usize)?;
        if pps.bottom_field_pic_order_in_frame_present && !field {
            r.read_se()?;
        }
    }
    if sps.poc_type == 1 && !sps.delta_pic_order_always_zero {
        r.read_se()?;
        if pps.bottom_field_pic_order_in_frame_present && !field {
            r.read_se()?;
        }
    }
    if pps.redundant_pic_cnt_present {
        r.read_ue()?;
    }
    let (p, b, intra) = (
        matches!(slice_type, 0 | 3),
        slice_type == 1,
        matches!(slice_type, 2 | 4),
    );
    if b {
        r.read_bit()?;
    }
    let mut num_ref_idx = pps.num_ref_idx_default;
    if (p || b) && r.read_bit()? {
        num_ref_idx[0] = r.read_ue()?.checked_add(1)?;
        if b {
            num_ref_idx[1] = r.read_ue()?.checked_add(1)?;
        }
    }
    if num_ref_idx.iter().any(|&n| n > 32) {
        return None;
    }
    for _ in 0..if b {
        2
    } else if intra {
        0
    } else {
        1
    } {
        if r.read_bit()? {
            loop {
                match r.read_ue()? {
                    0..=2 => {
                        r.read_ue()?;
                    }
                    3 => break,
                    _ => return None,
                }
            }
        }
    }
    if (pps.weighted_pred && p) || (pps.weighted_bipred_idc == 1 && b) {
        r.read_ue()?;
        if sps.chroma_array_type != 0 {
            r.read_ue()?;
        }
        for &count in &num_ref_idx[..if b { 2 } else { 1 }] {
            for _ in 0..count {
                if r.read_bit()? {
                    r.read_se()?;
                    r.read_se()?;
                }
                if sps.chroma_array_type != 0 && r.read_bit()? {
                    for _ in 0..4 {
                        r.read_se()?;
                    }
                }
            }
        }
    }
    let marking_start = position(&r);
    let mut mmcos = Vec::new();
    let adaptive = reference && r.read_bit()?;
    if adaptive {
        loop {
            let op = r.read_ue()?;
            let args = match op {
                0 => break,
                1 | 2 | 4 | 6 => [r.read_ue()?, 0],
                3 => [r.read_ue()?, r.read_ue()?],
                5 => [0, 0],
                _ => return None,
            };
            mmcos.push(Mmco { op, args });
            if mmcos.len() > 64 {
                return None;
            }
        }
    }
    let marking_end = position(&r);
    if pps.cabac && !intra {
        r.read_ue()?;
    }
    r.read_se()?;
    if slice_type == 3 {
        r.read_bit()?;
    }
    if matches!(slice_type, 3 | 4) {
        r.read_se()?;
    }
    if pps.deblocking_filter_control_present && r.read_ue()? != 1 {
        r.read_se()?;
        r.read_se()?;
    }
    Some(ParsedSlice {
        frame_num,
        field,
        marking: (marking_start, marking_end),
        adaptive,
        header_end: position(&r),
        cabac: pps.cabac,
        mmcos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::h264::{Sps, access_unit};

    /// A PPS for `Sps::hd720()` (max_num_ref_frames 4, 4-bit frame_num and POC LSB).
    fn pps(cabac: bool) -> Vec<u8> {
        let mut w = BitWriter::new();
        w.ue(0)
            .ue(0)
            .bit(cabac)
            .bit(false)
            .ue(0)
            .ue(0)
            .ue(0)
            .bit(false)
            .bits(2, 0);
        w.se(0).se(0).se(0).bit(true).bit(false).bit(false);
        let mut nal = vec![0x68];
        nal.extend(nal::escape_rbsp(&w.finish_rbsp()));
        nal
    }

    struct Slice<'a> {
        reference: bool,
        slice_type: u32,
        frame_num: u32,
        mmcos: Option<&'a [(u32, u32)]>,
        cabac: bool,
        data: &'a [u8],
    }

    impl Slice<'_> {
        fn nal(&self) -> Vec<u8> {
            let mut w = BitWriter::new();
            w.ue(0)
                .ue(self.slice_type)
                .ue(0)
                .bits(4, self.frame_num)
                .bits(4, 0);
            match self.slice_type % 5 {
                0 => {
                    w.bit(false).bit(false); // no num_ref_idx override, no list modification
                }
                1 => {
                    w.bit(true).bit(false).bit(false).bit(false);
                }
                _ => {}
            }
            if self.reference {
                w.bit(self.mmcos.is_some());
                for &(op, arg) in self.mmcos.unwrap_or(&[]) {
                    w.ue(op).ue(arg);
                }
                if self.mmcos.is_some() {
                    w.ue(0);
                }
            }
            if self.cabac && self.slice_type % 5 != 2 {
                w.ue(0);
            }
            w.se(-3).ue(1); // slice_qp_delta, deblocking off
            let rbsp = if self.cabac {
                while !w.len_bits().is_multiple_of(8) {
                    w.bit(true);
                }
                let mut bytes = w.into_bytes();
                bytes.extend_from_slice(self.data);
                bytes
            } else {
                for &byte in self.data {
                    w.bits(8, u32::from(byte));
                }
                w.finish_rbsp()
            };
            let mut nal = vec![if self.reference { 0x40 } else { 0 } | 1];
            nal.extend(nal::escape_rbsp(&rbsp));
            nal
        }
    }

    fn i_picture(frame_num: u32, cabac: bool) -> Vec<u8> {
        let slice = Slice {
            reference: true,
            slice_type: 7,
            frame_num,
            mmcos: None,
            cabac,
            data: &[0x5A],
        };
        access_unit(&[Sps::hd720().nal(), pps(cabac), slice.nal()])
    }

    fn p_picture(frame_num: u32, mmcos: &[(u32, u32)], cabac: bool, data: &[u8]) -> Vec<u8> {
        let slice = Slice {
            reference: true,
            slice_type: 5,
            frame_num,
            mmcos: Some(mmcos),
            cabac,
            data,
        };
        access_unit(&[slice.nal()])
    }

    /// The operations of the (first) slice of an access unit.
    fn mmcos_of(repair: &StartRepair, au: &[u8]) -> Vec<(u32, u32)> {
        let unit = nal::units(au)
            .find(|u| u[0] & 0x1F == nal_type::SLICE_NON_IDR)
            .unwrap();
        let (slice, _) = repair.parse_slice(unit, true).unwrap();
        slice.mmcos.iter().map(|m| (m.op, m.args[0])).collect()
    }

    #[test]
    fn removes_operations_on_pictures_from_before_the_start_and_keeps_the_slice_data() {
        // Bytes that need emulation prevention, in the slice data the rewrite must not touch.
        let data = [0x12, 0x00, 0x00, 0x01, 0x00, 0x00, 0x03, 0xFF];
        for cabac in [true, false] {
            let mut repair = StartRepair::default();
            repair.start();
            // Started at frame_num 5: the decoder infers frames 1..4 for the gap, its list is then 2, 3, 4, 5.
            assert_eq!(repair.access_unit(&i_picture(5, cabac)), None);
            // picNumX = 6 − (4 + 1) = 1 (gone), 6 − (1 + 1) = 4 (an inferred frame): only the first goes.
            let original = p_picture(6, &[(1, 4), (1, 1)], cabac, &data);
            let fixed = repair.access_unit(&original).expect("rewritten");
            assert_eq!(mmcos_of(&repair, &fixed), vec![(1, 1)]);
            let expected = p_picture(6, &[(1, 1)], cabac, &data);
            assert_eq!(fixed, expected, "cabac {cabac}");
            assert_eq!(repair.removed, 1);
        }
    }

    #[test]
    fn keeps_operations_on_pictures_output_since_the_start_and_on_a_dropped_leading_picture() {
        let mut repair = StartRepair::default();
        repair.start();
        repair.access_unit(&i_picture(3, true));
        // frame_num 4 (a leading reference picture) was dropped: inferred, like 1 and 2 before the start.
        assert_eq!(
            repair.access_unit(&p_picture(5, &[(1, 0), (1, 1)], true, &[1])),
            None
        );
        // 6 − 1 = 5 was output; 6 − 6 = 0 never was (the decoder starts at 0 and inferred 1, 2 and 4 only).
        let au = p_picture(6, &[(1, 0), (1, 5)], true, &[1]);
        let fixed = repair.access_unit(&au).expect("rewritten");
        assert_eq!(mmcos_of(&repair, &fixed), vec![(1, 0)]);
    }

    #[test]
    fn leaves_an_idr_start_and_everything_after_the_next_keyframe_alone() {
        let mut repair = StartRepair::default();
        repair.start();
        let idr = Slice {
            reference: true,
            slice_type: 7,
            frame_num: 0,
            mmcos: None,
            cabac: true,
            data: &[1],
        };
        let mut idr_nal = idr.nal();
        idr_nal[0] = 0x65;
        assert_eq!(
            repair.access_unit(&access_unit(&[Sps::hd720().nal(), pps(true), idr_nal])),
            None
        );
        assert!(!repair.is_active());

        repair.start();
        repair.access_unit(&i_picture(5, true));
        repair.keyframe();
        assert!(!repair.is_active());
    }

    #[test]
    fn survives_garbage_and_unknown_parameter_sets() {
        let mut repair = StartRepair::default();
        repair.start();
        // A slice whose PPS was never seen, a truncated one, random bytes: passed through untouched.
        assert_eq!(
            repair.access_unit(&p_picture(6, &[(1, 4)], true, &[1])),
            None
        );
        assert_eq!(repair.access_unit(&[0, 0, 1, 0x41, 0xFF]), None);
        assert_eq!(
            repair.access_unit(&[0, 0, 1, 0x67, 0x00, 0, 0, 1, 0x68]),
            None
        );
        let noise: Vec<u8> = (0..2000u32)
            .map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert_eq!(repair.access_unit(&noise), None);
    }
}
