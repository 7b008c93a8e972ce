//! Real artifacts for tests: resolved through the engine from the embedded manifest, with the
//! process's settings (so the user cache is shared across test runs), for the machine running the
//! tests.

use std::path::PathBuf;
use std::sync::OnceLock;

use xla_artifacts::{Env, Manifest, Resolver};

/// The target triple the tests were built for.
pub const TARGET: &str = env!("XLA_TEST_SUPPORT_TARGET");

/// The path of artifact `name` (e.g. `pjrt-cpu-api-0-81`), fetched on first use. Panics with the
/// engine's message when it cannot be had: a missing fixture is a failed test, not a skipped one.
pub fn artifact(name: &str) -> PathBuf {
    try_artifact(name).unwrap_or_else(|error| panic!("fixture {name} is unavailable: {error}"))
}

/// The path of artifact `name`, or why it cannot be had.
pub fn try_artifact(name: &str) -> Result<PathBuf, xla_artifacts::Error> {
    try_artifact_for(name, TARGET)
}

/// The path of artifact `name` as built for `target` (e.g. another machine's plugin, to prove it
/// is refused here).
pub fn try_artifact_for(name: &str, target: &str) -> Result<PathBuf, xla_artifacts::Error> {
    let manifest = Manifest::embedded()?;
    Ok(Resolver::new(manifest, Env::process()).resolve(name, target)?.path)
}

/// The release set's CPU plugin, loaded once.
pub fn cpu_plugin() -> &'static pjrt_sys::Plugin {
    static PLUGIN: OnceLock<&'static pjrt_sys::Plugin> = OnceLock::new();
    PLUGIN.get_or_init(|| pjrt_cpu_sys::load().unwrap_or_else(|e| panic!("the CPU plugin does not load: {e}")))
}

/// The file `cargo xtask test` collects skips in, to list them after the run.
pub const SKIP_LOG: &str = "XLA_TEST_SKIP_LOG";

/// Says, loudly, that a test did not run (or not all of it) and why. A skipped test is never a
/// pass: besides stderr (hidden for passing tests), the skip is appended to `$XLA_TEST_SKIP_LOG`,
/// which `cargo xtask test` prints at the end of the run.
pub fn skip(test: &str, reason: &str) {
    eprintln!("\n*** SKIPPED (not a pass): {test}: {reason} ***\n");
    if let Some(log) = std::env::var_os(SKIP_LOG) {
        use std::io::Write;
        if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(log) {
            let _ = writeln!(file, "{test}: {reason}");
        }
    }
}

/// The tests every CUDA plugin crate runs against its real plugin: it loads with the release set's
/// API version from where the build resolved it; client creation names the missing GPU (or, with
/// a GPU, lists it); a missing file is a load error naming the path.
#[macro_export]
macro_rules! cuda_plugin_tests {
    ($krate:ident, $plugin_dir:literal) => {
        #[test]
        fn loads_and_reports_the_release_sets_api_version() {
            let path = $krate::build_time_path().expect("the build resolved the plugin");
            assert!(path.ends_with(concat!("jax_plugins/", $plugin_dir, "/xla_cuda_plugin.so")), "{}", path.display());
            let plugin = $krate::load().unwrap();
            assert_eq!(plugin.path(), path);
            assert_eq!(plugin.version(), pjrt_sys::ApiVersion { major: 0, minor: 115 });
        }

        #[test]
        fn client_creation_names_the_missing_gpu_or_lists_the_gpu() {
            let plugin = $krate::load().unwrap();
            match $crate::pjrt::Client::new(plugin) {
                Err(error) => {
                    assert!(error.message.contains("No visible GPU devices"), "{error}");
                    $crate::fixtures::skip(
                        concat!(stringify!($krate), ": client_creation_names_the_missing_gpu_or_lists_the_gpu"),
                        "no NVIDIA GPU here: only the failure path was checked",
                    );
                }
                Ok(client) => {
                    assert!(!client.addressable_devices().unwrap().is_empty());
                    assert_eq!(client.platform_name().unwrap(), "cuda");
                }
            }
        }

        #[test]
        fn a_missing_plugin_file_is_a_load_error_naming_the_path() {
            match $krate::load_from("/nonexistent/xla_cuda_plugin.so") {
                Err(pjrt_sys::LoadError::NotFound { path, .. }) => {
                    assert_eq!(path, std::path::Path::new("/nonexistent/xla_cuda_plugin.so"))
                }
                other => panic!("{other:?}"),
            }
        }
    };
}
