//! Program start without libc: the entry point reads argc, argv, envp and
//! the auxiliary vector once and hands them to `crate::main`; a panic
//! handler that exits; the memory functions the compiler may call.

use super::{exit, write_all, CStrList, STDERR};
use core::ffi::c_char;

// The kernel starts us with the stack pointer at argc (System V ABI and the
// generic Linux ELF loader, fs/binfmt_elf.c create_elf_tables).
#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "xor ebp, ebp",
    "mov rdi, rsp",
    "and rsp, -16",
    "call {entry}",
    "ud2",
    entry = sym entry,
);

#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "mov x29, #0",
    "mov x30, #0",
    "mov x0, sp",
    "bl {entry}",
    entry = sym entry,
);

#[cfg(target_arch = "arm")]
core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "mov fp, #0",
    "mov lr, #0",
    "mov r0, sp",
    "bic sp, sp, #15",
    "bl {entry}",
    entry = sym entry,
);

#[cfg(target_arch = "riscv64")]
core::arch::global_asm!(
    ".globl _start",
    "_start:",
    ".option push",
    ".option norelax",
    "lla gp, __global_pointer$",
    ".option pop",
    "mv a0, sp",
    "andi sp, sp, -16",
    "call {entry}",
    entry = sym entry,
);

const AT_SECURE: usize = linux_raw_sys::auxvec::AT_SECURE as usize;

/// # Safety
/// Called once, by `_start`, with the initial stack pointer the kernel set.
unsafe extern "C" fn entry(sp: *const usize) -> ! {
    // SAFETY: the stack holds argc, argv[0..argc], NULL, envp[..], NULL,
    // then the auxiliary vector of (type, value) pairs ending in AT_NULL.
    let (args, env, secure) = unsafe {
        let argc = *sp;
        let argv = sp.add(1) as *const *const c_char;
        let envp = argv.add(argc + 1);
        let mut envc = 0;
        while !(*envp.add(envc)).is_null() {
            envc += 1;
        }
        let mut auxv = envp.add(envc + 1) as *const usize;
        let mut secure = false;
        while *auxv != 0 {
            if *auxv == AT_SECURE {
                secure = *auxv.add(1) != 0;
            }
            auxv = auxv.add(2);
        }
        // The strings live on our stack until we exit.
        (CStrList::from_raw(argv, argc), CStrList::from_raw(envp, envc), secure)
    };
    exit(crate::main(args, env, secure))
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    let _ = write_all(&STDERR, b"ucontain: internal error\n");
    exit(70)
}

// The memory functions core calls. Written with volatile accesses so the
// compiler cannot turn the loops back into calls to themselves.

/// # Safety
/// As C memcpy: `n` bytes valid at both pointers, not overlapping.
#[no_mangle]
unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: what memmove needs is less than what memcpy's caller gives.
    unsafe { memmove(dst, src, n) }
}

/// # Safety
/// As C memmove: `n` bytes valid at both pointers.
#[no_mangle]
unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: i < n, and n bytes are valid at both pointers; copying
    // away from the overlap reads each byte before it is overwritten.
    unsafe {
        if (dst as usize) < (src as usize) {
            for i in 0..n {
                dst.add(i).write_volatile(src.add(i).read_volatile());
            }
        } else {
            for i in (0..n).rev() {
                dst.add(i).write_volatile(src.add(i).read_volatile());
            }
        }
    }
    dst
}

/// # Safety
/// As C memset: `n` bytes valid at `dst`.
#[no_mangle]
unsafe extern "C" fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
    for i in 0..n {
        // SAFETY: i < n, and n bytes are valid at dst.
        unsafe { dst.add(i).write_volatile(c as u8) };
    }
    dst
}

/// # Safety
/// As C memcmp: `n` bytes valid at both pointers.
#[no_mangle]
unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    for i in 0..n {
        // SAFETY: i < n, and n bytes are valid at both pointers.
        let (x, y) = unsafe { (a.add(i).read_volatile(), b.add(i).read_volatile()) };
        if x != y {
            return x as i32 - y as i32;
        }
    }
    0
}

/// # Safety
/// As C bcmp.
#[no_mangle]
unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: bcmp's contract is memcmp's.
    unsafe { memcmp(a, b, n) }
}

/// # Safety
/// As C strlen: `s` is NUL-terminated.
#[no_mangle]
unsafe extern "C" fn strlen(s: *const u8) -> usize {
    let mut n = 0;
    // SAFETY: s is NUL-terminated, so every byte up to the NUL is valid.
    while unsafe { s.add(n).read_volatile() } != 0 {
        n += 1;
    }
    n
}
