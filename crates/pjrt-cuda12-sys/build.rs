//! Resolves the PJRT CUDA 12 plugin (see xla-artifacts for the order and the variables).

fn main() {
    xla_artifacts::build::run(|build| build.expose("pjrt-cuda12"));
}
