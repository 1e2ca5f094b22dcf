//! Tables on 2 MiB pages, for the large tables models read at random places.
//!
//! With 4 KiB pages, a few MiB of tables span more pages than the TLB maps, so most random
//! reads also miss the TLB and walk the page tables. Linux maps 2 MiB pages where a region
//! is aligned to them and marked with `madvise(MADV_HUGEPAGE)` (the usual setting of
//! transparent huge pages: "madvise"). Tables of at least 1 MiB are allocated that way;
//! smaller ones, and other systems, get ordinary pages. Contents never depend on it.
//!
//! As in [`super::zeroed`], every page is written up front, so each is faulted in once.
//! With [`super::prefetch`], the crate's only `unsafe` code: an aligned allocation, its
//! release, and the system call.
#![allow(unsafe_code)]

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::mem::MaybeUninit;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

const HUGE_PAGE: usize = 2 << 20;
/// Tables smaller than this are not worth rounding up to a huge page.
const MIN_HUGE: usize = 1 << 20;

pub struct HugeTable<T: Copy> {
    ptr: NonNull<T>,
    len: usize,
    layout: Layout,
}

// The table owns its elements like a `Vec<T>` does.
unsafe impl<T: Copy + Send> Send for HugeTable<T> {}
unsafe impl<T: Copy + Sync> Sync for HugeTable<T> {}

#[cfg(target_os = "linux")]
fn advise_huge(ptr: *mut u8, len: usize) {
    extern "C" {
        fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: i32) -> i32;
    }
    const MADV_HUGEPAGE: i32 = 14;
    // SAFETY: the range is one live allocation, and the advice changes only how its pages
    // are backed, never their contents. A refusal leaves ordinary pages.
    unsafe {
        madvise(ptr.cast(), len, MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_ptr: *mut u8, _len: usize) {}

/// Uninitialised memory for `layout` (of non-zero size), on huge pages when it is aligned
/// to them.
fn allocate(layout: Layout) -> NonNull<u8> {
    // SAFETY: every layout made here has a non-zero size.
    let raw = unsafe { alloc(layout) };
    let Some(ptr) = NonNull::new(raw) else {
        handle_alloc_error(layout)
    };
    if layout.align() == HUGE_PAGE {
        advise_huge(raw, layout.size());
    }
    ptr
}

/// Tables from this size on are written by two threads at once. Setting a table up is mostly
/// first writes to new memory, which cost far more than the writing itself (the kernel clears
/// each page, and a virtual machine's host may back it first), and they run in parallel.
const SHARED_FROM: usize = 4 << 20;

/// Initialises `dst` with `init(part, offset of part)`, on two threads when it is large.
fn initialise<T: Copy + Send>(
    dst: &mut [MaybeUninit<T>],
    init: impl Fn(&mut [MaybeUninit<T>], usize) + Sync,
) {
    if std::mem::size_of_val(dst) < SHARED_FROM {
        return init(dst, 0);
    }
    let mid = dst.len() / 2;
    let (first, second) = dst.split_at_mut(mid);
    std::thread::scope(|s| {
        s.spawn(|| init(second, mid));
        init(first, 0);
    });
}

impl<T: Copy + Send + Sync> HugeTable<T> {
    /// `len` copies of `value`.
    pub fn filled(len: usize, value: T) -> Self {
        let bytes = len
            .checked_mul(std::mem::size_of::<T>())
            .expect("table size fits in memory");
        let (size, align) = if bytes >= MIN_HUGE {
            (bytes.div_ceil(HUGE_PAGE) * HUGE_PAGE, HUGE_PAGE)
        } else {
            (bytes.max(1), std::mem::align_of::<T>())
        };
        let layout = Layout::from_size_align(size, align).expect("valid table layout");
        let mut table = Self::uninit(len, layout);
        // A value the compiler cannot see, so the fill is not turned into a zeroed
        // allocation (whose pages are only reserved).
        let value = std::hint::black_box(value);
        initialise(table.uninit_slice(), |part, _| {
            part.fill(MaybeUninit::new(value))
        });
        table
    }

    /// A table of `len` elements in a new allocation for `layout`, not yet initialised: only
    /// [`Self::uninit_slice`] may be used until every element is written.
    fn uninit(len: usize, layout: Layout) -> Self {
        HugeTable {
            ptr: allocate(layout).cast(),
            len,
            layout,
        }
    }

    fn uninit_slice(&mut self) -> &mut [MaybeUninit<T>] {
        // SAFETY: the allocation holds `len` elements, aligned for `T`; `MaybeUninit` makes
        // no claim about their contents.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr().cast(), self.len) }
    }
}

impl<T: Copy + Send + Sync> Clone for HugeTable<T> {
    /// A table of the same size and page kind holding the same values.
    fn clone(&self) -> Self {
        let mut copy = Self::uninit(self.len, self.layout);
        initialise(copy.uninit_slice(), |part, at| {
            part.write_copy_of_slice(&self[at..at + part.len()]);
        });
        copy
    }
}

impl<T: Copy> Deref for HugeTable<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        // SAFETY: `len` elements, all written by `filled` or `clone`, live as long as `self`.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T: Copy> DerefMut for HugeTable<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as for `deref`, and `&mut self` makes the access unique.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl<T: Copy> Drop for HugeTable<T> {
    fn drop(&mut self) {
        // SAFETY: allocated in `uninit` with this layout; `T: Copy` needs no drop.
        unsafe { dealloc(self.ptr.as_ptr().cast(), self.layout) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_huge_tables_hold_their_value_and_keep_writes() {
        // From 4 MiB (1 << 20 elements) on, two threads write each table; an odd length
        // splits unevenly.
        for len in [1usize, 1000, 1 << 20, (3 << 20) + 5] {
            let mut t = HugeTable::filled(len, 3u32);
            assert_eq!(t.len(), len);
            assert!(t.iter().all(|&x| x == 3));
            t[len - 1] = 7;
            assert_eq!(t[len - 1], 7);
            let mut copy = t.clone();
            assert_eq!(&copy[..], &t[..]);
            let before = t[0];
            copy[0] = 9;
            assert_eq!((copy[0], t[0]), (9, before), "the copy is its own");
        }
    }
}
