//! How the process asks for memory: glibc's thresholds for SQLite's buffers, and no
//! transparent huge pages for anything.
//!
//! SQLite allocates with the C library's `malloc`, not with the process's Rust allocator.
//! glibc serves a block above its mmap threshold straight from `mmap` and unmaps it when it is
//! freed, and gives the free top of a heap back to the system once it passes the trim
//! threshold. When the store read a page of 4,096 events as one row of `group_concat` texts
//! of one to three MiB each, SQLite's buffers were such blocks: for every page they were
//! mapped, zeroed page by page by the kernel as they were written, and unmapped again. That
//! was 1.3 s of system time in a 3.3 s `verify` of 1,000,000 events (see BENCHMARKS.md).
//!
//! Since the fifth benchmark round, event pages are read row by row (`sqlite_pages.rs`), so
//! SQLite's buffers for them are small; the stored tree's pages (`verify` reads 65,536 hashes,
//! 2 MiB, as one blob) are still such blocks. The settings still pay, if less: in seven
//! alternating pairs of `liangye verify` of the 1,000,000-event log, the run with them was
//! the faster in six, median 3.51 s against 3.77 s; peak RSS 535–554 MiB with them and
//! 519–548 MiB without (BENCHMARKS.md, "Sixth run on SQLite").

/// Blocks up to this size come from glibc's heaps, where a freed one serves the next page.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 8 << 20;
/// A heap keeps up to this much free memory at its top before giving it back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: libc::c_int = 32 << 20;

/// Lets glibc keep SQLite's page-sized buffers for reuse (see the module's notes). A
/// binary calls it first thing in `main`, before any thread starts; elsewhere than Linux
/// with glibc it does nothing. Returns whether both settings were taken.
pub fn keep_sqlite_buffers_in_the_heap() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt sets two of glibc's allocator parameters, under glibc's own lock;
        // it reads or writes no memory of ours.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                && libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// Asks the kernel to back this process's memory with ordinary 4 KiB pages only, never with
/// transparent huge pages, whatever the allocator advises (`PR_SET_THP_DISABLE`). mimalloc
/// advises huge pages for its arenas; on the virtual machines measured here the kernel could
/// take up to a second of system time to hand over and zero the 420 MiB of them a rebuild of
/// 1,000,000 events fills, several times what the same memory costs in 4 KiB pages, and the
/// processes without them used fewer CPU seconds (BENCHMARKS.md, "Eighth run on SQLite").
/// A binary calls it first thing in `main`; elsewhere than Linux it does nothing. Returns
/// whether the kernel took the setting.
pub fn without_transparent_huge_pages() -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: this prctl sets one flag of the calling process; it reads or writes no
        // memory of ours.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0 }
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[cfg(target_env = "gnu")]
    #[test]
    fn glibc_takes_both_settings() {
        // mallopt refuses an mmap threshold above its maximum (32 MiB on 64-bit systems).
        assert!(super::keep_sqlite_buffers_in_the_heap());
    }

    #[test]
    fn the_kernel_keeps_huge_pages_off() {
        assert!(super::without_transparent_huge_pages());
        // SAFETY: this prctl only reads one flag of the calling process.
        let flag = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(flag, 1);
    }
}
