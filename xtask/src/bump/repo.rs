//! The files of a repository that a bump reads and writes: the workspace's own, or (in tests) a
//! copy of them in a temporary directory.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// The manifest.
pub const ARTIFACTS: &str = "artifacts.toml";
/// The workspace manifest, whose version's build metadata names the XLA commit.
pub const CARGO: &str = "Cargo.toml";
/// pjrt-sys's committed bindings.
pub const PJRT_BINDINGS: &str = "crates/pjrt-sys/src/generated/pjrt.rs";
/// pjrt-sys's committed XLA FFI bindings.
pub const FFI_BINDINGS: &str = "crates/pjrt-sys/src/generated/xla_ffi.rs";
/// xla-protos's generated module tree, whose header lists the schemas it was made from.
pub const PROTOS_MOD: &str = "crates/xla-protos/src/generated/mod.rs";

/// A repository root.
#[derive(Debug, Clone)]
pub struct Repo {
    root: PathBuf,
}

impl Repo {
    /// The repository at `root`.
    pub fn at(root: impl Into<PathBuf>) -> Repo {
        Repo { root: root.into() }
    }

    /// The workspace xtask belongs to.
    pub fn workspace() -> Repo {
        Repo::at(crate::workspace::root())
    }

    /// Whether this is the workspace xtask belongs to (whose generators write into it).
    pub fn is_workspace(&self) -> bool {
        self.root == crate::workspace::root()
    }

    /// The absolute path of `relative`.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The text of `relative`.
    pub fn read(&self, relative: &str) -> anyhow::Result<String> {
        let path = self.path(relative);
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
    }

    /// Replaces `relative` with `text`.
    pub fn write(&self, relative: &str, text: &str) -> anyhow::Result<()> {
        let path = self.path(relative);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
    }

    /// The root.
    pub fn root(&self) -> &Path {
        &self.root
    }
}
