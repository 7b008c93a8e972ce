//! The CPU plugin swapped for an older one (OpenXLA's xla-cpu-pjrt 0.0.1, PJRT C API 0.81) through
//! the crate's own variable: it loads, and the crate says, naming the path and both versions.
//! Its own process: the release set's CPU plugin is not loaded beside it.

#[test]
fn an_older_plugin_named_by_the_variable_loads_with_a_version_warning() {
    let older = xla_test_support::fixtures::artifact("pjrt-cpu-api-0-81");
    // SAFETY: the only test of this binary; nothing else reads the environment yet.
    unsafe { std::env::set_var(pjrt_cpu_sys::ENV_VAR, &older) };
    let plugin = pjrt_cpu_sys::load().expect("an older minor loads");
    assert_eq!(plugin.path(), older);
    let warning = pjrt_cpu_sys::LOCATION.version_skew(plugin).expect("the skew is reported");
    assert!(warning.contains(&older.display().to_string()), "{warning}");
    assert!(warning.contains("implements PJRT C API 0.81") && warning.contains("is 0.115"), "{warning}");
    assert!(warning.contains("read as absent"), "{warning}");
}
