//! Signal masks, waits and dispositions.

use super::*;
/// A set of signals, as the kernel's sigset_t of 64 bits.
#[derive(Clone, Copy)]
pub struct SigSet(pub u64);

impl SigSet {
    pub fn of(signals: &[u32]) -> SigSet {
        SigSet(signals.iter().fold(0, |m, s| m | 1u64 << (s - 1)))
    }
    pub fn has(&self, sig: u32) -> bool {
        #[allow(clippy::manual_range_contains)] // smaller code
        let known = sig >= 1 && sig <= 64;
        known && self.0 & (1u64 << (sig - 1)) != 0
    }
}

/// Blocks `set` and returns the previous mask.
pub fn block(set: SigSet) -> SigSet {
    sigprocmask(k::SIG_BLOCK, set)
}

/// Restores a mask returned by `block`.
pub fn set_mask(set: SigSet) {
    sigprocmask(k::SIG_SETMASK, set);
}

fn sigprocmask(how: u32, set: SigSet) -> SigSet {
    let mut old: u64 = 0;
    // SAFETY: both sets are 8-byte sigset_t values.
    unsafe {
        sc::syscall4(
            nr!(__NR_rt_sigprocmask),
            how as usize,
            &set.0 as *const u64 as usize,
            &mut old as *mut u64 as usize,
            8,
        )
    };
    SigSet(old)
}

/// Waits for one of the (blocked) signals of `set`; returns its number.
pub fn wait_signal(set: SigSet) -> Result<u32> {
    // SAFETY: the set is a valid sigset_t; no siginfo or timeout wanted.
    check(unsafe { sc::syscall4(nr!(__NR_rt_sigtimedwait), &set.0 as *const u64 as usize, 0, 0, 8) }).map(|s| s as u32)
}

/// Restores the default action of `sig`.
pub fn default_action(sig: u32) {
    // struct kernel_sigaction: handler (SIG_DFL is 0), flags, restorer,
    // then the 64-bit mask; all zero.
    let act = [0usize; 3 + 8 / core::mem::size_of::<usize>()];
    // SAFETY: a valid sigaction with the default handler.
    unsafe {
        sc::syscall4(nr!(__NR_rt_sigaction), sig as usize, &act as *const _ as usize, 0, 8);
    }
}

/// Ends this process by `sig`, as the child it waited for did (so a shell
/// reports the signal); no core file of ours is left for it.
pub fn die_by(sig: u32) -> ! {
    let no_core = k::rlimit64 { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: a valid rlimit64.
    unsafe { sc::syscall4(nr!(__NR_prlimit64), 0, k::RLIMIT_CORE as usize, &no_core as *const _ as usize, 0) };
    default_action(sig);
    set_mask(SigSet(!SigSet::of(&[sig]).0));
    let _ = kill(getpid(), sig);
    exit(128 + sig as i32)
}

/// Whether the caller left `sig` ignored (SIG_IGN), as nohup and a
/// script's background jobs arrange.
pub fn is_ignored(sig: u32) -> bool {
    let mut old = [0usize; 3 + 8 / core::mem::size_of::<usize>()];
    // SAFETY: the kernel writes one struct kernel_sigaction into old.
    unsafe {
        sc::syscall4(nr!(__NR_rt_sigaction), sig as usize, 0, old.as_mut_ptr() as usize, 8);
    }
    old[0] == 1
}
