//! The OCI runtime's parts (SPEC §7): config.json (`config`), and what
//! `applet/oci.rs` builds from it.

pub mod config;
