//! Memory: the allocator every codec in the runner uses, and the resident-memory figures of
//! the worker process.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

/// Transparent huge pages make large hashed tables much faster; on kernels that back pages
/// with them only when asked (`madvise` mode), this allocator asks for every allocation of
/// at least 2 MiB. It changes how pages are backed, never what they hold.
pub struct HugePageAllocator;

const HUGE_PAGE: usize = 2 << 20;

fn advise_huge(ptr: *mut u8, size: usize) {
    if size < HUGE_PAGE || ptr.is_null() {
        return;
    }
    let start = (ptr as usize).div_ceil(HUGE_PAGE) * HUGE_PAGE;
    let end = (ptr as usize + size) / HUGE_PAGE * HUGE_PAGE;
    if end > start {
        // SAFETY: the range lies inside one live allocation; the advice never changes its
        // contents, and a refusal leaves ordinary pages.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

// SAFETY: every method forwards to `System` with the same arguments; the advice after an
// allocation does not change the memory's contents or validity.
unsafe impl GlobalAlloc for HugePageAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        advise_huge(ptr, layout.size());
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc_zeroed(layout);
        advise_huge(ptr, layout.size());
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = System.realloc(ptr, layout, new_size);
        advise_huge(new, new_size);
        new
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
