//! Resolves the PJRT TPU plugin (libtpu) (see xla-artifacts for the order and the variables).

fn main() {
    xla_artifacts::build::run(|build| build.expose("pjrt-tpu"));
}
