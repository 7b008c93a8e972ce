//! Build script of xtask: records the host triple.

fn main() {
    // The host triple, for resolving generator inputs (cargo gives it to build scripts only).
    println!("cargo::rustc-env=XTASK_HOST_TARGET={}", std::env::var("TARGET").unwrap());
    println!("cargo::rerun-if-changed=build.rs");
}
