//! Finding a plugin crate's library at run time, so that a binary copied to another machine still
//! finds its plugin: an explicit path, then the artifact's variable, then the path resolved at
//! build time, then next to the executable.

use std::path::{Path, PathBuf};

use crate::error::LoadError;
use crate::plugin::Plugin;

/// Where a plugin crate's library may be. Plugin crates fill this from what their build resolved.
#[derive(Debug, Clone, Copy)]
pub struct PluginLocation {
    /// The artifact's name in `artifacts.toml`, e.g. `pjrt-cpu`.
    pub artifact: &'static str,
    /// The variable naming the library at run time, e.g. `PJRT_PLUGIN_CPU_LIB`.
    pub env_var: &'static str,
    /// The library's file name, e.g. `pjrt_c_api_cpu_plugin.so`.
    pub file_name: &'static str,
    /// Where a bundle puts it, relative to the executable's directory (keeps the layout its
    /// run-time search paths expect).
    pub bundle_path: &'static str,
    /// Where the build resolved it, if it did.
    pub build_time_path: Option<&'static str>,
    /// Why the build did not resolve it, if it did not.
    pub build_time_error: Option<&'static str>,
    /// The PJRT C API version the release set's plugin reports (`"0.115"`), when pinned.
    pub expected_api: Option<&'static str>,
}

impl PluginLocation {
    /// The library to load: `explicit` if given, else the first of the variable, the build-time
    /// path and the executable's directory that exists.
    pub fn locate(&self, explicit: Option<&Path>) -> Result<PathBuf, LoadError> {
        if let Some(path) = explicit {
            return Ok(path.to_owned());
        }
        let mut tried = Vec::new();
        match std::env::var_os(self.env_var).filter(|v| !v.is_empty()) {
            // A variable set by the user is obeyed, even when it is wrong: loading reports why.
            Some(value) => return Ok(PathBuf::from(value)),
            None => tried.push(format!("{} (not set)", self.env_var)),
        }
        if let Some(path) = self.build_time_path {
            if Path::new(path).is_file() {
                return Ok(path.into());
            }
            tried.push(format!("{path} (resolved at build time; no longer there)"));
        }
        if let Some(dir) = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_owned)) {
            for candidate in [dir.join(self.bundle_path), dir.join(self.file_name)] {
                if candidate.is_file() {
                    return Ok(candidate);
                }
                tried.push(format!("{} (next to the executable; absent)", candidate.display()));
            }
        }
        tried.dedup();
        Err(LoadError::NotLocated {
            artifact: self.artifact.into(),
            env_var: self.env_var.into(),
            tried,
            build_error: self.build_time_error.map(str::to_owned),
        })
    }

    /// Locates and loads the plugin (once per process; later calls return the same plugin). A
    /// plugin of another API version than the release set pins loads (older minors are read only as
    /// far as they reach), with a warning on stderr naming both versions and the path.
    pub fn load(&self, explicit: Option<&Path>) -> Result<&'static Plugin, LoadError> {
        let plugin = Plugin::load(self.locate(explicit)?)?;
        if let Some(warning) = self.version_skew(plugin) {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| eprintln!("warning: {warning}"));
        }
        Ok(plugin)
    }

    /// Says how `plugin`'s PJRT C API version differs from the one the release set pins, if it
    /// does: the path loaded and both versions.
    pub fn version_skew(&self, plugin: &Plugin) -> Option<String> {
        let expected = self.expected_api?;
        let found = plugin.version().to_string();
        (found != expected).then(|| {
            let consequence = if plugin.version() < crate::ApiVersion::BINDINGS {
                "functions it lacks read as absent"
            } else {
                "its newer functions are not bound"
            };
            format!(
                "{} implements PJRT C API {found}, but the {} plugin of this release set is {expected}; {consequence}",
                plugin.path().display(),
                self.artifact
            )
        })
    }
}

/// Defines a plugin crate's public surface from what its build script resolved: `LOCATION`,
/// `build_time_path()`, `plugin_path()`, `load()` and `load_from()`. The build script must call
/// `xla_artifacts::build::run(|b| b.expose("<artifact>"))`.
#[macro_export]
macro_rules! plugin_crate {
    ($artifact:literal) => {
        mod build_time {
            include!(concat!(env!("OUT_DIR"), "/xla-artifact-", $artifact, ".rs"));
        }

        /// Where this crate's plugin may be, as its build resolved it.
        pub const LOCATION: $crate::PluginLocation = $crate::PluginLocation {
            artifact: build_time::ARTIFACT,
            env_var: build_time::ENV_VAR,
            file_name: build_time::FILE_NAME,
            bundle_path: build_time::BUNDLE_PATH,
            build_time_path: build_time::PATH,
            build_time_error: build_time::ERROR,
            expected_api: build_time::PJRT_API,
        };

        /// The variable naming the plugin at run time (it wins over the build-time path).
        pub const ENV_VAR: &str = build_time::ENV_VAR;

        /// The plugin's path as resolved when this crate was built, if it was.
        pub fn build_time_path() -> Option<&'static ::std::path::Path> {
            build_time::PATH.map(::std::path::Path::new)
        }

        /// The SHA-256 of the plugin resolved at build time, when the engine hashed it.
        pub fn build_time_sha256() -> Option<&'static str> {
            build_time::SHA256
        }

        /// The plugin to load: the variable, the build-time path, then the executable's directory.
        pub fn plugin_path() -> Result<::std::path::PathBuf, $crate::LoadError> {
            LOCATION.locate(None)
        }

        /// Finds and loads the plugin (once per process).
        pub fn load() -> Result<&'static $crate::Plugin, $crate::LoadError> {
            LOCATION.load(None)
        }

        /// Loads the plugin at `path` instead of the one this crate resolved.
        pub fn load_from(path: impl AsRef<::std::path::Path>) -> Result<&'static $crate::Plugin, $crate::LoadError> {
            LOCATION.load(Some(path.as_ref()))
        }
    };
}
