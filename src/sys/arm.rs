//! System calls on 32-bit ARM (EABI), where the `sc` crate still uses the
//! removed `llvm_asm!`: the same functions, with `svc 0`, the number in r7
//! and arguments in r0-r5 (syscall(2), "Architecture calling conventions").

use core::arch::asm;

/// # Safety
/// As the system call `n` with no arguments.
pub unsafe fn syscall0(n: usize) -> usize {
    let ret;
    // SAFETY: the caller passes what the system call expects.
    unsafe { asm!("svc 0", in("r7") n, lateout("r0") ret, options(nostack)) };
    ret
}

/// # Safety
/// As the system call `n` with these arguments.
pub unsafe fn syscall1(n: usize, a1: usize) -> usize {
    let ret;
    // SAFETY: the caller passes what the system call expects.
    unsafe { asm!("svc 0", in("r7") n, inlateout("r0") a1 => ret, options(nostack)) };
    ret
}

/// # Safety
/// As the system call `n` with these arguments.
pub unsafe fn syscall2(n: usize, a1: usize, a2: usize) -> usize {
    let ret;
    // SAFETY: the caller passes what the system call expects.
    unsafe { asm!("svc 0", in("r7") n, inlateout("r0") a1 => ret, in("r1") a2, options(nostack)) };
    ret
}

/// # Safety
/// As the system call `n` with these arguments.
pub unsafe fn syscall3(n: usize, a1: usize, a2: usize, a3: usize) -> usize {
    let ret;
    // SAFETY: the caller passes what the system call expects.
    unsafe { asm!("svc 0", in("r7") n, inlateout("r0") a1 => ret, in("r1") a2, in("r2") a3, options(nostack)) };
    ret
}

/// # Safety
/// As the system call `n` with these arguments.
pub unsafe fn syscall4(n: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    let ret;
    // SAFETY: the caller passes what the system call expects.
    unsafe {
        asm!("svc 0", in("r7") n, inlateout("r0") a1 => ret, in("r1") a2, in("r2") a3, in("r3") a4, options(nostack))
    };
    ret
}

/// # Safety
/// As the system call `n` with these arguments.
pub unsafe fn syscall5(n: usize, a1: usize, a2: usize, a3: usize, a4: usize, a5: usize) -> usize {
    let ret;
    // SAFETY: the caller passes what the system call expects.
    unsafe {
        asm!(
            "svc 0",
            in("r7") n,
            inlateout("r0") a1 => ret,
            in("r1") a2,
            in("r2") a3,
            in("r3") a4,
            in("r4") a5,
            options(nostack)
        )
    };
    ret
}
