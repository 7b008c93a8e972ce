//! Wheels whose checksum is not known yet: what `cargo xtask bump-xla` pins. pip lists the versions
//! that have a wheel for some tags and picks the file for them; the engine hashes what pip saved
//! and keeps it in the cache under that checksum, like any download, so that resolving the new pin
//! later fetches nothing.

use std::path::PathBuf;

use super::Resolver;
use crate::cache::remove_tree;
use crate::digest::Sha256Digest;
use crate::error::{Error, Result};
use crate::fetch::pip::{self, WheelTags};

/// A wheel fetched before its checksum was pinned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedWheel {
    /// The file pip saved: its tags are the ones pip picked among those asked for.
    pub file: String,
    /// Where the cache keeps it.
    pub path: PathBuf,
    /// Its SHA-256, computed here.
    pub sha256: Sha256Digest,
    /// Its size in bytes.
    pub size: u64,
}

impl Resolver<'_> {
    /// The versions of PyPI package `package` that have a wheel for `tags`, oldest first, from the
    /// configured index or find-links mirror (an empty list when there is none).
    pub fn wheel_versions(&self, package: &str, tags: &WheelTags) -> Result<Vec<String>> {
        if self.offline {
            return Err(Error::Offline { what: format!("the list of versions of PyPI package {package}") });
        }
        // Work directories belong to a lock; this one is keyed by the question asked.
        let key = Sha256Digest::of(format!("wheel versions {package} {tags:?}").as_bytes());
        let lock = self.cache.lock(&key)?;
        let scratch = self.cache.staging_dir(&lock)?;
        let outcome = pip::versions(package, tags, &scratch, &self.env);
        let _ = remove_tree(&scratch);
        outcome
    }

    /// Fetches the wheel of `package==version` that pip picks for `tags` (no checksum is pinned
    /// yet), hashes it, and keeps it in the cache's downloads under its checksum.
    pub fn fetch_wheel(&self, package: &str, version: &str, tags: &WheelTags) -> Result<FetchedWheel> {
        if self.offline {
            return Err(Error::Offline { what: format!("PyPI wheel {package}=={version}") });
        }
        let key = Sha256Digest::of(format!("unpinned wheel {package}=={version} {tags:?}").as_bytes());
        let request = self.cache.lock(&key)?;
        let staging = self.cache.staging_dir(&request)?;
        let outcome = (|| {
            let saved = pip::start_unpinned(package, version, tags, &staging, &self.env, self.progress)?.wait()?;
            let file = saved.file_name().expect("pip saves files").to_string_lossy().into_owned();
            let size = std::fs::metadata(&saved).map_err(|e| Error::io("reading", &saved, e))?.len();
            let sha256 = Sha256Digest::of_file(&saved).map_err(|e| Error::io("reading", &saved, e))?;
            let lock = self.cache.lock(&sha256)?;
            let kept = self.cache.download_path(&sha256, &file);
            let path = if kept.is_file() && Sha256Digest::of_file(&kept).ok() == Some(sha256) {
                kept
            } else {
                let _ = std::fs::remove_file(&kept);
                self.cache.commit_download(&lock, &saved, &sha256, &file)?
            };
            crate::log!("{package}=={version}: {file}, SHA-256 {sha256}, {size} bytes");
            Ok(FetchedWheel { file, path, sha256, size })
        })();
        let _ = remove_tree(&staging);
        outcome
    }
}
