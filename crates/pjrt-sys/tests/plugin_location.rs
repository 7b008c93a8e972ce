//! The run-time order of plugin crates: explicit path → variable → build-time path → next to the
//! executable. One test in this binary, because it sets a process environment variable.

use std::path::PathBuf;

use pjrt_sys::{LoadError, PluginLocation};

const VAR: &str = "PJRT_SYS_TEST_PLUGIN_LOCATION_LIB";

#[test]
fn the_first_available_place_wins_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let built = dir.path().join("built.so");
    std::fs::write(&built, b"").unwrap();
    let exe_dir = std::env::current_exe().unwrap().parent().unwrap().to_owned();
    let bundled = exe_dir.join("pjrt-sys-test-bundle/plugin-location-test.so");
    let location = |build_time_path: Option<&'static str>| PluginLocation {
        artifact: "pjrt-test",
        env_var: VAR,
        file_name: "plugin-location-test.so",
        bundle_path: "pjrt-sys-test-bundle/plugin-location-test.so",
        build_time_path,
        build_time_error: Some("the build had no network"),
        expected_api: Some("0.115"),
    };
    let built_str: &'static str = Box::leak(built.display().to_string().into_boxed_str());

    // Nothing anywhere: the error lists every place and the build's reason.
    let error = location(Some("/nonexistent/built.so")).locate(None).unwrap_err();
    let LoadError::NotLocated { tried, build_error, .. } = &error else { panic!("{error:?}") };
    assert_eq!(tried.len(), 4, "{tried:?}");
    assert_eq!(build_error.as_deref(), Some("the build had no network"));
    let text = error.to_string();
    assert!(
        text.contains(VAR) && text.contains("/nonexistent/built.so") && text.contains("next to the executable"),
        "{text}"
    );

    // Next to the executable, in the bundle layout.
    std::fs::create_dir_all(bundled.parent().unwrap()).unwrap();
    std::fs::write(&bundled, b"").unwrap();
    assert_eq!(location(None).locate(None).unwrap(), bundled);
    // The build-time path wins over the executable's directory.
    assert_eq!(location(Some(built_str)).locate(None).unwrap(), built);
    // The variable wins over the build-time path.
    // SAFETY: this test binary has this one test, so no other thread reads the environment.
    unsafe { std::env::set_var(VAR, "/from/the/variable.so") };
    assert_eq!(location(Some(built_str)).locate(None).unwrap(), PathBuf::from("/from/the/variable.so"));
    // An explicit path wins over everything.
    assert_eq!(location(Some(built_str)).locate(Some("/explicit.so".as_ref())).unwrap(), PathBuf::from("/explicit.so"));
    std::fs::remove_dir_all(bundled.parent().unwrap()).unwrap();
}
