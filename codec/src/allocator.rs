//! Large blocks go back to the system when freed.
//!
//! glibc's malloc maps blocks from its mmap threshold on afresh and unmaps them when freed,
//! but raises the threshold to the size of any such block freed, up to 32 MiB; blocks below
//! it then come from its heap, which keeps what is freed inside it. Buffers of a few MiB
//! made and dropped one after another (a piece's window, a lane's coded bytes, a copy being
//! joined) so grew a process's resident memory past what it held: 70 MiB of float samples
//! compressed in 219 MiB resident for 183 MiB live; 177 MiB with the threshold fixed. The
//! first call of [`return_large_blocks`] fixes it at [`THRESHOLD`], which also stops glibc
//! moving it (and its trim threshold) for the rest of the process. A process-wide setting,
//! made once; other allocators are left alone. With [`crate::model::prefetch`] and
//! [`crate::model::huge`], the crate's only `unsafe` code.
#![allow(unsafe_code)]

/// Blocks of this many bytes and more are mapped afresh and unmapped when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const THRESHOLD: i32 = 1 << 20;

/// Fixes glibc's mmap threshold (see the module's documentation); does nothing elsewhere.
pub fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // glibc's `M_MMAP_THRESHOLD`.
            const M_MMAP_THRESHOLD: i32 = -3;
            extern "C" {
                fn mallopt(param: i32, value: i32) -> i32;
            }
            // SAFETY: `mallopt` only sets a parameter of glibc's allocator; it returns 0 if the
            // value is refused, and the allocator then keeps its own policy.
            unsafe {
                mallopt(M_MMAP_THRESHOLD, THRESHOLD);
            }
        });
    }
}
