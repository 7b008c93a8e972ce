//! Resolves the PJRT CUDA 13 plugin (see xla-artifacts for the order and the variables), with the
//! CUDA 13 runtime libraries laid out beside it under the `cuda-runtime` feature.

fn main() {
    xla_artifacts::build::run(|build| {
        if std::env::var_os("CARGO_FEATURE_CUDA_RUNTIME").is_some() {
            build.expose_with_runtime("pjrt-cuda13")
        } else {
            build.expose("pjrt-cuda13")
        }
    });
}
