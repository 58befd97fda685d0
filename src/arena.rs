//! The `kafka-init` binary's global allocator: a bump arena for the first
//! allocations, then the system's.
//!
//! `exec` allocates about 90 KB in some 900 blocks and then replaces the
//! process. musl's allocator maps and unmaps a page for many of them (about
//! 30 `mmap`/`munmap` pairs per start under strace), which cost more than
//! the rest of kafka-init's work before `execve`. Here an allocation is an
//! add and a compare in a static array (`.bss`: no file size, pages touched
//! only when used). Its memory is never handed back, except the newest
//! block's (a temporary string, a vector's old buffer); once the arena is
//! full the system allocator takes over, so the long runs (`prepare`'s walk,
//! `probe` over a million partitions) allocate and free as before.
//!
//! Memory ordering: a block given back by one thread may be claimed by
//! another, which then writes the same bytes. The giver's writes must happen
//! before the taker's, so every change of `next` that gives bytes back is a
//! Release and every one that claims bytes an Acquire (a realloc in place,
//! which may do either, is both). All changes of `next` are read-modify-writes,
//! so a claim that reads a later value than the give-back still synchronises
//! with it (a release sequence). Reads of `next` that only compute a guess
//! for the compare-exchange stay Relaxed: the exchange's own ordering is what
//! the claim relies on. `scripts/check-arena.sh` runs the race test below
//! under Miri, which reports the race these orderings prevent.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::atomic::{
    AtomicUsize,
    Ordering::{AcqRel, Acquire, Relaxed, Release},
};

/// A bump arena of `N` bytes in front of [`System`].
pub struct Arena<const N: usize> {
    bytes: UnsafeCell<[u8; N]>,
    /// The offset of the first free byte.
    next: AtomicUsize,
}

// SAFETY: the bytes are handed out in disjoint blocks, each claimed by one
// atomic compare-exchange on `next`.
unsafe impl<const N: usize> Sync for Arena<N> {}

impl<const N: usize> Default for Arena<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Arena<N> {
    /// An empty arena.
    pub const fn new() -> Self {
        Arena {
            bytes: UnsafeCell::new([0; N]),
            next: AtomicUsize::new(0),
        }
    }

    fn base(&self) -> usize {
        self.bytes.get() as usize
    }

    /// `ptr`'s offset in the arena, if it is in it.
    fn offset(&self, ptr: *mut u8) -> Option<usize> {
        (ptr as usize)
            .checked_sub(self.base())
            .filter(|&off| off < N)
    }

    /// Bytes in use (a block given back by the newest-first rule is free).
    pub fn used(&self) -> usize {
        self.next.load(Relaxed)
    }

    /// Claims `layout` in the arena; None when it does not fit.
    fn bump(&self, layout: Layout) -> Option<*mut u8> {
        let base = self.base();
        let mut next = self.next.load(Relaxed);
        loop {
            // Alignments are powers of two; the address, not the offset, is aligned.
            let start = (base + next).checked_add(layout.align() - 1)? & !(layout.align() - 1);
            let end = start.checked_add(layout.size())? - base;
            if end > N {
                return None;
            }
            // Acquire: the bytes may have been given back by another thread.
            match self.next.compare_exchange_weak(next, end, Acquire, Relaxed) {
                Ok(_) => return Some(start as *mut u8),
                Err(now) => next = now,
            }
        }
    }
}

// SAFETY: every block is either a disjoint range of the arena, claimed by a
// compare-exchange, aligned as its layout asks and inside the array, or the
// system allocator's; each is given back to the allocator it came from.
unsafe impl<const N: usize> GlobalAlloc for Arena<N> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.bump(layout) {
            Some(ptr) => ptr,
            // SAFETY: the caller's layout contract, passed on.
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match self.bump(layout) {
            Some(ptr) => {
                // A block given back and claimed again is not zero any more.
                // SAFETY: the block is ours, `layout.size()` bytes long.
                unsafe { ptr.write_bytes(0, layout.size()) };
                ptr
            }
            // SAFETY: as in alloc.
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match self.offset(ptr) {
            // The newest block gives its bytes back; the others stay claimed.
            // Release: the next thread to claim these bytes sees our writes first.
            Some(off) => {
                let _ = self
                    .next
                    .compare_exchange(off + layout.size(), off, Release, Relaxed);
            }
            // SAFETY: a block the system allocator gave, with its layout.
            None => unsafe { System.dealloc(ptr, layout) },
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Some(off) = self.offset(ptr) else {
            // SAFETY: a block the system allocator gave, with its layout.
            return unsafe { System.realloc(ptr, layout, new_size) };
        };
        // The newest block grows or shrinks in place while it fits.
        if off + new_size <= N
            && self
                .next
                .compare_exchange(off + layout.size(), off + new_size, AcqRel, Relaxed)
                .is_ok()
        {
            return ptr;
        }
        // SAFETY: the caller guarantees new_size, rounded up to the
        // alignment, does not overflow isize (GlobalAlloc::realloc's contract).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: a non-zero size, as the contract also guarantees.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live, distinct, and at least this long.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn blocks_are_aligned_disjoint_and_in_the_arena_until_it_is_full() {
        let arena: Arena<256> = Arena::new();
        let mut blocks = vec![];
        for (size, align) in [(3, 1), (8, 8), (1, 1), (16, 16), (5, 4), (64, 32)] {
            let l = layout(size, align);
            let p = unsafe { arena.alloc(l) };
            assert_eq!(p as usize % align, 0, "{size} aligned {align}");
            assert!(arena.offset(p).is_some(), "{size} in the arena");
            unsafe { p.write_bytes(0xab, size) };
            blocks.push((p as usize, size));
        }
        blocks.sort();
        for w in blocks.windows(2) {
            assert!(w[0].0 + w[0].1 <= w[1].0, "{blocks:?} overlap");
        }
        // Too big for what is left: the system's, and given back to it.
        let big = layout(1024, 8);
        let p = unsafe { arena.alloc(big) };
        assert!(!p.is_null() && arena.offset(p).is_none());
        unsafe { arena.dealloc(p, big) };
    }

    #[test]
    fn the_newest_block_is_given_back_and_grows_in_place() {
        let arena: Arena<128> = Arena::new();
        let keep = unsafe { arena.alloc(layout(10, 1)) };
        let used = arena.used();
        let tmp = unsafe { arena.alloc(layout(20, 1)) };
        unsafe { arena.dealloc(tmp, layout(20, 1)) };
        assert_eq!(
            arena.used(),
            used,
            "the newest block's bytes are free again"
        );

        let v = unsafe { arena.alloc(layout(8, 1)) };
        unsafe { v.write_bytes(7, 8) };
        let grown = unsafe { arena.realloc(v, layout(8, 1), 40) };
        assert_eq!(grown, v, "the newest block grows in place");
        // An older block moves, keeping its bytes; past the arena, to the system.
        unsafe { keep.write_bytes(9, 10) };
        let moved = unsafe { arena.realloc(keep, layout(10, 1), 500) };
        assert!(arena.offset(moved).is_none());
        assert_eq!(unsafe { std::slice::from_raw_parts(moved, 10) }, [9; 10]);
        let back = unsafe { arena.realloc(moved, layout(500, 1), 600) };
        assert_eq!(unsafe { std::slice::from_raw_parts(back, 10) }, [9; 10]);
        unsafe { arena.dealloc(back, layout(600, 1)) };
        assert_eq!(unsafe { std::slice::from_raw_parts(grown, 8) }, [7; 8]);
    }

    #[test]
    fn zeroed_blocks_are_zero_even_when_reused() {
        let arena: Arena<64> = Arena::new();
        let l = layout(16, 8);
        let p = unsafe { arena.alloc(l) };
        unsafe { p.write_bytes(0xff, 16) };
        unsafe { arena.dealloc(p, l) };
        let z = unsafe { arena.alloc_zeroed(l) };
        assert_eq!(z, p, "the same bytes, claimed again");
        assert_eq!(unsafe { std::slice::from_raw_parts(z, 16) }, [0; 16]);
    }

    /// One thread writes a block and gives it back; another, told so only
    /// by a Relaxed flag (which orders nothing), claims the same bytes and
    /// writes them. Without Release on the give-back and Acquire on the
    /// claim the two writes race; Miri (`scripts/check-arena.sh`) says so.
    #[test]
    fn a_block_given_back_by_one_thread_is_claimed_by_another_without_a_race() {
        use std::sync::atomic::AtomicBool;
        let arena: Arena<64> = Arena::new();
        let given_back = AtomicBool::new(false);
        let l = layout(16, 8);
        std::thread::scope(|s| {
            let first = s.spawn(|| {
                let p = unsafe { arena.alloc(l) };
                unsafe { p.write_bytes(1, 16) };
                unsafe { arena.dealloc(p, l) };
                given_back.store(true, Relaxed);
                p as usize
            });
            let second = s.spawn(|| {
                while !given_back.load(Relaxed) {
                    std::thread::yield_now();
                }
                let p = unsafe { arena.alloc(l) };
                unsafe { p.write_bytes(2, 16) };
                p as usize
            });
            let (a, b) = (first.join().unwrap(), second.join().unwrap());
            assert_eq!(
                a, b,
                "the second thread claims the bytes the first gave back"
            );
        });
    }

    #[test]
    fn threads_claim_disjoint_blocks() {
        static ARENA: Arena<{ 64 * 1024 }> = Arena::new();
        let handles: Vec<_> = (0..4u8)
            .map(|t| {
                std::thread::spawn(move || {
                    let l = layout(24, 8);
                    (0..200)
                        .map(|_| {
                            let p = unsafe { ARENA.alloc(l) };
                            unsafe { p.write_bytes(t, 24) };
                            p as usize
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<usize> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        all.sort();
        for w in all.windows(2) {
            assert!(w[0] + 24 <= w[1], "blocks overlap");
        }
    }
}
