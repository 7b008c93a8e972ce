//! The environment variables the engine reads, and a reader that remembers which ones were read so
//! that a build script declares exactly those with `rerun-if-env-changed`.
//!
//! Each artifact also has its own override variable, named in `artifacts.toml` (`PJRT_PLUGIN_CPU_LIB`...).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;

/// Directory of the artifact cache. Default: the user's cache directory + `ryft-xla-sys`.
pub const CACHE_DIR: &str = "RYFT_XLA_SYS_CACHE_DIR";
/// `1`/`true`: never use the network (like `CARGO_NET_OFFLINE`).
pub const OFFLINE: &str = "RYFT_XLA_SYS_OFFLINE";
/// Cargo's own offline switch, honoured the same way.
pub const CARGO_NET_OFFLINE: &str = "CARGO_NET_OFFLINE";
/// A directory filled by `cargo xtask fetch`: archives found there by checksum, no network needed.
pub const VENDOR_DIR: &str = "RYFT_XLA_SYS_VENDOR_DIR";
/// The Python interpreter that runs pip. Default: `python3` (`python` on Windows).
pub const PYTHON: &str = "RYFT_XLA_SYS_PYTHON";
/// A pip index (simple API) to fetch PyPI wheels from instead of pip's configured one.
pub const PIP_INDEX_URL: &str = "RYFT_XLA_SYS_PIP_INDEX_URL";
/// A directory or page of wheels for pip (`--find-links`); with it and no index, pip goes no further.
pub const PIP_FIND_LINKS: &str = "RYFT_XLA_SYS_PIP_FIND_LINKS";
/// A base (`https://...`, `http://...` or `file:///dir`) that replaces every URL source's location:
/// the file is fetched from `<base>/<file name>`.
pub const URL_MIRROR: &str = "RYFT_XLA_SYS_URL_MIRROR";
/// Seconds without progress after which an HTTP transfer is abandoned (default 30).
pub const HTTP_TIMEOUT: &str = "RYFT_XLA_SYS_HTTP_TIMEOUT";
/// Attempts per HTTP download, with exponential backoff between them (default 3).
pub const HTTP_ATTEMPTS: &str = "RYFT_XLA_SYS_HTTP_ATTEMPTS";
/// The Bazel binary (default: `bazel` on `PATH`).
pub const BAZEL: &str = "RYFT_XLA_SYS_BAZEL";
/// The Bazel workspace to build `bazel` sources in (default: the repository's `bazel/`).
pub const BAZEL_WORKSPACE: &str = "RYFT_XLA_SYS_BAZEL_WORKSPACE";
/// `full`: re-hash cached files on every resolution instead of checking size and modification time.
pub const VERIFY: &str = "RYFT_XLA_SYS_VERIFY";
/// `1`/`true`: copy resolved plugins and shared libraries beside the executables the build
/// produces, so that the output folder runs on another machine (see `build::BuildScript::bundle`).
pub const BUNDLE: &str = "RYFT_XLA_SYS_BUNDLE";
/// Set by docs.rs: no network, no linking.
pub const DOCS_RS: &str = "DOCS_RS";

/// Proxy variables honoured for URL sources (read by the HTTP client).
pub const PROXY_VARS: &[&str] =
    &["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"];
/// pip's own variables that change where it fetches from.
pub const PIP_VARS: &[&str] =
    &["PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX", "PIP_CONFIG_FILE"];

/// Reads environment variables, from the process or from a fixed map (tests), and remembers the
/// names read.
#[derive(Debug, Default)]
pub struct Env {
    fixed: Option<BTreeMap<String, OsString>>,
    read: RefCell<BTreeSet<String>>,
}

impl Env {
    /// Reads the process environment.
    pub fn process() -> Self {
        Self::default()
    }

    /// Reads only `vars`, as if they were the whole environment.
    pub fn fixed<K: Into<String>, V: Into<OsString>>(vars: impl IntoIterator<Item = (K, V)>) -> Self {
        Self { fixed: Some(vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect()), ..Self::default() }
    }

    /// The value of `name`, when set and not empty.
    pub fn get(&self, name: &str) -> Option<OsString> {
        self.read.borrow_mut().insert(name.to_owned());
        let value = match &self.fixed {
            Some(map) => map.get(name).cloned(),
            None => std::env::var_os(name),
        };
        value.filter(|v| !v.is_empty())
    }

    /// The value of `name` as UTF-8, when set and not empty.
    pub fn get_str(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| v.to_string_lossy().into_owned())
    }

    /// Whether `name` is set to a true value (`1`, `true`, `yes`, `on`).
    pub fn flag(&self, name: &str) -> bool {
        self.get_str(name).is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    }

    /// Marks variables as read without reading them (they are read by a child process).
    pub fn note_read(&self, names: &[&str]) {
        self.read.borrow_mut().extend(names.iter().map(|n| (*n).to_owned()));
    }

    /// Every name read so far.
    pub fn names_read(&self) -> BTreeSet<String> {
        self.read.borrow().clone()
    }

    /// Variables a child process gets on top of the process environment: the fixed map, so that a
    /// test's settings reach pip and Bazel too.
    pub(crate) fn child_overrides(&self) -> impl Iterator<Item = (&String, &OsString)> {
        self.fixed.iter().flatten()
    }
}
