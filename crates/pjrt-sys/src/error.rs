//! Why a plugin could not be found or loaded. Every message names the file actually tried.

use std::path::PathBuf;

use crate::plugin::{ApiVersion, PluginError};

/// Every way finding or loading a plugin fails.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file does not exist or cannot be read.
    #[error("cannot read the plugin {path}: {source}")]
    NotFound {
        /// The path tried.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },

    /// The file is not a shared library.
    #[error("{path} is not a PJRT plugin: expected a shared library, found {found}")]
    NotASharedLibrary {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        found: String,
    },

    /// A shared library for another machine.
    #[error(
        "{path} is built for another machine: expected {expected}, found {found}. Use the plugin built for this machine"
    )]
    WrongArchitecture {
        /// The file.
        path: PathBuf,
        /// This process's format and architecture.
        expected: String,
        /// The file's.
        found: String,
    },

    /// A library the plugin needs is not installed or not on the search path.
    #[error(
        "cannot load {path}: it needs {library}, which the loader could not find. Install it, or add \
         its directory to the library search path (LD_LIBRARY_PATH). Loader: {message}"
    )]
    MissingDependency {
        /// The plugin.
        path: PathBuf,
        /// The dependency, as the loader named it.
        library: String,
        /// The loader's whole message.
        message: String,
    },

    /// The loader refused the library for another reason.
    #[error("cannot load {path}: {message}")]
    LoadFailed {
        /// The plugin.
        path: PathBuf,
        /// The loader's message.
        message: String,
    },

    /// The library exports no `GetPjrtApi`: not a PJRT plugin.
    #[error("{path} is a shared library but not a PJRT plugin: it does not export GetPjrtApi")]
    NoGetPjrtApi {
        /// The library.
        path: PathBuf,
    },

    /// `GetPjrtApi` returned null.
    #[error("{path}: GetPjrtApi returned no API table")]
    NullApi {
        /// The plugin.
        path: PathBuf,
    },

    /// The API table is too small to hold even its version.
    #[error("{path}: its PJRT_Api is only {struct_size} bytes, too small to hold a version")]
    ApiTooSmall {
        /// The plugin.
        path: PathBuf,
        /// The size it reports.
        struct_size: usize,
    },

    /// The plugin speaks another major version of the C API.
    #[error(
        "{path} implements PJRT C API {found}, but these bindings are for {expected}: major versions \
         must match. Use a plugin of the release set these bindings pin, or bindings for {found}"
    )]
    MajorVersionMismatch {
        /// The plugin.
        path: PathBuf,
        /// The bindings' version.
        expected: ApiVersion,
        /// The plugin's.
        found: ApiVersion,
    },

    /// `PJRT_Plugin_Initialize` failed.
    #[error("{path}: PJRT_Plugin_Initialize failed: {error}")]
    InitializationFailed {
        /// The plugin.
        path: PathBuf,
        /// What the plugin said.
        error: PluginError,
    },

    /// No plugin file was found where one was looked for.
    #[error("{}", not_located(.artifact, .tried, .build_error, .env_var))]
    NotLocated {
        /// The artifact, e.g. `pjrt-cpu`.
        artifact: String,
        /// The variable that names a plugin at run time.
        env_var: String,
        /// Each place looked at, and what was there.
        tried: Vec<String>,
        /// Why the build did not resolve it, if it did not.
        build_error: Option<String>,
    },
}

fn not_located(artifact: &str, tried: &[String], build_error: &Option<String>, env_var: &str) -> String {
    let mut message = format!("no {artifact} plugin found. Looked at:");
    for place in tried {
        message.push_str(&format!("\n  - {place}"));
    }
    if let Some(reason) = build_error {
        message.push_str(&format!("\nThe build could not resolve it: {reason}"));
    }
    message.push_str(&format!("\nSet {env_var} to the plugin's path, or pass a path explicitly."));
    message
}
