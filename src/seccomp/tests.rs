//! The compiler's model tests: a classic BPF interpreter, checking what the
//! kernel's loader checks (bpf_check_classic), runs the compiled programs
//! on synthetic `seccomp_data`.

use super::bpf::*;
use super::compile::{compile, machine, number, Abi, Host, ProfileError, Program};
use super::syscalls as table;
use super::{program_bytes, program_from_bytes, BUILTIN};

const X86_64: &[Abi] = &[Abi::X86_64, Abi::X86, Abi::X32];
const ALL_CAPS: Host = Host { caps: u64::MAX, kernel: (6, 1) };
const NO_CAPS: Host = Host { caps: 0, kernel: (6, 1) };
const EPERM: u32 = RET_ERRNO | 1;

/// What the kernel refuses to load: a jump out of the program, an opcode a
/// seccomp filter may not use, a load outside `seccomp_data`, no final
/// `ret`, more than BPF_MAXINSNS instructions.
fn check_loadable(program: &[SockFilter]) {
    assert!(!program.is_empty() && program.len() <= BPF_MAXINSNS);
    assert_eq!(program.last().unwrap().code, RET, "the last instruction is a ret");
    for (pc, i) in program.iter().enumerate() {
        match i.code {
            LD_ABS => assert!(i.k % 4 == 0 && i.k < 64, "load at {pc}"),
            AND | RET => {}
            JA => assert!(pc + 1 + (i.k as usize) < program.len(), "ja at {pc}"),
            JEQ | JGT | JGE => {
                assert!(pc + 1 + (i.jt.max(i.jf) as usize) < program.len(), "jump at {pc}")
            }
            other => panic!("opcode {other:#x} at {pc}"),
        }
    }
}

/// The action of `program` for a call: (number, architecture, arguments).
fn run(program: &[SockFilter], nr: u32, arch: u32, args: [u64; 6]) -> u32 {
    let mut data = [0u8; 64];
    data[0..4].copy_from_slice(&nr.to_le_bytes());
    data[4..8].copy_from_slice(&arch.to_le_bytes());
    for (i, a) in args.iter().enumerate() {
        data[16 + 8 * i..24 + 8 * i].copy_from_slice(&a.to_le_bytes());
    }
    let (mut pc, mut a) = (0usize, 0u32);
    loop {
        let i = program[pc];
        pc += 1;
        let taken = |cond: bool| if cond { i.jt as usize } else { i.jf as usize };
        match i.code {
            LD_ABS => a = u32::from_le_bytes(data[i.k as usize..i.k as usize + 4].try_into().unwrap()),
            AND => a &= i.k,
            JA => pc += i.k as usize,
            JEQ => pc += taken(a == i.k),
            JGT => pc += taken(a > i.k),
            JGE => pc += taken(a >= i.k),
            RET => return i.k,
            other => panic!("opcode {other:#x}"),
        }
    }
}

fn build<'a>(json: &'a str, machine: &[Abi], host: &Host) -> Result<(Vec<SockFilter>, Program), ProfileError<'a>> {
    let mut out = [SockFilter::default(); BPF_MAXINSNS];
    let p = compile(json.as_bytes(), machine, host, &mut out)?;
    let program = out[..p.len].to_vec();
    check_loadable(&program);
    Ok((program, p))
}

fn program(json: &str, machine: &[Abi]) -> Vec<SockFilter> {
    match build(json, machine, &ALL_CAPS) {
        Ok((p, _)) => p,
        Err(e) => panic!("{} {:?} at {}", String::from_utf8_lossy(e.what), String::from_utf8_lossy(e.value), e.at),
    }
}

fn error(json: &str) -> (String, String) {
    let Err(e) = build(json, X86_64, &ALL_CAPS) else { panic!("{json} compiled") };
    (String::from_utf8_lossy(e.what).into_owned(), String::from_utf8_lossy(e.value).into_owned())
}

fn nr(abi: Abi, name: &str) -> u32 {
    number(abi, name.as_bytes()).unwrap_or_else(|| panic!("{name} on {abi:?}"))
}

fn audit_arch(abi: Abi) -> u32 {
    match abi {
        Abi::X86_64 | Abi::X32 => AUDIT_ARCH_X86_64,
        Abi::X86 => AUDIT_ARCH_I386,
        Abi::Aarch64 => AUDIT_ARCH_AARCH64,
        Abi::Arm => AUDIT_ARCH_ARM,
        Abi::Riscv64 => AUDIT_ARCH_RISCV64,
    }
}

fn call(p: &[SockFilter], abi: Abi, name: &str, args: [u64; 6]) -> u32 {
    run(p, nr(abi, name), audit_arch(abi), args)
}

const BUILTIN_JSON: &str = include_str!("builtin.json");
const REFUSED: [&str; 28] = [
    "add_key",
    "keyctl",
    "request_key",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "create_module",
    "query_module",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "open_by_handle_at",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "iopl",
    "ioperm",
    "swapon",
    "swapoff",
    "acct",
    "lookup_dcookie",
    "quotactl",
    "nfsservctl",
    "uselib",
    "vm86",
    "vm86old",
];

#[test]
fn the_table_has_the_kernel_numbers() {
    assert_eq!(nr(Abi::X86_64, "keyctl"), linux_raw_sys::general::__NR_keyctl);
    assert_eq!(nr(Abi::X86_64, "getpid"), 39);
    assert_eq!(nr(Abi::X86, "keyctl"), 288);
    assert_eq!(nr(Abi::X86, "vm86old"), 113);
    assert_eq!(nr(Abi::X32, "keyctl"), 0x4000_0000 | 250);
    assert_eq!(nr(Abi::Aarch64, "keyctl"), 219);
    assert_eq!(nr(Abi::Riscv64, "keyctl"), 219);
    assert_eq!(nr(Abi::Arm, "keyctl"), 311);
    assert_eq!(nr(Abi::Arm, "cacheflush"), 0xf0002);
    assert_eq!(number(Abi::X86_64, b"vm86"), None);
    assert_eq!(number(Abi::Aarch64, b"open"), None);
    assert_eq!(number(Abi::X86_64, b"nosuchcall"), None);
    assert_eq!(table::NAME_END.len(), table::COUNT);
}

/// The shipped program is build.rs's compilation of builtin.json.
#[test]
fn the_builtin_is_builtin_json_compiled() {
    assert_eq!(super::BUILTIN, &program(BUILTIN_JSON, X86_64)[..]);
    check_loadable(super::BUILTIN);
}

#[test]
fn the_builtin_refuses_its_calls_on_every_abi_of_every_machine() {
    for arch in ["x86_64", "aarch64", "riscv64", "arm"] {
        let abis = machine(arch).unwrap();
        let p = program(BUILTIN_JSON, abis);
        assert!(p.len() < 400, "{arch}: {} instructions", p.len());
        for &abi in abis {
            let mut refused = 0;
            for name in REFUSED {
                if number(abi, name.as_bytes()).is_some() {
                    assert_eq!(call(&p, abi, name, [0; 6]), EPERM, "{name} on {abi:?}");
                    refused += 1;
                }
            }
            assert!(refused >= 14, "{abi:?}: {refused}");
            for name in ["getpid", "read", "write", "clone", "execve", "mount", "keyctl_x"] {
                if let Some(n) = number(abi, name.as_bytes()) {
                    assert_eq!(run(&p, n, audit_arch(abi), [0; 6]), RET_ALLOW, "{name} on {abi:?}");
                }
            }
            let personality = |arg: u64| call(&p, abi, "personality", [arg, 0, 0, 0, 0, 0]);
            for allowed in [0, 8, 0x20000, 0x20008, 0xffff_ffff] {
                assert_eq!(personality(allowed), RET_ALLOW, "personality({allowed:#x}) on {abi:?}");
            }
            for refused in [0x0040_0000, 1, 0x20001, 0xffff_fffe] {
                assert_eq!(personality(refused), EPERM, "personality({refused:#x}) on {abi:?}");
            }
            // 64-bit ABIs compare the whole argument.
            let high = personality(0x1_0000_0008);
            assert_eq!(high, if matches!(abi, Abi::X86 | Abi::Arm) { RET_ALLOW } else { EPERM }, "{abi:?}");
        }
        // Every other architecture is refused whole.
        for arch in [AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM, AUDIT_ARCH_RISCV64, 0] {
            if !abis.iter().any(|&a| audit_arch(a) == arch) {
                assert_eq!(run(&p, 39, arch, [0; 6]), RET_KILL_PROCESS, "{arch:#x} on {abis:?}");
            }
        }
    }
}

#[test]
fn x32_calls_are_told_apart_by_their_bit() {
    let only_64 = r#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 3}]}"#;
    let p = program(only_64, X86_64);
    assert_eq!(call(&p, Abi::X86_64, "getpid", [0; 6]), RET_ERRNO | 3);
    assert_eq!(call(&p, Abi::X86_64, "getppid", [0; 6]), RET_ALLOW);
    // x32 and x86 are not listed: refused whole; nr -1 is no x32 call.
    assert_eq!(call(&p, Abi::X32, "getppid", [0; 6]), RET_KILL_PROCESS);
    assert_eq!(call(&p, Abi::X86, "getppid", [0; 6]), RET_KILL_PROCESS);
    assert_eq!(run(&p, u32::MAX, AUDIT_ARCH_X86_64, [0; 6]), RET_ALLOW);
    let with_x32 = only_64.replace(r#""SCMP_ARCH_X86_64""#, r#""SCMP_ARCH_X86_64", "SCMP_ARCH_X32""#);
    let p = program(&with_x32, X86_64);
    assert_eq!(call(&p, Abi::X32, "getpid", [0; 6]), RET_ERRNO | 3);
    assert_eq!(call(&p, Abi::X32, "getppid", [0; 6]), RET_ALLOW);
    assert_eq!(call(&p, Abi::X86_64, "getpid", [0; 6]), RET_ERRNO | 3);
    // x32's getpid number without the bit is x86_64's `kill`... both
    // differ, and neither ABI's rule leaks into the other.
    assert_eq!(run(&p, nr(Abi::X32, "getpid") & !table::X32_SYSCALL_BIT, AUDIT_ARCH_X86_64, [0; 6]), RET_ERRNO | 3);
    let only_x32 = r#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X32"]}"#;
    // The native ABI is always in (as libseccomp's seccomp_init adds it).
    let p = program(only_x32, X86_64);
    assert_eq!(call(&p, Abi::X86_64, "getpid", [0; 6]), RET_ALLOW);
    assert_eq!(call(&p, Abi::X32, "getpid", [0; 6]), RET_ALLOW);
    assert_eq!(call(&p, Abi::X86, "getpid", [0; 6]), RET_KILL_PROCESS);
}

#[test]
fn an_empty_profile_is_its_default_on_the_native_abi() {
    for (json, action) in [
        (r#"{"defaultAction": "SCMP_ACT_ALLOW"}"#, RET_ALLOW),
        (r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [], "architectures": null}"#, EPERM),
        (r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": null}"#, RET_ERRNO | 38),
        (r#"{"defaultAction": "SCMP_ACT_LOG"}"#, RET_LOG),
        (r#"{"defaultAction": "SCMP_ACT_KILL"}"#, RET_KILL_THREAD),
        (r#"{"defaultAction": "SCMP_ACT_KILL_THREAD"}"#, RET_KILL_THREAD),
        (r#"{"defaultAction": "SCMP_ACT_KILL_PROCESS"}"#, RET_KILL_PROCESS),
        (r#"{"defaultAction": "SCMP_ACT_TRAP"}"#, RET_TRAP),
        (r#"{"defaultAction": "SCMP_ACT_TRACE", "defaultErrnoRet": 7}"#, RET_TRACE | 7),
    ] {
        let p = program(json, X86_64);
        assert!(p.len() <= 8, "{json}: {} instructions", p.len());
        for n in [0, 39, 500, 0x3fff_ffff, u32::MAX] {
            assert_eq!(run(&p, n, AUDIT_ARCH_X86_64, [0; 6]), action, "{json}");
        }
        assert_eq!(call(&p, Abi::X86, "getpid", [0; 6]), RET_KILL_PROCESS, "{json}");
        assert_eq!(call(&p, Abi::X32, "getpid", [0; 6]), RET_KILL_PROCESS, "{json}");
    }
}

#[test]
fn names_an_abi_lacks_are_skipped() {
    let json = r#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
        "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390X"], "syscalls": [{"names": ["nosuchcall", "vm86", "arch_prctl",
        "s390_runtime_instr", "getpid"], "action": "SCMP_ACT_ERRNO"}]}"#;
    let p = program(json, X86_64);
    assert_eq!(call(&p, Abi::X86, "vm86", [0; 6]), EPERM);
    assert_eq!(call(&p, Abi::X86_64, "arch_prctl", [0; 6]), EPERM);
    assert_eq!(call(&p, Abi::X86, "arch_prctl", [0; 6]), EPERM);
    assert_eq!(call(&p, Abi::X86_64, "getpid", [0; 6]), EPERM);
    assert_eq!(call(&p, Abi::X86, "getpid", [0; 6]), EPERM);
    assert_eq!(call(&p, Abi::X86_64, "getppid", [0; 6]), RET_ALLOW);
    // Escaped names are names too.
    let p = program(
        r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["get\u0070id"], "action": "SCMP_ACT_ERRNO"}]}"#,
        X86_64,
    );
    assert_eq!(call(&p, Abi::X86_64, "getpid", [0; 6]), EPERM);
}

/// What libseccomp's comparison gives, on 64-bit values (`wide`) or on
/// the low halves.
fn model(op: &str, arg: u64, value: u64, value_two: u64, wide: bool) -> bool {
    let cut = |v: u64| if wide { v } else { v & 0xffff_ffff };
    let (a, v, w) = (cut(arg), cut(value), cut(value_two));
    match op {
        "SCMP_CMP_NE" => a != v,
        "SCMP_CMP_LT" => a < v,
        "SCMP_CMP_LE" => a <= v,
        "SCMP_CMP_EQ" => a == v,
        "SCMP_CMP_GE" => a >= v,
        "SCMP_CMP_GT" => a > v,
        "SCMP_CMP_MASKED_EQ" => a & v == w,
        _ => unreachable!(),
    }
}

const EDGES: [u64; 12] = [
    0,
    1,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_fffe,
    0xffff_ffff,
    0x1_0000_0000,
    0x1_0000_0001,
    0x1_ffff_ffff,
    0xffff_ffff_0000_0000,
    u64::MAX - 1,
    u64::MAX,
];

#[test]
fn every_operator_around_the_32_bit_boundaries() {
    let ops = [
        "SCMP_CMP_NE",
        "SCMP_CMP_LT",
        "SCMP_CMP_LE",
        "SCMP_CMP_EQ",
        "SCMP_CMP_GE",
        "SCMP_CMP_GT",
        "SCMP_CMP_MASKED_EQ",
    ];
    for op in ops {
        for value in EDGES {
            let value_two = value.rotate_left(32) & 0xffff_0000_ffff_0001;
            let json = format!(
                r#"{{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 9, "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                "syscalls": [{{"names": ["getpid"], "action": "SCMP_ACT_ALLOW",
                "args": [{{"index": 3, "value": {value}, "valueTwo": {value_two}, "op": "{op}"}}]}}]}}"#
            );
            let p = program(&json, X86_64);
            for abi in [Abi::X86_64, Abi::X86, Abi::X32] {
                let wide = abi != Abi::X86;
                for arg in EDGES.iter().flat_map(|&e| [e, e ^ value, e & value, value_two]) {
                    let expected = if model(op, arg, value, value_two, wide) { RET_ALLOW } else { RET_ERRNO | 9 };
                    let got = call(&p, abi, "getpid", [0, 0, 0, arg, 0, 0]);
                    assert_eq!(got, expected, "{op} {value:#x} ({value_two:#x}) on {arg:#x}, {abi:?}");
                    // Only argument 3 counts.
                    assert_eq!(call(&p, abi, "getpid", [arg, arg, arg, 0, arg, arg]), call(&p, abi, "getpid", [0; 6]));
                }
                assert_eq!(call(&p, abi, "getppid", [0; 6]), RET_ERRNO | 9);
            }
        }
    }
}

#[test]
fn conditions_of_one_rule_all_hold_and_rules_are_tried_in_order() {
    let json = r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
         "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}, {"index": 2, "value": 9, "op": "SCMP_CMP_EQ"}]},
        {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}]},
        {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5},
        {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
        {"names": ["kill"], "action": "SCMP_ACT_ERRNO",
         "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 15, "op": "SCMP_CMP_EQ"}]}
    ]}"#;
    let p = program(json, X86_64);
    let socket = |a: u64, c: u64| call(&p, Abi::X86_64, "socket", [a, 0, c, 0, 0, 0]);
    assert_eq!(socket(16, 9), RET_ERRNO | 22);
    assert_eq!(socket(16, 0), RET_ERRNO | 13);
    assert_eq!(socket(2, 0), RET_ALLOW);
    assert_eq!(socket(10, 9), RET_ERRNO | 5);
    // Two conditions on one argument: either (runc and crun split them).
    let kill = |sig: u64| call(&p, Abi::X86_64, "kill", [1, sig, 0, 0, 0, 0]);
    assert_eq!((kill(9), kill(15), kill(2)), (EPERM, EPERM, RET_ALLOW));
    assert_eq!(call(&p, Abi::X86_64, "getpid", [0; 6]), RET_ALLOW);
}

/// 450 names with changing actions: hundreds of intervals per ABI.
#[test]
fn four_hundred_fifty_names_fit_and_each_gets_its_action() {
    let names: Vec<&[u8]> = (0..table::COUNT)
        .map(|i| {
            let start = if i == 0 { 0 } else { table::NAME_END[i - 1] as usize };
            &table::NAMES[start..table::NAME_END[i] as usize]
        })
        .take(450)
        .collect();
    let quoted = |part: &[&[u8]]| {
        part.iter().map(|n| format!("\"{}\"", String::from_utf8_lossy(n))).collect::<Vec<_>>().join(",")
    };
    let rules: Vec<String> = names
        .chunks(3)
        .enumerate()
        .map(|(i, chunk)| {
            format!(r#"{{"names": [{}], "action": "SCMP_ACT_ERRNO", "errnoRet": {}}}"#, quoted(chunk), i % 7 + 1)
        })
        .collect();
    let json = format!(
        r#"{{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": [{}]}}"#,
        rules.join(",")
    );
    let p = program(&json, X86_64);
    assert!(p.len() < BPF_MAXINSNS / 2, "{} instructions", p.len());
    assert!(p.iter().any(|i| i.code == JA), "long jumps go through ja");
    for abi in [Abi::X86_64, Abi::X86, Abi::X32] {
        let mut seen = 0;
        for (i, name) in names.iter().enumerate() {
            if let Some(n) = number(abi, name) {
                let errno = (i / 3 % 7 + 1) as u32;
                assert_eq!(run(&p, n, audit_arch(abi), [0; 6]), RET_ERRNO | errno, "{name:?} on {abi:?}");
                seen += 1;
            }
        }
        assert!(seen > 250, "{abi:?}: {seen}");
        // Numbers no rule names: the default.
        let base = if abi == Abi::X32 { table::X32_SYSCALL_BIT } else { 0 };
        assert_eq!(run(&p, base | 5000, audit_arch(abi), [0; 6]), RET_ALLOW);
    }
}

/// One call with 300 rules: its block is longer than a conditional jump
/// reaches, so the search's jumps and the rules' fall-through to the
/// default go through `ja`.
#[test]
fn long_blocks_are_reached_through_trampolines() {
    let rules: Vec<String> = (0..300u64)
        .map(|v| format!(r#"{{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{{"index": 0, "value": {}, "op": "SCMP_CMP_EQ"}}]}}"#, v * 3))
        .collect();
    let json = format!(
        r#"{{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": [{}, {{"names": ["getpid", "read", "write"], "action": "SCMP_ACT_ALLOW"}}]}}"#,
        rules.join(",")
    );
    let p = program(&json, X86_64);
    assert!(p.iter().filter(|i| i.code == JA).count() >= 2, "long jumps go through ja");
    for abi in [Abi::X86_64, Abi::X86, Abi::X32] {
        for v in [0u64, 3, 447, 897, 1, 898, 900, 0x1_0000_0000] {
            // x86 sees the low half only.
            let seen = if abi == Abi::X86 { v & 0xffff_ffff } else { v };
            let allowed = seen % 3 == 0 && seen < 900;
            let expected = if allowed { RET_ALLOW } else { EPERM };
            assert_eq!(call(&p, abi, "personality", [v, 0, 0, 0, 0, 0]), expected, "personality({v}) on {abi:?}");
        }
        for name in ["getpid", "read", "write"] {
            assert_eq!(call(&p, abi, name, [0; 6]), RET_ALLOW, "{name} on {abi:?}");
        }
        assert_eq!(call(&p, abi, "getppid", [0; 6]), EPERM);
    }
}

#[test]
fn a_program_over_bpf_maxinsns_is_an_error_naming_the_limit() {
    let rules: Vec<String> = (0..1100u64)
        .map(|v| format!(r#"{{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{{"index": 0, "value": {v}, "op": "SCMP_CMP_EQ"}}]}}"#))
        .collect();
    let json = format!(r#"{{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{}]}}"#, rules.join(","));
    assert_eq!(error(&json).0, "program longer than 4096 instructions (BPF_MAXINSNS)");
}

#[test]
fn bad_profiles_are_errors_that_name_the_fault() {
    let cases: &[(&str, &str, &str)] = &[
        ("", "expected an object", ""),
        ("{\"defaultAction\": \"SCMP_ACT_ALLOW\",}", "expected a key", ""),
        ("{\"defaultAction\" \"SCMP_ACT_ALLOW\"}", "expected ':'", ""),
        ("{\"defaultAction\": \"SCMP_ACT_ALLOW\"} x", "unexpected data after the end", ""),
        ("{\"syscalls\": []}", "no defaultAction", ""),
        ("{\"defaultAction\": \"SCMP_ACT_FOO\"}", "unknown action {}", "SCMP_ACT_FOO"),
        ("{\"defaultAction\": 1}", "expected a string", ""),
        ("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "{} is not supported", "SCMP_ACT_NOTIFY"),
        (
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_NOTIFY"}]}"#,
            "{} is not supported",
            "SCMP_ACT_NOTIFY",
        ),
        (r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 4096}"#, "errnoRet above 4095", ""),
        (
            r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1}"#,
            "expected a whole number from 0 to 18446744073709551615",
            "",
        ),
        (r#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["x86_64"]}"#, "unknown architecture {}", "x86_64"),
        (
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_NEW_LISTENER"]}"#,
            "unknown flag {}",
            "SECCOMP_FILTER_FLAG_NEW_LISTENER",
        ),
        (r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"]}]}"#, "a rule without action", ""),
        (
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "op": "SCMP_CMP_EQ"}]}]}"#,
            "argument index above 5",
            "",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "op": "SCMP_CMP_IN"}]}]}"#,
            "unknown operator {}",
            "SCMP_CMP_IN",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0}]}]}"#,
            "argument rule without op",
            "",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "x"}}]}"#,
            "bad minKernel {}",
            "x",
        ),
        (
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": [1], "action": "SCMP_ACT_ERRNO"}]}"#,
            "expected a string",
            "",
        ),
        (r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {}}"#, "expected an array", ""),
    ];
    for &(json, what, value) in cases {
        assert_eq!(error(json), (what.to_string(), value.to_string()), "{json}");
    }
    // The byte named is where the fault is.
    let json =
        r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_BOGUS"}]}"#;
    let e = build(json, X86_64, &ALL_CAPS).unwrap_err();
    assert_eq!(&json.as_bytes()[e.at..e.at + 15], b"\"SCMP_ACT_BOGUS");
}

#[test]
fn unknown_keys_are_skipped_and_the_last_duplicate_wins() {
    let json = r#"{"comment": {"x": [1, 2, {"y": null}]}, "defaultAction": "SCMP_ACT_ERRNO", "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO"}],
        "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "comment": "x", "errno": "EPERM", "future": [true]}]}"#;
    let p = program(json, X86_64);
    assert_eq!(call(&p, Abi::X86_64, "getpid", [0; 6]), RET_ALLOW);
    assert_eq!(call(&p, Abi::X86_64, "getppid", [0; 6]), EPERM);
    // Of two rules without arguments for one call, the last wins (podman's
    // profile allows setns, then refuses it without CAP_SYS_ADMIN).
    let json = r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid", "setns"], "action": "SCMP_ACT_ERRNO"},
        {"names": ["setns"], "action": "SCMP_ACT_KILL"}]}"#;
    let p = program(json, X86_64);
    assert_eq!(call(&p, Abi::X86_64, "getpid", [0; 6]), EPERM);
    assert_eq!(call(&p, Abi::X86_64, "setns", [0; 6]), RET_KILL_THREAD);
}

#[test]
fn flags_are_returned_for_the_installer() {
    let json = r#"{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"]}"#;
    let (_, p) = build(json, X86_64, &ALL_CAPS).unwrap();
    assert_eq!(p.flags, FLAG_LOG | FLAG_SPEC_ALLOW | FLAG_TSYNC);
}

/// podman's includes and excludes: caps against the bounding set, arches
/// against the native architecture, minKernel against the kernel.
#[test]
fn includes_and_excludes_as_podman() {
    let json = r#"{"defaultAction": "SCMP_ACT_ERRNO", "archMap": [{"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]},
        {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]}], "syscalls": [
        {"names": ["chroot"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_CHROOT"]}},
        {"names": ["chroot"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "excludes": {"caps": ["CAP_SYS_CHROOT"]}},
        {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN", "CAP_SYS_CHROOT"]}},
        {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
        {"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm64"]}},
        {"names": ["getppid"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["arm64"]}},
        {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
        {"names": ["read"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "6.2"}}
    ]}"#;
    let chroot = 1u64 << 18;
    let admin = 1u64 << 21;
    let run_with = |caps: u64, kernel: (u32, u32), abi: Abi, name: &str| {
        let (p, _) = build(json, X86_64, &Host { caps, kernel }).unwrap();
        call(&p, abi, name, [0; 6])
    };
    // archMap gave x86_64 its sub-architectures.
    for abi in [Abi::X86_64, Abi::X86, Abi::X32] {
        assert_eq!(run_with(chroot, (6, 1), abi, "chroot"), RET_ALLOW);
        assert_eq!(run_with(0, (6, 1), abi, "chroot"), RET_ERRNO | 13);
        assert_eq!(run_with(chroot | admin, (6, 1), abi, "mount"), RET_ALLOW);
        assert_eq!(run_with(admin, (6, 1), abi, "mount"), EPERM);
        assert_eq!(run_with(0, (6, 1), abi, "arch_prctl"), RET_ALLOW);
        assert_eq!(run_with(0, (6, 1), abi, "getpid"), EPERM);
        assert_eq!(run_with(0, (6, 1), abi, "getppid"), RET_ALLOW);
        assert_eq!(run_with(0, (4, 8), abi, "ptrace"), RET_ALLOW);
        assert_eq!(run_with(0, (4, 7), abi, "ptrace"), EPERM);
        assert_eq!(run_with(0, (6, 1), abi, "read"), RET_ALLOW);
        assert_eq!(run_with(0, (6, 2), abi, "read"), EPERM);
    }
    assert_eq!(super::compile::kernel_version(b"6.1.0-18-amd64"), (6, 1));
    assert_eq!(super::compile::kernel_version(b"4.19"), (4, 19));
}

const PODMAN_PROFILE: &str = "/usr/share/containers/seccomp.json";

/// podman's default profile (Debian's golang-github-containers-common),
/// where this machine has it.
#[test]
fn podmans_default_profile() {
    let Ok(json) = std::fs::read_to_string(PODMAN_PROFILE) else {
        eprintln!("no {PODMAN_PROFILE}: skipped");
        return;
    };
    let (p, _) = build(&json, X86_64, &NO_CAPS).unwrap();
    let enosys = RET_ERRNO | 38;
    for abi in [Abi::X86_64, Abi::X86, Abi::X32] {
        assert_eq!(call(&p, abi, "getpid", [0; 6]), RET_ALLOW, "{abi:?}");
        assert_eq!(call(&p, abi, "chroot", [0; 6]), EPERM, "{abi:?}");
        assert_eq!(call(&p, abi, "kexec_load", [0; 6]), EPERM, "{abi:?}");
        assert_eq!(call(&p, abi, "personality", [8, 0, 0, 0, 0, 0]), RET_ALLOW, "{abi:?}");
        assert_eq!(call(&p, abi, "personality", [0x40_0000, 0, 0, 0, 0, 0]), enosys, "{abi:?}");
        // AF_NETLINK with NETLINK_AUDIT, without CAP_AUDIT_WRITE: EINVAL.
        assert_eq!(call(&p, abi, "socket", [16, 3, 9, 0, 0, 0]), RET_ERRNO | 22, "{abi:?}");
        assert_eq!(call(&p, abi, "socket", [16, 3, 0, 0, 0, 0]), RET_ALLOW, "{abi:?}");
    }
    assert_eq!(run(&p, 1000, AUDIT_ARCH_X86_64, [0; 6]), enosys);
    let (p, _) = build(&json, X86_64, &ALL_CAPS).unwrap();
    assert_eq!(call(&p, Abi::X86_64, "chroot", [0; 6]), RET_ALLOW);
    assert_eq!(call(&p, Abi::X86_64, "socket", [16, 3, 9, 0, 0, 0]), RET_ALLOW);
    assert_eq!(call(&p, Abi::X86_64, "setns", [0; 6]), RET_ALLOW);
    let (p, _) = build(&json, X86_64, &NO_CAPS).unwrap();
    assert_eq!(call(&p, Abi::X86_64, "setns", [0; 6]), EPERM);
    eprintln!("podman's profile: {} instructions", p.len());
}

/// Run with `cargo test --release --lib -- --ignored --nocapture
/// compile_time`: the time to compile podman's default profile.
#[test]
#[ignore]
fn compile_time_of_podmans_profile() {
    let json = std::fs::read(PODMAN_PROFILE).expect("apt-get install golang-github-containers-common");
    let mut out = [SockFilter::default(); BPF_MAXINSNS];
    let rounds = 2000;
    let mut len = 0;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        len = compile(std::hint::black_box(&json), X86_64, &NO_CAPS, &mut out).unwrap().len;
    }
    let ns = start.elapsed().as_nanos() / rounds;
    println!("podman's profile ({} bytes): {len} instructions, {ns} ns per compile", json.len());
}

#[test]
fn programs_round_trip_through_a_records_bytes() {
    let mut bytes = [0u8; 8 * BPF_MAXINSNS];
    let stored = program_bytes(BUILTIN, &mut bytes);
    assert_eq!(stored.len(), BUILTIN.len() * 8);
    let mut back = [SockFilter::default(); BPF_MAXINSNS];
    assert_eq!(program_from_bytes(stored, &mut back), Some(BUILTIN));
    assert_eq!(program_from_bytes(&stored[..7], &mut back), None);
    assert_eq!(program_from_bytes(&[], &mut back), Some(&[][..]));
}
