//! Which version each artifact of the manifest takes in a new release set. The policy is code, the
//! versions are not: each is read from the jax release (or given on the command line), never
//! written here.

use xla_artifacts::manifest::Role;
use xla_artifacts::{Artifact, SourceLocation};

/// How an artifact's new version is decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// The jax version itself: the PJRT plugins jax publishes with each release (and the
    /// third-party CPU plugin built from the same XLA, which may lag behind).
    SameAsJax,
    /// The libtpu version jax's `tpu` extra pins.
    JaxTpuExtra,
    /// The newest tf-nightly whose headers declare the release set's PJRT C API version.
    PjrtHeaders,
    /// Left as it is, for this reason.
    Kept(&'static str),
}

/// The rule for `artifact`.
pub fn rule(artifact: &Artifact) -> Rule {
    let pypi = artifact.sources.iter().any(|s| matches!(s.location, SourceLocation::PypiWheel { .. }));
    match artifact.name.as_str() {
        "pjrt-cpu" | "pjrt-cuda12" | "pjrt-cuda13" | "pjrt-rocm7" => Rule::SameAsJax,
        "pjrt-tpu" => Rule::JaxTpuExtra,
        "pjrt-headers" => Rule::PjrtHeaders,
        "mlir-capi" => Rule::Kept(
            "jaxlib 0.5.3 on purpose: the last jaxlib whose library exports the MLIR, StableHLO, CHLO \
             and Shardy C APIs (later ones hide every C symbol)",
        ),
        "pjrt-metal" => Rule::Kept("jax-metal 0.1.1 is its only release"),
        "pjrt-cpu-api-0-81" => Rule::Kept("a test fixture: an old plugin (PJRT C API 0.81), old on purpose"),
        _ if artifact.role == Role::Runtime => Rule::Kept(
            "a CUDA runtime wheel: bump-xla does not move these (check the new jax-cudaNN-plugin[with-cuda] \
             requirements by hand)",
        ),
        _ if !pypi => Rule::Kept("no PyPI source (a URL, a Bazel build or a local path): update it by hand"),
        _ => Rule::Kept("no bump rule for this artifact: name its version with --set NAME=VERSION"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_artifact_of_the_real_manifest_has_a_deliberate_rule() {
        let manifest = crate::workspace::manifest().unwrap();
        let moving: Vec<&str> =
            manifest.artifacts.iter().filter(|a| !matches!(rule(a), Rule::Kept(_))).map(|a| a.name.as_str()).collect();
        assert_eq!(moving, ["pjrt-cpu", "pjrt-cuda12", "pjrt-cuda13", "pjrt-rocm7", "pjrt-tpu", "pjrt-headers"]);
        for artifact in &manifest.artifacts {
            if let Rule::Kept(reason) = rule(artifact) {
                assert!(!reason.starts_with("no bump rule"), "{} has no deliberate rule", artifact.name);
            }
        }
    }
}
