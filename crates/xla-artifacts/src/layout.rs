//! Laying an artifact out beside its runtime artifacts, as its own run-time lookup expects: a CUDA
//! plugin at `jax_plugins/xla_cudaNN/xla_cuda_plugin.so` with the `nvidia-*` wheels' `nvidia/`
//! trees beside it, where its RPATH (`$ORIGIN/../../nvidia/<package>/lib`) finds them. The files
//! are hard links to the verified cache entries (copies across file systems), assembled in staging
//! and renamed into `<cache>/v1/layouts/<key>/`.
//!
//! A library the artifact `needs` that its search path would not find in the layout (CUDA 12's
//! plugin does not look in `nvidia/cuda_nvrtc/lib`) is linked, with the files beside it, into the
//! first directory of that search path.

use std::fs;
use std::path::{Path, PathBuf};

use crate::digest::Sha256Digest;
use crate::error::{Error, Result};
use crate::library;
use crate::resolve::{Resolved, Resolver};

/// Marks a complete layout.
const STAMP: &str = ".xla-artifacts-layout";

impl Resolver<'_> {
    /// Resolves `name` for `target` and, when the manifest lists runtime artifacts for it, resolves
    /// those too and returns the artifact's path inside a layout holding them all.
    pub fn resolve_with_runtime(&self, name: &str, target: &str) -> Result<Resolved> {
        let main = self.resolve(name, target)?;
        let artifact = self.manifest().artifact(name).expect("resolved, so in the manifest");
        if artifact.runtime.is_empty() {
            return Ok(main);
        }
        let relative = artifact
            .sources_for(target)
            .find_map(|s| s.member.as_ref().filter(|m| !m.is_subtree()).map(|m| m.as_str().to_owned()))
            .or_else(|| main.path.file_name().map(|n| n.to_string_lossy().into_owned()))
            .expect("a resolved file has a name");
        let mut trees = Vec::new();
        for runtime in &artifact.runtime {
            let resolved = self.resolve(runtime, target)?;
            let member = self
                .manifest()
                .artifact(runtime)
                .and_then(|a| a.sources_for(target).find_map(|s| s.member.clone()))
                .map(|m| m.as_str().trim_end_matches('/').split('/').count())
                .unwrap_or(0);
            // The tree's root: the resolved member (`.../nvidia`) without the member's own components.
            let root = resolved.path.ancestors().nth(member).expect("an entry path holds its member").to_owned();
            trees.push(root);
        }
        let key_text = std::iter::once(main.path.display().to_string())
            .chain(trees.iter().map(|t| t.display().to_string()))
            .collect::<Vec<_>>()
            .join("\n");
        let key = Sha256Digest::of(key_text.as_bytes());
        let dir = self.cache().root().join("layouts").join(&key.to_hex()[..24]);
        if !dir.join(STAMP).is_file() {
            let lock = self.cache().lock(&key)?;
            if !dir.join(STAMP).is_file() {
                let staging = self.cache().staging_dir(&lock)?;
                let built = assemble(&staging, &main.path, &relative, &trees, &artifact.needs, &key_text)
                    .and_then(|()| commit(&staging, &dir));
                if built.is_err() {
                    let _ = crate::cache::remove_tree(&staging);
                }
                built?;
            }
        }
        crate::log!("{name}: laid out with {} runtime artifacts in {}", trees.len(), dir.display());
        Ok(Resolved { path: dir.join(&relative), ..main })
    }
}

fn assemble(staging: &Path, main: &Path, relative: &str, trees: &[PathBuf], needs: &[String], key: &str) -> Result<()> {
    place(main, &staging.join(relative))?;
    for tree in trees {
        link_tree(tree, tree, staging)?;
    }
    let plugin = staging.join(relative);
    let search = library::search_paths(&plugin)?;
    for need in needs {
        if search.iter().any(|dir| dir.join(need).exists()) {
            continue;
        }
        // Not where the plugin looks: beside the first directory it searches, with its siblings
        // (libraries load their companions from their own directory).
        let (Some(found), Some(first)) = (find(staging, need), search.first()) else { continue };
        let source_dir = found.parent().expect("a found file has a directory");
        fs::create_dir_all(first).map_err(|e| Error::io("creating", first, e))?;
        for sibling in fs::read_dir(source_dir).map_err(|e| Error::io("listing", source_dir, e))?.flatten() {
            let dest = first.join(sibling.file_name());
            if !dest.exists() && sibling.path().is_file() {
                place(&sibling.path(), &dest)?;
            }
        }
        crate::log!("{need}: linked into {}, where the plugin looks", first.display());
    }
    fs::write(staging.join(STAMP), format!("{key}\n")).map_err(|e| Error::io("writing", staging.join(STAMP), e))
}

fn commit(staging: &Path, dir: &Path) -> Result<()> {
    if dir.exists() {
        crate::cache::remove_tree(dir)?;
    }
    fs::create_dir_all(dir.parent().expect("layouts have a parent")).map_err(|e| Error::io("creating", dir, e))?;
    fs::rename(staging, dir).map_err(|e| Error::io("moving into the cache", dir, e))
}

/// A hard link to `from` at `to` (a copy across file systems), refusing to replace a different file.
fn place(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
    }
    if let Ok(existing) = fs::metadata(to) {
        let size = fs::metadata(from).map_err(|e| Error::io("reading", from, e))?.len();
        if existing.len() == size {
            return Ok(());
        }
        return Err(Error::UnsafeArchiveEntry {
            archive: from.into(),
            entry: to.display().to_string(),
            reason: "two runtime artifacts put different files at the same place".into(),
        });
    }
    fs::hard_link(from, to).or_else(|_| fs::copy(from, to).map(drop)).map_err(|e| Error::io("linking", to, e))
}

/// Mirrors the tree `dir` (below `root`) into `dest`: files linked, links recreated.
fn link_tree(root: &Path, dir: &Path, dest: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io("listing", dir, e))?.flatten() {
        let path = entry.path();
        let relative = path.strip_prefix(root).expect("below root");
        if relative.as_os_str() == crate::cache::STAMP {
            continue;
        }
        let target = dest.join(relative);
        let kind = entry.file_type().map_err(|e| Error::io("reading", &path, e))?;
        if kind.is_symlink() {
            let link = fs::read_link(&path).map_err(|e| Error::io("reading", &path, e))?;
            if !target.exists() {
                fs::create_dir_all(target.parent().expect("below dest"))
                    .map_err(|e| Error::io("creating", &target, e))?;
                make_symlink(&link, &target).map_err(|e| Error::io("linking", &target, e))?;
            }
        } else if kind.is_dir() {
            link_tree(root, &path, dest)?;
        } else {
            place(&path, &target)?;
        }
    }
    Ok(())
}

fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if entry.file_name() == name {
            return Some(path);
        }
        if entry.file_type().is_ok_and(|t| t.is_dir())
            && let Some(found) = find(&path, name)
        {
            return Some(found);
        }
    }
    None
}

#[cfg(unix)]
fn make_symlink(target: &Path, path: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, path)
}

#[cfg(windows)]
fn make_symlink(target: &Path, path: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_file(target, path)
}
