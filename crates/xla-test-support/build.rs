//! Records the target triple: fixtures are resolved for the machine the tests run on.

fn main() {
    println!("cargo::rustc-env=XLA_TEST_SUPPORT_TARGET={}", std::env::var("TARGET").unwrap());
    println!("cargo::rerun-if-changed=build.rs");
}
