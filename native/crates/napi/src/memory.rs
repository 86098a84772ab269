//! Returning freed heap to the system when a pipeline thread ends.
//!
//! glibc gives each new thread its own malloc arena (up to 8 per core). A pipeline thread frees everything
//! it allocated when it ends, but glibc keeps those pages in the arena, so a process that runs many short
//! pipelines shows a resident size far above what is in use. `malloc_trim` hands the free pages back.

/// Trims every malloc arena (glibc only; a no-op elsewhere).
pub fn release_free_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointers and only releases memory the allocator already considers free;
    // it is documented as safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
