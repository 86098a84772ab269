//! Typed warnings: everything wrong with the input that the engine survives. The core never logs; callers
//! count these by kind and expose them as metrics.

use crate::packet::Pid;

/// What went wrong. Each kind has a stable snake_case name used in statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WarningKind {
    /// Bytes skipped to find packet alignment again.
    SyncLost,
    /// transport_error_indicator set: the packet was dropped.
    TransportError,
    /// continuity_counter jumped: packets were lost on a PID.
    ContinuityError,
    /// A scrambled packet of the selected program was dropped.
    Scrambled,
    /// A PAT/PMT section failed its CRC.
    PsiCrc,
    /// A PAT/PMT section or its loops were malformed.
    PsiMalformed,
    /// The requested service is not in the PAT.
    ProgramMissing,
    /// The PMT of the selected program changed (version or streams).
    ProgramChanged,
    /// A PES header was malformed.
    PesMalformed,
    /// A PES grew past the size limit and was dropped.
    PesTooLarge,
    /// A PES lost packets and was dropped.
    PesInterrupted,
    /// A PES or frame had no usable timestamp and was dropped.
    MissingTimestamp,
    /// The PCR jumped without a discontinuity_indicator.
    PcrDiscontinuity,
    /// Timestamps jumped (upstream restart, zap, splice): output restarts with a discontinuity.
    TimestampJump,
    /// Audio bytes skipped to find the next frame.
    AudioResync,
    /// Video before the first keyframe was discarded (start mid-GOP, after a discontinuity).
    SkippedBeforeKeyframe,
    /// Audio before the first video keyframe was discarded to align the start.
    AudioBeforeVideo,
    /// A decoder rejected a frame.
    DecodeError,
    /// An encoder failed; the track restarts.
    EncodeError,
    /// Missing audio was filled with silence to keep A/V sync.
    AudioGapFilled,
    /// Audio that overlapped what was already encoded was dropped.
    AudioOverlapDropped,
    /// A codec is not supported by the linked FFmpeg; the track is left out.
    CodecUnavailable,
    /// A bounded buffer overflowed and data was dropped.
    BufferOverflow,
    /// No keyframe came for too long: a segment was cut without one.
    ForcedSegmentCut,
}

impl WarningKind {
    pub const ALL: [WarningKind; 24] = [
        WarningKind::SyncLost,
        WarningKind::TransportError,
        WarningKind::ContinuityError,
        WarningKind::Scrambled,
        WarningKind::PsiCrc,
        WarningKind::PsiMalformed,
        WarningKind::ProgramMissing,
        WarningKind::ProgramChanged,
        WarningKind::PesMalformed,
        WarningKind::PesTooLarge,
        WarningKind::PesInterrupted,
        WarningKind::MissingTimestamp,
        WarningKind::PcrDiscontinuity,
        WarningKind::TimestampJump,
        WarningKind::AudioResync,
        WarningKind::SkippedBeforeKeyframe,
        WarningKind::AudioBeforeVideo,
        WarningKind::DecodeError,
        WarningKind::EncodeError,
        WarningKind::AudioGapFilled,
        WarningKind::AudioOverlapDropped,
        WarningKind::CodecUnavailable,
        WarningKind::BufferOverflow,
        WarningKind::ForcedSegmentCut,
    ];

    pub fn name(self) -> &'static str {
        match self {
            WarningKind::SyncLost => "sync_lost",
            WarningKind::TransportError => "transport_error",
            WarningKind::ContinuityError => "continuity_error",
            WarningKind::Scrambled => "scrambled",
            WarningKind::PsiCrc => "psi_crc",
            WarningKind::PsiMalformed => "psi_malformed",
            WarningKind::ProgramMissing => "program_missing",
            WarningKind::ProgramChanged => "program_changed",
            WarningKind::PesMalformed => "pes_malformed",
            WarningKind::PesTooLarge => "pes_too_large",
            WarningKind::PesInterrupted => "pes_interrupted",
            WarningKind::MissingTimestamp => "missing_timestamp",
            WarningKind::PcrDiscontinuity => "pcr_discontinuity",
            WarningKind::TimestampJump => "timestamp_jump",
            WarningKind::AudioResync => "audio_resync",
            WarningKind::SkippedBeforeKeyframe => "skipped_before_keyframe",
            WarningKind::AudioBeforeVideo => "audio_before_video",
            WarningKind::DecodeError => "decode_error",
            WarningKind::EncodeError => "encode_error",
            WarningKind::AudioGapFilled => "audio_gap_filled",
            WarningKind::AudioOverlapDropped => "audio_overlap_dropped",
            WarningKind::CodecUnavailable => "codec_unavailable",
            WarningKind::BufferOverflow => "buffer_overflow",
            WarningKind::ForcedSegmentCut => "forced_segment_cut",
        }
    }
}

/// One occurrence, with the PID it concerns when there is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    pub pid: Option<Pid>,
}

impl Warning {
    pub fn new(kind: WarningKind, pid: Option<Pid>) -> Self {
        Warning { kind, pid }
    }
}

/// Occurrence counts by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WarningCounts {
    counts: [u64; WarningKind::ALL.len()],
}

impl WarningCounts {
    pub fn add(&mut self, kind: WarningKind, n: u64) {
        let index = WarningKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(0);
        self.counts[index] = self.counts[index].saturating_add(n);
    }

    pub fn get(&self, kind: WarningKind) -> u64 {
        WarningKind::ALL
            .iter()
            .position(|k| *k == kind)
            .map_or(0, |i| self.counts[i])
    }

    /// Non-zero counts, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (WarningKind, u64)> + '_ {
        WarningKind::ALL
            .iter()
            .zip(self.counts.iter())
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| (*k, *n))
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_counts_add_up() {
        let mut names: Vec<&str> = WarningKind::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), WarningKind::ALL.len());
        let mut counts = WarningCounts::default();
        counts.add(WarningKind::Scrambled, 3);
        counts.add(WarningKind::BufferOverflow, 1);
        assert_eq!(counts.get(WarningKind::Scrambled), 3);
        assert_eq!(
            counts.iter().collect::<Vec<_>>(),
            vec![
                (WarningKind::Scrambled, 3),
                (WarningKind::BufferOverflow, 1)
            ]
        );
        assert_eq!(counts.total(), 4);
    }
}
