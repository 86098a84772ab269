//! The FFmpeg hardware-context calls `ffmpeg-next` does not wrap: opening a device, handing it to a filter graph,
//! and giving an encoder the frames context its input frames live in. Each call states its safety argument.

use std::ffi::{CStr, CString};
use std::ptr;

use ffmpeg_next::ffi;
use ffmpeg_next::filter;

/// A hardware device (VAAPI render node, CUDA device), reference-counted by FFmpeg.
pub struct HwDevice {
    context: *mut ffi::AVBufferRef,
}

// SAFETY: an AVBufferRef to a device context may be used from any one thread at a time; the pipeline owns it
// and moves it between threads only as a whole.
unsafe impl Send for HwDevice {}

/// FFmpeg's text for an error code.
pub fn error_text(code: i32) -> String {
    let mut buffer = [0 as std::ffi::c_char; 256];
    // SAFETY: `buffer` is writable for its whole length, which is what av_strerror is told; it NUL-terminates.
    unsafe {
        ffi::av_strerror(code, buffer.as_mut_ptr(), buffer.len());
        CStr::from_ptr(buffer.as_ptr())
            .to_string_lossy()
            .into_owned()
    }
}

impl HwDevice {
    /// Opens a device of `kind`; `device` is a path (`/dev/dri/renderD128`) or an index (`0`), `None` the default.
    pub fn open(kind: ffi::AVHWDeviceType, device: Option<&str>) -> Result<HwDevice, String> {
        let name = device
            .map(|d| CString::new(d).map_err(|_| "device path contains a NUL byte".to_string()))
            .transpose()?;
        let mut context: *mut ffi::AVBufferRef = ptr::null_mut();
        // SAFETY: `context` is a valid out-pointer; `name` (when given) is a NUL-terminated string that outlives
        // the call; no options dictionary is passed. On failure FFmpeg leaves `context` null.
        let code = unsafe {
            ffi::av_hwdevice_ctx_create(
                &mut context,
                kind,
                name.as_ref().map_or(ptr::null(), |n| n.as_ptr()),
                ptr::null_mut(),
                0,
            )
        };
        if code < 0 || context.is_null() {
            return Err(error_text(code));
        }
        Ok(HwDevice { context })
    }

    /// Every filter of `graph` may use the device (as `ffmpeg -filter_hw_device` does); call before `validate`.
    pub fn attach_to(&self, graph: &mut filter::Graph) {
        // SAFETY: the graph pointer is valid for the borrow; `filters` holds `nb_filters` valid filter contexts.
        // Each gets its own new reference (released by FFmpeg with the context); a reference it already had is
        // released first.
        unsafe {
            let graph = graph.as_mut_ptr();
            for index in 0..(*graph).nb_filters as usize {
                let context = *(*graph).filters.add(index);
                ffi::av_buffer_unref(&mut (*context).hw_device_ctx);
                (*context).hw_device_ctx = ffi::av_buffer_ref(self.context);
            }
        }
    }
}

impl Drop for HwDevice {
    fn drop(&mut self) {
        // SAFETY: `context` is the reference this value owns; av_buffer_unref nulls it.
        unsafe { ffi::av_buffer_unref(&mut self.context) };
    }
}

/// Gives an encoder (not yet opened) the hardware frames context the graph's sink produces, and that frames'
/// pixel format; `false` when the sink's frames are not hardware frames.
pub fn use_sink_frames(
    sink: &mut filter::Context,
    encoder: *mut ffi::AVCodecContext,
    format: ffi::AVPixelFormat,
) -> bool {
    // SAFETY: `sink` is a configured buffersink of a validated graph; the frames context it returns is borrowed,
    // so the encoder gets its own reference. `encoder` is an unopened context owned by the caller.
    unsafe {
        let frames = ffi::av_buffersink_get_hw_frames_ctx(sink.as_ptr());
        if frames.is_null() {
            return false;
        }
        ffi::av_buffer_unref(&mut (*encoder).hw_frames_ctx);
        (*encoder).hw_frames_ctx = ffi::av_buffer_ref(frames);
        (*encoder).pix_fmt = format;
        true
    }
}
