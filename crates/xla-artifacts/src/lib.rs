//! The artifact resolution engine of ryft-xla-sys.
//!
//! Every `-sys` crate of the workspace gets its native artifacts (PJRT plugins, the XLA core
//! library) through this crate, from the one manifest it embeds, `artifacts.toml`:
//!
//! - [`build`]: what a build script calls: resolve, then tell cargo (paths, link flags, reruns).
//! - [`Resolver`]: the resolution order, override variable → verified cache → vendor directory →
//!   pip or URL → Bazel → an error listing what the user can set or install.
//! - [`Manifest`]: the parsed, validated `artifacts.toml`.
//! - [`Cache`]: the per-user, content-addressed, lock-guarded cache.
//! - [`env`]: every environment variable the engine reads.
//!
//! This crate is an implementation detail of ryft-xla-sys, versioned with it (depend on it with
//! `=`); its API follows the needs of those crates and `cargo xtask`.

macro_rules! log {
    ($($arg:tt)*) => { $crate::progress::line(format_args!($($arg)*)) };
}
pub(crate) use log;

pub mod build;
pub mod cache;
pub mod digest;
pub mod env;
pub mod error;
pub mod extract;
mod fetch;
mod layout;
pub mod library;
pub mod manifest;
pub mod progress;
pub mod resolve;

pub use cache::{Cache, Verification};
pub use digest::Sha256Digest;
pub use env::Env;
pub use error::{Error, Result};
pub use fetch::pip::WheelTags;
pub use manifest::{Artifact, ArtifactKind, Manifest, Source, SourceLocation};
pub use resolve::{FetchedWheel, Origin, Resolved, Resolver};
