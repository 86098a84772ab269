//! The few FFmpeg calls `ffmpeg-next` does not wrap in a way the transcoder can use safely.
//!
//! `ffmpeg-next`'s `resampling::Context::run` sizes its output frame by the *input* sample count, so with
//! upsampling (44.1 → 48 kHz) the surplus stays inside swresample and its delay grows without bound.
//! [`resample_into`] asks swresample how much room the call needs and converts straight into the caller's
//! planar buffers.

use ffmpeg_next::ffi;
use ffmpeg_next::software::resampling;
use ffmpeg_next::util::frame;

/// libswresample's version (`major << 16 | minor << 8 | micro`).
pub fn swresample_version() -> u32 {
    // SAFETY: a pure getter with no arguments and no preconditions.
    unsafe { ffi::swresample_version() }
}

/// Converts `input` with `context` (configured for planar f32 stereo output) and returns the two output
/// planes' samples, written into `left`/`right` (resized as needed). Returns the number of samples per
/// channel produced, or the negative FFmpeg error code.
pub fn resample_into(
    context: &mut resampling::Context,
    input: &frame::Audio,
    left: &mut Vec<f32>,
    right: &mut Vec<f32>,
) -> Result<usize, i32> {
    let in_samples = i32::try_from(input.samples()).map_err(|_| ffi::AVERROR(ffi::EINVAL))?;
    // SAFETY: `context` owns a valid, initialised SwrContext for as long as the borrow lasts.
    let capacity = unsafe { ffi::swr_get_out_samples(context.as_mut_ptr(), in_samples) };
    if capacity < 0 {
        return Err(capacity);
    }
    let capacity = capacity as usize + 16;
    left.resize(capacity, 0.0);
    right.resize(capacity, 0.0);
    let mut out_planes: [*mut u8; 2] = [left.as_mut_ptr().cast(), right.as_mut_ptr().cast()];
    // SAFETY:
    // - `out_planes` points at two f32 buffers of `capacity` samples each, matching the context's output
    //   (planar float, two channels); swresample writes at most `capacity` samples per plane.
    // - the input pointers come from a decoded frame whose `extended_data` holds one plane per channel (or
    //   one interleaved plane) of `in_samples` samples in the format the context was created for; the frame
    //   outlives the call and is only read.
    let produced = unsafe {
        let input_ptr = input.as_ptr();
        ffi::swr_convert(
            context.as_mut_ptr(),
            out_planes.as_mut_ptr(),
            capacity as i32,
            (*input_ptr).extended_data as *mut *const u8,
            in_samples,
        )
    };
    if produced < 0 {
        return Err(produced);
    }
    left.truncate(produced as usize);
    right.truncate(produced as usize);
    Ok(produced as usize)
}
