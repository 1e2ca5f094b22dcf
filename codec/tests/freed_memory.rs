//! What the codec frees leaves the process's resident memory: glibc's malloc kept freed
//! blocks of up to 32 MiB in its heap once a block that size had been freed, and 70 MiB of
//! float samples compressed in 219 MiB resident for 183 MiB allocated. One test in its own
//! process, so that no other test allocates meanwhile.

/// Resident memory of this process in KiB (`VmRSS`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn resident_kib() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("a VmRSS line");
    line.split_whitespace()
        .nth(1)
        .and_then(|kib| kib.parse().ok())
        .expect("VmRSS in kB")
}

/// A block of `mib` MiB with every page written, so that all of it is resident.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn written_block(mib: usize) -> Vec<u8> {
    let mut block = Vec::with_capacity(mib << 20);
    block.resize(mib << 20, 7u8);
    std::hint::black_box(block)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn blocks_freed_after_the_codec_ran_leave_resident_memory() {
    let mut packed = std::io::Cursor::new(Vec::new());
    codec::compress(std::io::Cursor::new(b"a few bytes".to_vec()), &mut packed).unwrap();
    // glibc raised its mmap threshold to 24 MiB when this block was freed, and its trim
    // threshold to twice that, so that a 16 MiB block then came from its heap and stayed.
    drop(written_block(24));
    let before = resident_kib();
    drop(written_block(16));
    let kept = resident_kib().saturating_sub(before);
    assert!(
        kept < 4 << 10,
        "{kept} KiB of a 16 MiB block freed are still resident"
    );
}
