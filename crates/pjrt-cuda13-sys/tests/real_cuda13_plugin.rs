//! The release set's CUDA 13 plugin, as this crate resolved it. On a machine without an NVIDIA GPU
//! it loads (it opens its CUDA libraries only when a client is created) and client creation fails
//! with the plugin's own words; with a GPU, the client lists it.

use pjrt_sys::{ApiVersion, LoadError};
use xla_test_support::pjrt::Client;

#[test]
fn loads_and_reports_the_release_sets_api_version() {
    let path = pjrt_cuda13_sys::build_time_path().expect("the build resolved the plugin");
    assert!(path.ends_with("jax_plugins/xla_cuda13/xla_cuda_plugin.so"), "{}", path.display());
    let plugin = pjrt_cuda13_sys::load().unwrap();
    assert_eq!(plugin.path(), path);
    assert_eq!(plugin.version(), ApiVersion { major: 0, minor: 115 });
}

#[test]
fn client_creation_names_the_missing_gpu_or_lists_the_gpu() {
    let plugin = pjrt_cuda13_sys::load().unwrap();
    match Client::new(plugin) {
        Err(error) => {
            assert!(error.message.contains("No visible GPU devices"), "{error}");
            xla_test_support::fixtures::skip(
                "client_creation_names_the_missing_gpu_or_lists_the_gpu",
                "no NVIDIA GPU here: only the failure path was checked",
            );
        }
        Ok(client) => {
            let devices = client.addressable_devices().unwrap();
            assert!(!devices.is_empty());
            assert_eq!(client.platform_name().unwrap(), "cuda");
        }
    }
}

#[test]
fn a_missing_plugin_file_is_a_load_error_naming_the_path() {
    match pjrt_cuda13_sys::load_from("/nonexistent/xla_cuda_plugin.so") {
        Err(LoadError::NotFound { path, .. }) => {
            assert_eq!(path, std::path::Path::new("/nonexistent/xla_cuda_plugin.so"))
        }
        other => panic!("{other:?}"),
    }
}
