//! `portable_artifact_target`, against the real library and the real CPU plugin: the older of the
//! plugin's and the library's versions, and a 12-week-old version when the plugin does not say.

mod support;

use support::*;
use xla_core_sys::stablehlo::portable_artifact_target;
use xla_test_support::fixtures::cpu_plugin;
use xla_test_support::pjrt::{self, Client, SINGLE_DEVICE_COMPILE_OPTIONS};

fn parts(version: &str) -> Vec<i64> {
    version.split('.').map(|p| p.parse().unwrap()).collect()
}

#[test]
fn the_older_of_the_plugins_and_the_librarys_version_or_a_twelve_week_old_one() {
    let current = version(stablehloGetCurrentVersion);
    assert_eq!(portable_artifact_target(Some([1, 99, 0])), current, "a newer plugin reads the library's current");
    assert_eq!(portable_artifact_target(Some([1, 5, 0])), "1.5.0", "an older plugin gets its own");
    let fallback = portable_artifact_target(None);
    assert!(parts(&fallback) < parts(&current), "without the plugin's word, an older version: {fallback} vs {current}");
    assert!(parts(&fallback) >= parts(&version(stablehloGetMinimumVersion)));
    assert_eq!(portable_artifact_target(Some([-1, 0, 0])), fallback, "a malformed version is no version");
}

#[test]
fn the_cpu_plugins_version_picks_a_target_it_compiles() {
    let plugin = cpu_plugin();
    let reported = pjrt::stablehlo_current_version(plugin).expect("the CPU plugin reports stablehlo_current_version");
    let target = portable_artifact_target(Some(reported));
    let library = version(stablehloGetCurrentVersion);
    assert!(
        parts(&target) <= parts(&library) && parts(&target) <= reported.to_vec(),
        "{target} vs {library} and {reported:?}"
    );
    let ctx = Context::new();
    let module = build_program(ctx.0);
    let artifact = serialize(module.0, &target).expect("serializes for the chosen target");
    let client = Client::new(plugin).unwrap();
    client
        .compile(&artifact, "mlir", SINGLE_DEVICE_COMPILE_OPTIONS)
        .expect("the plugin compiles what was chosen for it");
}
