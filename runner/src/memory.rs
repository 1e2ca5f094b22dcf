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

    const CHILD: &str = "RUNNER_TEST_FREED_BLOCKS";

    /// A block of `mib` MiB with every page written, so that all of it is resident.
    fn written_block(mib: usize) -> Vec<u8> {
        let mut block = Vec::with_capacity(mib << 20);
        block.resize(mib << 20, 7u8);
        std::hint::black_box(block)
    }

    #[cfg(target_env = "gnu")]
    #[test]
    fn blocks_freed_in_a_worker_leave_its_resident_memory() {
        if std::env::var_os(CHILD).is_some() {
            // In a process of its own, so that no other test allocates meanwhile.
            super::return_freed_blocks();
            let mut memory = super::ResidentMemory::open();
            // Unfixed, glibc raised its threshold to 24 MiB when this block was freed, so
            // that a 16 MiB block then came from its heap and stayed.
            drop(written_block(24));
            let before = memory.current().expect("VmRSS");
            drop(written_block(16));
            let kept = memory.current().expect("VmRSS").saturating_sub(before);
            println!("kept {kept} bytes");
            return;
        }
        let me = std::env::current_exe().expect("the test binary");
        let out = Command::new(me)
            .args([
                "--exact",
                "memory::tests::blocks_freed_in_a_worker_leave_its_resident_memory",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .expect("runs the test binary again");
        let text = String::from_utf8_lossy(&out.stdout);
        let kept: u64 = text
            .lines()
            .find_map(|l| {
                l.split("kept ")
                    .nth(1)?
                    .strip_suffix(" bytes")?
                    .parse()
                    .ok()
            })
            .unwrap_or_else(|| panic!("no figure from the child: {text}"));
        assert!(
            kept < 4 << 20,
            "{kept} bytes of a 16 MiB block freed are still resident"
        );
    }
}
