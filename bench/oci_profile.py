#!/usr/bin/env python3
"""oci_profile.py PROFILE CONFIG ROOT OUT [--no-seccomp]: for make bench.

Writes OUT: CONFIG (a `crun spec` config.json) running /bin/true in ROOT,
with podman's seccomp PROFILE (containers-common's JSON) turned into the
runtime spec's linux.seccomp as podman does for a default root container
on x86_64: rules whose includes name capabilities or a kernel, or other
architectures, are left out; includes/excludes fields dropped. With
--no-seccomp, the same config without linux.seccomp."""
import json
import sys

profile_path, config_path, root, out = sys.argv[1:5]
config = json.load(open(config_path))
config["root"] = {"path": root, "readonly": False}
config["process"]["args"] = ["/bin/true"]
config["process"]["terminal"] = False
config["linux"].pop("seccomp", None)
if "--no-seccomp" not in sys.argv:
    profile = json.load(open(profile_path))
    rules = []
    for rule in profile["syscalls"]:
        inc = rule.get("includes") or {}
        if inc.get("caps") or inc.get("minKernel"):
            continue
        if inc.get("arches") and "amd64" not in inc["arches"]:
            continue
        rules.append({k: v for k, v in rule.items() if k not in ("includes", "excludes", "comment")})
    seccomp = {
        "defaultAction": profile["defaultAction"],
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": rules,
    }
    if "defaultErrnoRet" in profile:
        seccomp["defaultErrnoRet"] = profile["defaultErrnoRet"]
    config["linux"]["seccomp"] = seccomp
json.dump(config, open(out, "w"))
