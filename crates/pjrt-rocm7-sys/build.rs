//! Resolves the PJRT ROCm 7 plugin (see xla-artifacts for the order and the variables).

fn main() {
    xla_artifacts::build::run(|build| build.expose("pjrt-rocm7"));
}
