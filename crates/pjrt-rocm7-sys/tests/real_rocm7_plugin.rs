//! The release set's ROCm 7 plugin, as this crate resolved it, on a machine without ROCm: loading
//! fails naming the first ROCm library the loader could not find.

use pjrt_sys::LoadError;

#[test]
fn loading_names_the_missing_rocm_library() {
    let path = pjrt_rocm7_sys::build_time_path().expect("the build resolved the plugin");
    match pjrt_rocm7_sys::load() {
        Err(LoadError::MissingDependency { path: loaded, library, .. }) => {
            assert_eq!(loaded, path);
            assert_eq!(library, "librocprofiler-sdk.so.1");
        }
        Ok(plugin) => {
            // A machine with ROCm installed: it loads.
            assert_eq!(plugin.version().major, 0);
            xla_test_support::fixtures::skip("loading_names_the_missing_rocm_library", "ROCm is installed here");
        }
        Err(other) => panic!("expected the missing ROCm library to be named, got {other}"),
    }
}
