//! Tables aligned to 2 MiB, for the large tables models read at random places.
//!
//! With 4 KiB pages, a few MiB of tables span more pages than the TLB maps, so most random
//! reads also miss the TLB and walk the page tables. Regions of at least 1 MiB are aligned
//! to 2 MiB, so that an allocator (or a kernel with transparent huge pages always on) that
//! backs them with 2 MiB pages maps each table with few TLB entries; smaller ones are
//! aligned to a cache line. The codec asks the system for nothing: which pages back a table
//! is its host's choice, and contents never depend on it. Regions of 8 MiB and more take
//! at least [`MAPPED`] bytes of address space, so that the allocator returns their memory
//! when they are dropped.
//!
//! Several tables may share one region ([`HugeTable::filled_parts`]), so that tables of
//! 1 MiB do not each take (and clear) a whole 2 MiB page. As in [`super::zeroed`], every
//! page is written up front, so each is faulted in once. With [`super::prefetch`], the
//! crate's only `unsafe` code: an aligned allocation and its release.
#![allow(unsafe_code)]

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::mem::MaybeUninit;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::sync::Arc;

const HUGE_PAGE: usize = 2 << 20;
/// Regions smaller than this are not worth rounding up to a huge page.
const MIN_HUGE: usize = 1 << 20;
/// Smaller regions are aligned to a cache line, so buckets of a power-of-two size up to
/// 64 bytes never straddle two lines.
const CACHE_LINE: usize = 64;
/// Address space (bytes) a region from [`MAPPED_FROM`] on takes at least. glibc's malloc
/// maps blocks from its mmap threshold on afresh, and raises the threshold to the size of
/// any such block freed, up to 32 MiB; blocks below it then come from its heap, which keeps
/// what is freed. Models made and dropped one after another (a segment's at a time) so grew
/// the decoder's resident memory far past what it held (a 64.4 MiB zip: 207-277 MiB, 84 MiB
/// live; 108-110 MiB so). A region past 32 MiB is always mapped afresh and unmapped when
/// dropped, and moves no threshold; only its tables' pages are written, so the rest costs
/// address space, not memory.
const MAPPED: usize = 34 << 20;
/// Regions from this size (bytes) on take [`MAPPED`] bytes of address space at least: the
/// general model's tables for a segment of 256 KiB and more. From 1 MiB on the zip above
/// decoded in the same 108-112 MiB.
const MAPPED_FROM: usize = 8 << 20;

/// One allocation, released when the last table in it is dropped.
struct Region {
    ptr: NonNull<u8>,
    layout: Layout,
}

// A region is plain memory; the tables in it hold disjoint parts of it.
unsafe impl Send for Region {}
unsafe impl Sync for Region {}

impl Drop for Region {
    fn drop(&mut self) {
        // SAFETY: allocated in `Region::new` with this layout.
        unsafe { dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

pub struct HugeTable<T: Copy> {
    ptr: NonNull<T>,
    len: usize,
    region: Arc<Region>,
}

// The table owns its elements like a `Vec<T>` does: no other table reaches them.
unsafe impl<T: Copy + Send> Send for HugeTable<T> {}
unsafe impl<T: Copy + Sync> Sync for HugeTable<T> {}

impl Region {
    /// Uninitialised memory for `bytes` bytes aligned for `T`: to a huge page from
    /// [`MIN_HUGE`] on (from [`MAPPED_FROM`] on, in at least [`MAPPED`] bytes of address
    /// space), else to a cache line.
    fn new<T>(bytes: usize) -> Self {
        let (size, align) = if bytes >= MIN_HUGE {
            (
                match bytes.div_ceil(HUGE_PAGE) * HUGE_PAGE {
                    size if size >= MAPPED_FROM => size.max(MAPPED),
                    size => size,
                },
                HUGE_PAGE,
            )
        } else {
            (bytes.max(1), CACHE_LINE.max(std::mem::align_of::<T>()))
        };
        let layout = Layout::from_size_align(size, align).expect("valid table layout");
        // SAFETY: the size is at least 1.
        let raw = unsafe { alloc(layout) };
        let Some(ptr) = NonNull::new(raw) else {
            handle_alloc_error(layout)
        };
        Region { ptr, layout }
    }
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
        Self::filled_parts(&[len], value)
            .pop()
            .expect("one part asked for")
    }

    /// Tables of `lens[i]` copies of `value`, one after another in one region. Each starts
    /// `size_of::<T>() * (sum of the lengths before it)` bytes into a region aligned to at
    /// least a cache line.
    pub fn filled_parts(lens: &[usize], value: T) -> Vec<Self> {
        let total = lens
            .iter()
            .try_fold(0usize, |sum, &len| sum.checked_add(len))
            .expect("table size fits in memory");
        let mut whole = Self::uninit(total);
        // A value the compiler cannot see, so the fill is not turned into a zeroed
        // allocation (whose pages are only reserved).
        let value = std::hint::black_box(value);
        initialise(whole.uninit_slice(), |part, _| {
            part.fill(MaybeUninit::new(value))
        });
        let mut at = 0;
        lens.iter()
            .map(|&len| {
                // SAFETY: `at + len <= total`, so the part lies within the region.
                let ptr = unsafe { NonNull::new_unchecked(whole.ptr.as_ptr().add(at)) };
                at += len;
                HugeTable {
                    ptr,
                    len,
                    region: Arc::clone(&whole.region),
                }
            })
            .collect()
    }

    /// A table of `len` elements in a region of its own, not yet initialised: only
    /// [`Self::uninit_slice`] may be used until every element is written.
    fn uninit(len: usize) -> Self {
        let bytes = len
            .checked_mul(std::mem::size_of::<T>())
            .expect("table size fits in memory");
        let region = Region::new::<T>(bytes);
        HugeTable {
            ptr: region.ptr.cast(),
            len,
            region: Arc::new(region),
        }
    }

    fn uninit_slice(&mut self) -> &mut [MaybeUninit<T>] {
        // SAFETY: the region holds `len` elements from `ptr`, aligned for `T`, reached by no
        // other table; `MaybeUninit` makes no claim about their contents.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr().cast(), self.len) }
    }
}

impl<T: Copy + Send + Sync> Clone for HugeTable<T> {
    /// A table of the same length, in a region of its own, holding the same values.
    fn clone(&self) -> Self {
        let mut copy = Self::uninit(self.len);
        initialise(copy.uninit_slice(), |part, at| {
            part.write_copy_of_slice(&self[at..at + part.len()]);
        });
        copy
    }
}

impl<T: Copy> Deref for HugeTable<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        // SAFETY: `len` elements, all written by `filled_parts` or `clone`, live as long as
        // `self` (which holds their region).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T: Copy> DerefMut for HugeTable<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as for `deref`; `&mut self` makes the access unique, and no other table
        // reaches these elements.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
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

    #[test]
    fn regions_from_8_mib_are_past_every_size_the_allocator_keeps_in_its_heap() {
        for (bytes, at_least, at_most) in [
            (100, 100, 4096),
            (MIN_HUGE, MIN_HUGE, 2 << 20),
            (
                MAPPED_FROM - HUGE_PAGE,
                MAPPED_FROM - HUGE_PAGE,
                MAPPED_FROM - HUGE_PAGE,
            ),
            (MAPPED_FROM, (32 << 20) + 1, MAPPED),
            (9 << 20, (32 << 20) + 1, MAPPED),
            (40 << 20, 40 << 20, 40 << 20),
        ] {
            let size = Region::new::<u32>(bytes).layout.size();
            assert!((at_least..=at_most).contains(&size), "{bytes} -> {size}");
        }
    }

    #[test]
    fn parts_of_one_region_are_separate_tables() {
        // 3 MiB in all: one huge-page region, filled by two threads from 4 MiB (of u32).
        for lens in [vec![5usize, 0, 7], vec![1 << 18, 3, 1 << 19]] {
            let mut parts = HugeTable::filled_parts(&lens, 4u32);
            assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), lens);
            assert_eq!(parts[0].as_ptr() as usize % CACHE_LINE, 0);
            for (i, p) in parts.iter_mut().enumerate() {
                if let Some(last) = p.last_mut() {
                    *last = i as u32;
                }
            }
            let kept = parts.pop().unwrap();
            drop(parts);
            assert_eq!(kept[kept.len() - 1], 2, "outlives the other parts");
            assert!(kept[..kept.len() - 1].iter().all(|&x| x == 4));
        }
    }
}
