//! Memory: the allocator every codec in the runner uses, and the resident-memory figures of
//! the worker process.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

/// Transparent huge pages make large hashed tables much faster; on kernels that back pages
/// with them only when asked (`madvise` mode), this allocator asks for every block of at
/// least 2 MiB. Such blocks are mappings of their own, advised whole and grown by moving
/// their pages (`mremap`), never copied: advising part of a block glibc had mapped split its
/// mapping into several, so that glibc's `realloc` could no longer move it and copied it instead,
/// charging a codec whose buffer grew from 32 to 33 MiB with 32 MiB it never held. The
/// advice changes how pages are backed, never what they hold.
pub struct HugePageAllocator;

const HUGE_PAGE: usize = 2 << 20;
const PAGE: usize = 4096;

/// Whether a block of `size` bytes aligned to `align` is a mapping of its own; `realloc`
/// moves a block whose size crosses the boundary into the other kind.
fn mapped(size: usize, align: usize) -> bool {
    size >= HUGE_PAGE && align <= PAGE
}

fn mapping_len(size: usize) -> usize {
    size.div_ceil(PAGE) * PAGE
}

/// A fresh mapping of `size` bytes (zeroed), advised onto huge pages; null when refused.
fn map(size: usize) -> *mut u8 {
    let len = mapping_len(size);
    // SAFETY: a new private anonymous mapping; no existing memory is touched.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        return std::ptr::null_mut();
    }
    advise_huge(ptr, len);
    ptr.cast()
}

fn advise_huge(ptr: *mut libc::c_void, len: usize) {
    // SAFETY: the range is one whole mapping of ours; a refusal leaves ordinary pages.
    unsafe {
        libc::madvise(ptr, len, libc::MADV_HUGEPAGE);
    }
}

// SAFETY: blocks of at least 2 MiB (with an alignment a page satisfies) are mappings made,
// moved and unmapped here alone, page-aligned and zeroed when made; every other block is
// `System`'s. A block never changes between the two: `mapped` depends on its size, and
// `realloc` moves a block across the boundary by a copy into the other kind.
unsafe impl GlobalAlloc for HugePageAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if mapped(layout.size(), layout.align()) {
            map(layout.size())
        } else {
            System.alloc(layout)
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if mapped(layout.size(), layout.align()) {
            map(layout.size())
        } else {
            System.alloc_zeroed(layout)
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if mapped(layout.size(), layout.align()) {
            libc::munmap(ptr.cast(), mapping_len(layout.size()));
        } else {
            System.dealloc(ptr, layout)
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        match (mapped(layout.size(), align), mapped(new_size, align)) {
            (false, false) => System.realloc(ptr, layout, new_size),
            (true, true) => {
                let (old_len, new_len) = (mapping_len(layout.size()), mapping_len(new_size));
                if old_len == new_len {
                    return ptr;
                }
                // The mapping keeps its advice when it grows or moves.
                let moved = libc::mremap(ptr.cast(), old_len, new_len, libc::MREMAP_MAYMOVE);
                if moved == libc::MAP_FAILED {
                    return std::ptr::null_mut();
                }
                moved.cast()
            }
            _ => {
                // SAFETY: the caller guarantees `new_size` is a valid size for `align`.
                let new_layout = Layout::from_size_align_unchecked(new_size, align);
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

/// Fixes glibc's mmap threshold at 1 MiB for the worker, for every built-in codec alike.
/// glibc maps blocks from its threshold on afresh and unmaps them when freed, but raises the
/// threshold to the size of any mapped block freed (up to 32 MiB), and its trim threshold to
/// twice that; blocks below it then come from its heap, which keeps what is freed. A codec's
/// peak then counted memory it had given back: the reference codec compressed 70 MiB of
/// float samples in 219 MiB resident while it held at most 183 MiB (177 with the threshold
/// fixed). A fixed threshold is also one glibc never moves. External commands exec their own
/// allocator and are not affected.
pub fn return_freed_blocks() {
    #[cfg(target_env = "gnu")]
    // SAFETY: sets one parameter of glibc's allocator; a refused value leaves its own policy.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Reads the worker's own resident memory. Opened before the sandbox closes the filesystem.
pub struct ResidentMemory {
    status: Option<File>,
    clear_refs: Option<File>,
}

impl ResidentMemory {
    pub fn open() -> Self {
        ResidentMemory {
            status: File::open("/proc/self/status").ok(),
            clear_refs: std::fs::OpenOptions::new()
                .write(true)
                .open("/proc/self/clear_refs")
                .ok(),
        }
    }

    /// Current resident memory (`VmRSS`), in bytes.
    pub fn current(&mut self) -> Option<u64> {
        self.field("VmRSS:")
    }

    /// Peak resident memory (`VmHWM`) since the last [`ResidentMemory::reset_peak`], in bytes.
    pub fn peak(&mut self) -> Option<u64> {
        self.field("VmHWM:")
    }

    /// Starts the peak over from the current resident memory (Linux 4.0 and later).
    pub fn reset_peak(&mut self) {
        if let Some(file) = &mut self.clear_refs {
            let _ = file.write_all(b"5");
        }
    }

    /// Address space in use (`VmSize`), in bytes.
    pub fn address_space(&mut self) -> Option<u64> {
        self.field("VmSize:")
    }

    fn field(&mut self, name: &str) -> Option<u64> {
        let file = self.status.as_mut()?;
        file.seek(SeekFrom::Start(0)).ok()?;
        let mut text = String::new();
        file.read_to_string(&mut text).ok()?;
        let kib: u64 = text
            .lines()
            .find_map(|l| l.strip_prefix(name))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib * 1024)
    }
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    const CHILD: &str = "RUNNER_TEST_CHILD";

    /// A block of `mib` MiB with every page written, so that all of it is resident.
    fn written_block(mib: usize) -> Vec<u8> {
        let mut block = Vec::with_capacity(mib << 20);
        block.resize(mib << 20, 7u8);
        std::hint::black_box(block)
    }

    /// Runs test `name` again in a process of its own (so that no other test allocates
    /// meanwhile) and returns the bytes it printed as `measured N bytes`; `None` in that
    /// process itself, which is to measure.
    fn measured_alone(name: &str) -> Option<u64> {
        if std::env::var_os(CHILD).is_some() {
            return None;
        }
        let me = std::env::current_exe().expect("the test binary");
        let out = Command::new(me)
            .args(["--exact", name, "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .output()
            .expect("runs the test binary again");
        let text = String::from_utf8_lossy(&out.stdout);
        let bytes = text
            .lines()
            .find_map(|l| {
                l.split("measured ")
                    .nth(1)?
                    .strip_suffix(" bytes")?
                    .parse()
                    .ok()
            })
            .unwrap_or_else(|| panic!("no figure from the child: {text}"));
        Some(bytes)
    }

    #[cfg(target_env = "gnu")]
    #[test]
    fn blocks_freed_in_a_worker_leave_its_resident_memory() {
        let name = "memory::tests::blocks_freed_in_a_worker_leave_its_resident_memory";
        let Some(kept) = measured_alone(name) else {
            super::return_freed_blocks();
            let mut memory = super::ResidentMemory::open();
            // Unfixed, glibc raised its threshold to 24 MiB when this block was freed, so
            // that a 16 MiB block then came from its heap and stayed.
            drop(written_block(24));
            let before = memory.current().expect("VmRSS");
            drop(written_block(16));
            let kept = memory.current().expect("VmRSS").saturating_sub(before);
            println!("measured {kept} bytes");
            return;
        };
        assert!(
            kept < 4 << 20,
            "{kept} bytes of a 16 MiB block freed are still resident"
        );
    }

    /// The test binary allocates through [`super::HugePageAllocator`] (the crate's global
    /// allocator), as a worker does.
    #[cfg(target_env = "gnu")]
    #[test]
    fn a_large_block_grows_in_place_of_being_copied() {
        let name = "memory::tests::a_large_block_grows_in_place_of_being_copied";
        let Some(copied) = measured_alone(name) else {
            super::return_freed_blocks();
            let mut memory = super::ResidentMemory::open();
            let mut block = written_block(16);
            memory.reset_peak();
            let before = memory.current().expect("VmRSS");
            // A mapped block grows by moving its pages (mremap) unless its mapping was
            // split; then glibc copies it into a new block, touching 16 MiB more.
            block.reserve_exact(16 << 20);
            let copied = memory.peak().expect("VmHWM").saturating_sub(before);
            std::hint::black_box(&block);
            println!("measured {copied} bytes");
            return;
        };
        assert!(
            copied < 4 << 20,
            "growing a written 16 MiB block touched {copied} bytes more"
        );
    }
}
