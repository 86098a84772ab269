//! A two-channel planar f32 sample queue that regroups decoder output into encoder-sized frames.

/// Planar stereo samples waiting for the encoder. Reads advance a cursor; the storage is compacted when
/// the consumed part dominates, so steady state does no allocation.
#[derive(Debug, Default)]
pub struct StereoFifo {
    planes: [Vec<f32>; 2],
    start: usize,
}

impl StereoFifo {
    pub fn len(&self) -> usize {
        self.planes[0].len() - self.start
    }

    pub fn push(&mut self, left: &[f32], right: &[f32]) {
        debug_assert_eq!(left.len(), right.len());
        self.compact();
        self.planes[0].extend_from_slice(left);
        self.planes[1].extend_from_slice(right);
    }

    pub fn push_silence(&mut self, samples: usize) {
        self.compact();
        for plane in &mut self.planes {
            plane.resize(plane.len() + samples, 0.0);
        }
    }

    /// Copies `n` samples per channel into `left`/`right` and consumes them.
    pub fn pop_into(&mut self, n: usize, left: &mut [f32], right: &mut [f32]) {
        let n = n.min(self.len());
        left[..n].copy_from_slice(&self.planes[0][self.start..self.start + n]);
        right[..n].copy_from_slice(&self.planes[1][self.start..self.start + n]);
        self.start += n;
    }

    fn compact(&mut self) {
        if self.start > 0 && self.start * 2 >= self.planes[0].len() {
            for plane in &mut self.planes {
                plane.drain(..self.start);
            }
            self.start = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regroups_samples_in_order() {
        let mut fifo = StereoFifo::default();
        let left: Vec<f32> = (0..1152).map(|i| i as f32).collect();
        let right: Vec<f32> = left.iter().map(|v| -v).collect();
        fifo.push(&left, &right);
        fifo.push(&left, &right);
        let (mut l, mut r) = (vec![0.0; 1024], vec![0.0; 1024]);
        fifo.pop_into(1024, &mut l, &mut r);
        fifo.pop_into(1024, &mut l, &mut r);
        // The second frame holds the last 128 samples of the first block, then the second block.
        assert_eq!((l[0], l[127], l[128]), (1024.0, 1151.0, 0.0));
        assert_eq!(r[127], -1151.0);
        assert_eq!(fifo.len(), 2304 - 2048);
        fifo.push_silence(10);
        assert_eq!(fifo.len(), 266);
    }
}
