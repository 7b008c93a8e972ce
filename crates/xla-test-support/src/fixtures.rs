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
