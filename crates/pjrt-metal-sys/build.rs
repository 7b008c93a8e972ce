//! Resolves the PJRT Metal plugin (Apple GPUs) (see xla-artifacts for the order and the variables).

fn main() {
    xla_artifacts::build::run(|build| build.expose("pjrt-metal"));
}
