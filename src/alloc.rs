//! Allocation, the one place besides `bytescan` with unsafe code: the global allocator of the
//! `rubric` binary, tree-sitter's allocator hooks and the huge-page switch.
//!
//! The allocator: mimalloc, asked for alignment only when a type needs more
//! than a word. Grading allocates many small values per case, and mimalloc halves the time spent in
//! the allocator; but its aligned entry points take a slow, over-allocating path for blocks over
//! 1 KiB (lists and objects of a case) even when the alignment asked for is 8, which every mimalloc
//! block has anyway (block sizes are whole words). Rust's own `System` allocator does the same with
//! `malloc`.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc, mi_zalloc_aligned,
};

/// Every mimalloc block is aligned to at least a word.
const WORD: usize = std::mem::size_of::<usize>();

pub struct Allocator;

// SAFETY: every method forwards to the mimalloc function of the same contract; the unaligned ones
// are used only for layouts whose alignment a word satisfies, which every mimalloc block has.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: mimalloc's `malloc`; a word-aligned block satisfies `layout`.
            unsafe { mi_malloc(layout.size()) as *mut u8 }
        } else {
            // SAFETY: mimalloc's aligned `malloc` with the layout's own alignment.
            unsafe { mi_malloc_aligned(layout.size(), layout.align()) as *mut u8 }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: as in `alloc`, zeroed.
            unsafe { mi_zalloc(layout.size()) as *mut u8 }
        } else {
            // SAFETY: as in `alloc`, zeroed.
            unsafe { mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8 }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator (the `GlobalAlloc` contract), so from mimalloc.
        unsafe { mi_free(ptr as *mut c_void) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD {
            // SAFETY: `ptr` came from mimalloc; the new block keeps a word's alignment.
            unsafe { mi_realloc(ptr as *mut c_void, new_size) as *mut u8 }
        } else {
            // SAFETY: `ptr` came from mimalloc's aligned allocation with this alignment.
            unsafe { mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8 }
        }
    }
}

/// Turns transparent huge pages off for this process. mimalloc is built with `no_thp`, so it no
/// longer asks for them (with them, the kernel zeroes, and sometimes compacts memory for, 2 MB at
/// the first touch of each region, with no gain for grading, whose working set is small); this
/// also keeps them off where the system enables them for every mapping (`always`), from the first
/// allocation after the call on.
pub fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` only sets a flag of the calling process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// tree-sitter's C library allocates with libc `malloc` unless told otherwise; a parse allocates a
/// few hundred small nodes and dropping the tree frees them one by one. This hands those calls to
/// Rust's global allocator (mimalloc in the binary), which serves them with fewer instructions.
///
/// tree-sitter requires the allocator to be set once, before it allocates anything and before
/// other threads use it: `install` runs the switch under a `Once` and is called ahead of every
/// parse (all of this crate's tree-sitter use is in `builtins::code`). The Rust bindings free what
/// the C library hands them through the same functions.
pub(crate) mod tree_sitter {
    use std::alloc::{Layout, alloc, alloc_zeroed, dealloc, handle_alloc_error, realloc};
    use std::ffi::c_void;
    use std::sync::Once;

    unsafe extern "C" {
        /// From tree-sitter's `api.h`, linked in with the library.
        fn ts_set_allocator(
            new_malloc: Option<unsafe extern "C" fn(usize) -> *mut c_void>,
            new_calloc: Option<unsafe extern "C" fn(usize, usize) -> *mut c_void>,
            new_realloc: Option<unsafe extern "C" fn(*mut c_void, usize) -> *mut c_void>,
            new_free: Option<unsafe extern "C" fn(*mut c_void)>,
        );
    }

    /// Rust's deallocation needs the size, which C's `free` does not pass: each block starts with
    /// a header holding it. 16 bytes keep the pointer handed out aligned as `malloc`'s is.
    const HEADER: usize = 16;
    const ALIGN: usize = 16;

    pub fn install() {
        static INSTALL: Once = Once::new();
        // SAFETY: runs once, before any tree-sitter allocation (see the module comment); the four
        // functions form one allocator family and abort rather than return null.
        INSTALL.call_once(|| unsafe {
            ts_set_allocator(Some(ts_malloc), Some(ts_calloc), Some(ts_realloc), Some(ts_free))
        });
    }

    fn layout(size: usize) -> Layout {
        size.checked_add(HEADER)
            .and_then(|total| Layout::from_size_align(total, ALIGN).ok())
            .unwrap_or_else(|| std::process::abort())
    }

    /// Writes the size into the header of a fresh block and returns the pointer after it.
    ///
    /// SAFETY: `block` is null or was allocated with `layout(size)`.
    unsafe fn finish(block: *mut u8, size: usize) -> *mut c_void {
        if block.is_null() {
            handle_alloc_error(layout(size));
        }
        // SAFETY: the block is at least `HEADER` bytes, aligned for a `usize`.
        unsafe {
            block.cast::<usize>().write(size);
            block.add(HEADER).cast()
        }
    }

    /// The start of the block behind a pointer this allocator returned, and its layout.
    ///
    /// SAFETY: `ptr` is non-null and came from one of these functions.
    unsafe fn block_of(ptr: *mut c_void) -> (*mut u8, Layout) {
        // SAFETY: `ptr` is `HEADER` bytes into a block whose header holds its size (see `finish`).
        unsafe {
            let block = ptr.cast::<u8>().sub(HEADER);
            (block, layout(block.cast::<usize>().read()))
        }
    }

    unsafe extern "C" fn ts_malloc(size: usize) -> *mut c_void {
        // SAFETY: a fresh block of `layout(size)`, as `finish` needs.
        unsafe { finish(alloc(layout(size)), size) }
    }

    unsafe extern "C" fn ts_calloc(count: usize, size: usize) -> *mut c_void {
        let size = count.checked_mul(size).unwrap_or_else(|| std::process::abort());
        // The header is zeroed too, then overwritten.
        // SAFETY: a fresh block of `layout(size)`, as `finish` needs.
        unsafe { finish(alloc_zeroed(layout(size)), size) }
    }

    unsafe extern "C" fn ts_realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
        if ptr.is_null() {
            // SAFETY: C's `realloc(NULL, n)` is `malloc(n)`.
            return unsafe { ts_malloc(size) };
        }
        // SAFETY: tree-sitter hands back only pointers these functions returned; the grown block
        // has the layout `finish` expects.
        unsafe {
            let (block, old) = block_of(ptr);
            finish(realloc(block, old, layout(size).size()), size)
        }
    }

    unsafe extern "C" fn ts_free(ptr: *mut c_void) {
        if !ptr.is_null() {
            // SAFETY: tree-sitter frees only pointers these functions returned, once.
            unsafe {
                let (block, layout) = block_of(ptr);
                dealloc(block, layout);
            }
        }
    }
}

/// `scratch[start..]` moved into one shared slice of exactly its size; `scratch` keeps `..start`.
/// (A plain `drain(..).collect()` goes element by element through the iterator.)
pub(crate) fn drain_to_shared<T>(scratch: &mut Vec<T>, start: usize) -> triomphe::Arc<[T]> {
    let moved = &scratch[start..];
    let mut slots = triomphe::UniqueArc::<[std::mem::MaybeUninit<T>]>::new_uninit_slice(moved.len());
    // SAFETY: the elements' bits are copied into the new, uninitialised slice of the same length
    // (the two do not overlap); `set_len` then forgets them in `scratch` without dropping them, so
    // each is owned exactly once, and every element of the slice is initialised.
    unsafe {
        std::ptr::copy_nonoverlapping(moved.as_ptr(), slots.as_mut_ptr().cast::<T>(), moved.len());
        scratch.set_len(start);
        triomphe::UniqueArc::assume_init_slice(slots).shareable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_of_every_size_are_aligned_as_asked() {
        for size in (1..5000).chain([1 << 16, (1 << 20) + 3, 5 << 20]) {
            for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: the layout has a non-zero size; each block is freed with its layout.
                unsafe {
                    let a = Allocator.alloc(layout);
                    let z = Allocator.alloc_zeroed(layout);
                    assert!(!a.is_null() && !z.is_null());
                    assert_eq!(a as usize % align, 0, "size {size}, align {align}");
                    assert_eq!(z as usize % align, 0, "size {size}, align {align} (zeroed)");
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0));
                    let r = Allocator.realloc(a, layout, size * 3);
                    assert_eq!(r as usize % align, 0, "size {size}, align {align} (grown)");
                    Allocator.dealloc(r, Layout::from_size_align(size * 3, align).unwrap());
                    Allocator.dealloc(z, layout);
                }
            }
        }
    }
}
