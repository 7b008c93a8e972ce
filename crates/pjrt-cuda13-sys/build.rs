//! Resolves the PJRT CUDA 13 plugin (see xla-artifacts for the order and the variables).

fn main() {
    xla_artifacts::build::run(|build| build.expose("pjrt-cuda13"));
}
