//! The PJRT C API version a plugin reports, read by loading it with pjrt-sys's `Plugin::load` in a
//! child process (`cargo xtask bump-xla --probe PATH`): a plugin's initializers and global state
//! must not reach the process that writes the manifest, and one that crashes or hangs must not end
//! the bump.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use xla_artifacts::library;
use xla_artifacts::manifest::ApiVersion;

/// How long loading a plugin may take (libtpu and the CUDA plugins are large).
const TIMEOUT: Duration = Duration::from_secs(120);

/// What the child prints before the version.
const PREFIX: &str = "PJRT C API ";

/// The version the plugin at `path` reports, or why it could not be loaded here. A file that is
/// not a shared library for `host` is not loaded at all.
pub fn api_version(path: &Path, host: &str) -> Result<ApiVersion, String> {
    library::check_for_target(path, host).map_err(|e| format!("cannot be loaded on {host}: {e}"))?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = Command::new(exe);
    command.args(["bump-xla", "--probe"]).arg(path);
    if std::env::var_os("TPU_SKIP_MDS_QUERY").is_none() {
        // Off a TPU VM, libtpu's initialization asks the cloud metadata server for ten minutes;
        // its version needs no answer.
        command.env("TPU_SKIP_MDS_QUERY", "1");
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting the probe: {e}"))?;
    let started = Instant::now();
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("loading it took more than {}s", TIMEOUT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    parse(&String::from_utf8_lossy(&output.stdout)).ok_or_else(|| {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message");
        format!("the probe failed ({}): {last}", output.status)
    })
}

/// The child's side: load the plugin and print its version.
pub fn child(path: &Path) -> anyhow::Result<()> {
    println!("{}", report(path)?);
    Ok(())
}

fn report(path: &Path) -> anyhow::Result<String> {
    let plugin = pjrt_sys::Plugin::load(path)?;
    Ok(format!("{PREFIX}{}", plugin.version()))
}

fn parse(stdout: &str) -> Option<ApiVersion> {
    stdout.lines().find_map(|l| l.trim().strip_prefix(PREFIX)?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_child_prints() {
        assert_eq!(parse("noise\nPJRT C API 0.117\n"), Some(ApiVersion { major: 0, minor: 117 }));
        assert_eq!(parse("LOAD FAILED"), None);
    }

    #[test]
    fn refuses_what_is_no_library_for_the_host_without_loading_it() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("plugin.so");
        std::fs::write(&fake, b"not a library").unwrap();
        let error = api_version(&fake, crate::workspace::host_target()).unwrap_err();
        assert!(error.starts_with("cannot be loaded on"), "{error}");
    }

    #[test]
    fn real_cpu_plugin_of_the_release_set_reports_its_pinned_version() {
        // The child's side, in this process: the release set's CPU plugin (fetched or cached).
        let manifest = crate::workspace::manifest().unwrap();
        let resolved = crate::workspace::resolve(&manifest, "pjrt-cpu").unwrap();
        let line = report(&resolved.path).unwrap();
        assert_eq!(parse(&line), manifest.artifact("pjrt-cpu").unwrap().pjrt_api);
    }
}
