//! How the Lambda function binaries are linked, called from each function crate's `build.rs`
//! (and the cold-start baseline's, so the comparison is like for like).
//!
//! Release builds for Linux only (debug builds, tests and other targets are linked as usual):
//! - `-no-pie`: a position-dependent executable. The code is still compiled position
//!   independent, so nothing else changes; but the linker resolves every absolute address,
//!   so the binary carries no relative relocations (about 28,000 on arm64, 0.7 MB) and the
//!   loader writes none at start: fewer dirty pages, a shorter cold start. The trade: the
//!   executable's own code and data load at a fixed address (shared libraries, heap, stack and
//!   mappings stay randomised), as Go's default Lambda binaries do. Almost all of the code is
//!   safe Rust; the C in it is aws-lc.
//! - the unwind tables (`.eh_frame`, `.eh_frame_hdr`, about 1 MB) are discarded by a linker
//!   script fragment (`no-unwind.ld`): the release profile has `panic = "abort"`, so nothing
//!   unwinds; a panic still prints its message, without a backtrace.
//!
//! These go through the build script rather than `RUSTFLAGS` because `cargo lambda build`
//! (and so `sam build`) sets `RUSTFLAGS` itself, which replaces any `.cargo/config.toml` flags,
//! and a build script's link arguments reach only its own package's binaries.

use std::path::PathBuf;

/// The linker script fragment, written to `OUT_DIR` for the linker.
const NO_UNWIND: &str = include_str!("no-unwind.ld");

/// Emits the link arguments for every binary of the calling package.
pub fn lambda_binaries() {
    emit(None);
}

/// Emits the link arguments for one binary of the calling package.
pub fn lambda_binary(name: &str) {
    emit(Some(name));
}

fn emit(bin: Option<&str>) {
    println!("cargo:rerun-if-changed=build.rs");
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if !(release && linux) {
        return;
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set for build scripts"));
    let script = out.join("no-unwind.ld");
    std::fs::write(&script, NO_UNWIND).expect("write the linker script to OUT_DIR");
    let args = [
        "-no-pie".to_string(),
        format!("-Wl,-T,{}", script.display()),
    ];
    for arg in args {
        match bin {
            Some(name) => println!("cargo:rustc-link-arg-bin={name}={arg}"),
            None => println!("cargo:rustc-link-arg-bins={arg}"),
        }
    }
}
