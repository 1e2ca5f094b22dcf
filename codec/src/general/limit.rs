//! A limit on the coded bytes the lanes of one fork give, shared by its threads: past it the
//! encoder gives the fork up. Each lane counts what it has written; the total only grows,
//! so the fork is given up exactly when its coded bytes would end past the limit, whichever
//! thread counts last (the choice never depends on timing).

use std::sync::atomic::{AtomicUsize, Ordering};

pub struct CodedLimit {
    counted: AtomicUsize,
    most: usize,
}

impl CodedLimit {
    pub fn new(most: usize) -> Self {
        CodedLimit {
            counted: AtomicUsize::new(0),
            most,
        }
    }

    /// Counts `bytes` more coded bytes; false once the total is past the limit.
    pub fn take(&self, bytes: usize) -> bool {
        self.counted.fetch_add(bytes, Ordering::Relaxed) + bytes <= self.most
    }

    /// The most coded bytes allowed.
    pub fn most(&self) -> usize {
        self.most
    }
}
