//! Cache prefetch hints: with [`super::huge`], the crate's only `unsafe` code.
//!
//! A context-model lookup is a random read in a table of megabytes; the address is known a bit
//! or two before the data is needed, and a load issued that early would block the pipeline
//! until it arrives, while a prefetch hint does not.
#![allow(unsafe_code)]

/// Hints that `slice[index]` will be read soon. Does nothing if `index` is out of range.
#[inline(always)]
pub fn prefetch<T>(slice: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = slice.get(index) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: PREFETCHT0 only moves a cache line; it never faults and has no architectural
        // effect, and SSE (which provides it) is part of the x86_64 baseline, so the
        // instruction exists on every machine this code is compiled for.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, index);
}
