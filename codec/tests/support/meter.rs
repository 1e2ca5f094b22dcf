//! What a decode costs, counted rather than timed: coder steps (through
//! `codec::decoder_steps`) and the peak of live heap bytes (through this counting global
//! allocator, which can also refuse memory past a limit, as a process under a memory limit
//! sees it refused).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Most coder steps a decode takes per byte of its input: the bound stated in the container's
/// documentation (`src/container/mod.rs`).
pub const STEPS_PER_BYTE: u64 = 363_416;

/// Most hash-chain links rebuilding deflate streams walks per byte of its input: the bound
/// stated in the container's documentation.
pub const LINKS_PER_BYTE: u64 = 1 << 16;

pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Held by a test that measures, so that no other test of its binary allocates meanwhile.
static ALONE: Mutex<()> = Mutex::new(());

impl Counting {
    /// Counts `size` more live bytes, or refuses them past the limit.
    fn take(size: usize) -> bool {
        let live = LIVE.fetch_add(size, Ordering::SeqCst) + size;
        if live > LIMIT.load(Ordering::SeqCst) {
            LIVE.fetch_sub(size, Ordering::SeqCst);
            return false;
        }
        PEAK.fetch_max(live, Ordering::SeqCst);
        true
    }

    fn give(size: usize) {
        LIVE.fetch_sub(size, Ordering::SeqCst);
    }
}

// SAFETY: every call is passed on to `System` unchanged; the counters only watch.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !Self::take(layout.size()) {
            return std::ptr::null_mut();
        }
        let p = System.alloc(layout);
        if p.is_null() {
            Self::give(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !Self::take(layout.size()) {
            return std::ptr::null_mut();
        }
        let p = System.alloc_zeroed(layout);
        if p.is_null() {
            Self::give(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        Self::give(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old && !Self::take(new_size - old) {
            return std::ptr::null_mut();
        }
        let p = System.realloc(ptr, layout, new_size);
        match (p.is_null(), new_size > old) {
            (true, true) => Self::give(new_size - old),
            (false, false) => Self::give(old - new_size),
            _ => {}
        }
        p
    }
}

/// What one decode cost, and what it returned.
pub struct Cost {
    pub result: std::io::Result<Vec<u8>>,
    /// Coder steps (bits decoded).
    pub steps: u64,
    /// Hash-chain links walked rebuilding deflate streams.
    pub links: u64,
    /// Most heap bytes live at once beyond those live before the decode.
    pub peak: usize,
}

/// Keeps the other tests of this binary that measure from running until it is dropped:
/// every test that measures takes it first.
pub fn alone() -> MutexGuard<'static, ()> {
    ALONE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Decodes `packed`, refusing memory beyond `limit` more bytes than were live before. The
/// caller holds [`alone`].
pub fn decode(packed: &[u8], limit: usize) -> Cost {
    let input = packed.to_vec();
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    LIMIT.store(base.saturating_add(limit), Ordering::SeqCst);
    let (steps, links) = (codec::decoder_steps(), codec::chain_links());
    let result = std::panic::catch_unwind(|| {
        let mut out = Cursor::new(Vec::new());
        codec::decompress(Cursor::new(&input), &mut out).map(|()| out.into_inner())
    });
    LIMIT.store(usize::MAX, Ordering::SeqCst);
    Cost {
        steps: codec::decoder_steps() - steps,
        links: codec::chain_links() - links,
        peak: PEAK.load(Ordering::SeqCst) - base,
        result: result.unwrap_or_else(|_| panic!("decompress panicked")),
    }
}

/// What `f` returns, and the most heap bytes live at once while it ran beyond those live
/// before. The caller holds [`alone`].
#[allow(dead_code)]
pub fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst) - base)
}
