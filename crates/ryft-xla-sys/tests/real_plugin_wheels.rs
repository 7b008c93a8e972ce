//! Every plugin wheel of the release set that can be reached from here resolves through the engine
//! for each target the manifest lists it for: the wheel's checksum is verified (by the engine), the
//! member exists, it is a shared library of that target's format, and it exports `GetPjrtApi`.
//! (The Neuron plugin is on AWS's index, unreachable here: see pjrt-neuron-sys's tests.)

use xla_artifacts::{Manifest, library};
use xla_test_support::fixtures;

#[test]
fn every_reachable_plugin_wheel_resolves_to_a_plugin_for_its_target() {
    let manifest = Manifest::embedded().unwrap();
    let mut checked = Vec::new();
    for artifact in ["pjrt-cpu", "pjrt-cuda12", "pjrt-cuda13", "pjrt-rocm7", "pjrt-tpu", "pjrt-metal"] {
        let entry = manifest.artifact(artifact).unwrap();
        // Targets with a wheel (the others are served by a Bazel build only).
        let targets = entry.targets.iter().filter(|t| entry.sources_for(t).any(|s| s.location.needs_network()));
        for target in targets {
            let path =
                fixtures::try_artifact_for(artifact, target).unwrap_or_else(|e| panic!("{artifact} for {target}: {e}"));
            let member = entry.sources_for(target).find_map(|s| s.member.clone()).unwrap();
            assert!(path.ends_with(member.as_str()), "{artifact}: {} is not {}", path.display(), member.as_str());
            let kind =
                library::check_for_target(&path, target).unwrap_or_else(|e| panic!("{artifact} for {target}: {e}"));
            assert!(kind.shared);
            let exports = library::exported_symbols(&path).unwrap();
            assert!(exports.contains("GetPjrtApi"), "{artifact} for {target} does not export GetPjrtApi");
            checked.push(format!("{artifact} ({target}): {kind}"));
        }
    }
    eprintln!("checked:\n  {}", checked.join("\n  "));
    // x86-64 Linux for all five, aarch64 Linux for both CUDA plugins, macOS arm64 for Metal.
    assert_eq!(checked.len(), 8, "{checked:#?}");
}
