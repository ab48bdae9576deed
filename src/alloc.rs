//! The allocator of the `rubric` binary: mimalloc, asked for alignment only when a type needs more
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
            unsafe { mi_malloc(layout.size()) as *mut u8 }
        } else {
            unsafe { mi_malloc_aligned(layout.size(), layout.align()) as *mut u8 }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD {
            unsafe { mi_zalloc(layout.size()) as *mut u8 }
        } else {
            unsafe { mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8 }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        unsafe { mi_free(ptr as *mut c_void) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD {
            unsafe { mi_realloc(ptr as *mut c_void, new_size) as *mut u8 }
        } else {
            unsafe { mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8 }
        }
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
