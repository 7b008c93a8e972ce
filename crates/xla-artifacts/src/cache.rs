//! The per-user artifact cache: content-addressed, written only through staging directories and
//! atomic renames, guarded by per-archive file locks.
//!
//! ```text
//! <cache dir>/v1/
//!   downloads/<sha256>/<file>       verified archives, as fetched
//!   entries/<sha256>/<member key>/  what was extracted from one archive, with its stamp
//!   locks/<sha256>.lock             held while an archive is fetched or extracted
//!   staging/<sha256>.<pid>.<n>/     work in progress; never read, removed by the next lock holder
//! ```
//!
//! An entry exists only once its directory was renamed into place, and is trusted only with a stamp
//! listing each file's size, modification time and SHA-256. A killed build leaves at most a staging
//! directory behind, which nothing trusts.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::digest::Sha256Digest;
use crate::env::{self, Env};
use crate::error::{Error, Result};
use crate::manifest::Member;

/// Name of the stamp file inside an entry directory.
pub(crate) const STAMP: &str = ".xla-artifacts-entry.toml";
const LAYOUT: &str = "v1";

/// How thoroughly a cached entry is checked before it is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Each file's size and modification time match the stamp (the default, for speed).
    Metadata,
    /// Each file is re-hashed and compared with the stamp.
    Full,
}

/// The cache directory.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

/// A complete, checked entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The entry's directory.
    pub dir: PathBuf,
    /// What it holds.
    pub stamp: Stamp,
}

impl Entry {
    /// The extracted member (a file or a directory), or the entry directory for whole archives.
    pub fn path(&self) -> PathBuf {
        match &self.stamp.member {
            Some(member) => self.dir.join(member.trim_end_matches('/')),
            None => self.dir.clone(),
        }
    }

    /// The SHA-256 of the member, when it is a single file.
    pub fn member_sha256(&self) -> Option<Sha256Digest> {
        match (&self.stamp.member, self.stamp.files.as_slice()) {
            (Some(m), [file]) if !m.ends_with('/') => file.sha256.parse().ok(),
            _ => None,
        }
    }
}

/// The record written beside an entry's files.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Stamp {
    /// Checksum of the archive the files came from.
    pub archive_sha256: String,
    /// The archive's file name.
    pub archive_file: String,
    /// The member taken, if not the whole archive.
    pub member: Option<String>,
    /// Each file written.
    #[serde(rename = "file", default)]
    pub files: Vec<StampedFile>,
}

/// One file of an entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct StampedFile {
    /// Path relative to the entry directory, `/`-separated.
    pub path: String,
    /// Size in bytes (0 for links).
    pub size: u64,
    /// SHA-256 of the content (empty for links).
    pub sha256: String,
    /// Modification time in nanoseconds since the epoch, as written.
    pub mtime_ns: i64,
    /// Target of a symbolic link.
    pub link: Option<String>,
}

/// An exclusive lock on one archive's cache slots; released on drop or when the process dies.
#[derive(Debug)]
pub struct CacheLock {
    _file: File,
    sha: Sha256Digest,
}

impl Cache {
    /// A cache rooted at `dir` (which need not exist yet).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { root: dir.into().join(LAYOUT) }
    }

    /// The cache named by `RYFT_XLA_SYS_CACHE_DIR`, or the user's cache directory.
    pub fn from_env(env: &Env) -> Self {
        let dir = env.get(env::CACHE_DIR).map(PathBuf::from).unwrap_or_else(default_dir);
        Self::new(dir)
    }

    /// The directory holding this layout's files.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where a verified archive with checksum `sha` is kept.
    pub fn download_path(&self, sha: &Sha256Digest, file: &str) -> PathBuf {
        self.root.join("downloads").join(sha.to_hex()).join(file)
    }

    /// The entry directory for `member` of archive `sha`.
    pub fn entry_dir(&self, sha: &Sha256Digest, member: Option<&Member>) -> PathBuf {
        let key = match member {
            // A short digest keeps keys file-name-safe whatever the member's path; the file name
            // keeps them readable.
            Some(m) => {
                format!("{}-{}", &Sha256Digest::of(m.as_str().as_bytes()).to_hex()[..12], sanitize(m.file_name()))
            }
            None => "all".to_owned(),
        };
        self.root.join("entries").join(sha.to_hex()).join(key)
    }

    /// The complete entry for `member` of archive `sha`, if one exists and passes `verification`.
    /// `Ok(None)` means absent or damaged: the caller re-creates it under the lock.
    pub fn lookup(
        &self,
        sha: &Sha256Digest,
        member: Option<&Member>,
        verification: Verification,
    ) -> Result<Option<Entry>> {
        let dir = self.entry_dir(sha, member);
        let stamp_path = dir.join(STAMP);
        let text = match fs::read_to_string(&stamp_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("reading", stamp_path, e)),
        };
        let Ok(stamp) = toml::from_str::<Stamp>(&text) else {
            crate::log!("cache entry {} has an unreadable stamp; it will be re-created", dir.display());
            return Ok(None);
        };
        for file in &stamp.files {
            if let Err(problem) = check_file(&dir, file, verification) {
                crate::log!("cache entry {} is damaged ({problem}); it will be re-created", dir.display());
                return Ok(None);
            }
        }
        Ok(Some(Entry { dir, stamp }))
    }

    /// Takes the exclusive lock for archive `sha`, waiting for another process to finish with it.
    pub fn lock(&self, sha: &Sha256Digest) -> Result<CacheLock> {
        let dir = self.root.join("locks");
        fs::create_dir_all(&dir).map_err(|e| self.not_writable(e))?;
        let path = dir.join(format!("{}.lock", sha.to_hex()));
        let file =
            File::options().create(true).truncate(false).write(true).open(&path).map_err(|e| self.not_writable(e))?;
        file.lock().map_err(|e| Error::io("locking", &path, e))?;
        let lock = CacheLock { _file: file, sha: *sha };
        self.remove_stale_staging(&lock)?;
        Ok(lock)
    }

    /// A fresh, empty staging directory for work on the locked archive.
    pub fn staging_dir(&self, lock: &CacheLock) -> Result<PathBuf> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = self.root.join("staging").join(format!("{}.{}.{n}", lock.sha.to_hex(), std::process::id()));
        fs::create_dir_all(&dir).map_err(|e| self.not_writable(e))?;
        Ok(dir)
    }

    /// Moves a verified download from staging into place.
    pub fn commit_download(&self, _lock: &CacheLock, staged: &Path, sha: &Sha256Digest, file: &str) -> Result<PathBuf> {
        let dest = self.download_path(sha, file);
        let parent = dest.parent().expect("download paths have a parent");
        fs::create_dir_all(parent).map_err(|e| self.not_writable(e))?;
        fs::rename(staged, &dest).map_err(|e| Error::io("moving into the cache", &dest, e))?;
        Ok(dest)
    }

    /// Moves a staged entry directory (already holding its files) into place, stamping it.
    pub fn commit_entry(
        &self,
        _lock: &CacheLock,
        staged: &Path,
        stamp: Stamp,
        member: Option<&Member>,
    ) -> Result<Entry> {
        let sha: Sha256Digest = stamp.archive_sha256.parse().expect("stamps carry valid digests");
        let text = toml::to_string(&stamp).expect("stamps serialize");
        let header = "# Written by xla-artifacts. Files listed here were verified when written.\n";
        fs::write(staged.join(STAMP), format!("{header}{text}"))
            .map_err(|e| Error::io("writing", staged.join(STAMP), e))?;
        let dest = self.entry_dir(&sha, member);
        if dest.exists() {
            // A damaged entry: we hold the lock, so nobody else is writing it.
            remove_tree(&dest)?;
        }
        fs::create_dir_all(dest.parent().expect("entry dirs have a parent")).map_err(|e| self.not_writable(e))?;
        fs::rename(staged, &dest).map_err(|e| Error::io("moving into the cache", &dest, e))?;
        Ok(Entry { dir: dest, stamp })
    }

    fn remove_stale_staging(&self, lock: &CacheLock) -> Result<()> {
        let dir = self.root.join("staging");
        let Ok(read) = fs::read_dir(&dir) else { return Ok(()) };
        let prefix = format!("{}.", lock.sha.to_hex());
        for entry in read.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                crate::log!("removing unfinished work {} left by an interrupted build", entry.path().display());
                remove_tree(&entry.path())?;
            }
        }
        Ok(())
    }

    fn not_writable(&self, source: std::io::Error) -> Error {
        Error::CacheNotWritable { dir: self.root.clone(), source }
    }

    /// Every entry in the cache, complete or not, with its stamp where readable.
    pub fn list(&self) -> Result<Vec<(PathBuf, Option<Stamp>)>> {
        let mut out = Vec::new();
        let entries = self.root.join("entries");
        for archive in read_dir_sorted(&entries)? {
            for entry in read_dir_sorted(&archive)? {
                let stamp = fs::read_to_string(entry.join(STAMP)).ok().and_then(|t| toml::from_str(&t).ok());
                out.push((entry, stamp));
            }
        }
        Ok(out)
    }

    /// Re-hashes every file of every entry and every kept download. Returns each one checked with
    /// its problem, if any (a damaged entry is re-created by the next resolution that needs it).
    pub fn verify_all(&self) -> Result<Vec<(PathBuf, Option<String>)>> {
        let mut report = Vec::new();
        for (dir, stamp) in self.list()? {
            let problem = match stamp {
                None => Some("no readable stamp: unfinished or damaged".to_owned()),
                Some(stamp) => stamp.files.iter().find_map(|f| check_file(&dir, f, Verification::Full).err()),
            };
            report.push((dir, problem));
        }
        for download in self.downloads()? {
            let expected = download.parent().and_then(|d| d.file_name()).map(|n| n.to_string_lossy().into_owned());
            let problem = match Sha256Digest::of_file(&download) {
                Err(e) => Some(e.to_string()),
                Ok(actual) if Some(actual.to_hex()) != expected => {
                    Some(format!("SHA-256 {actual}, expected {}", expected.unwrap_or_default()))
                }
                Ok(_) => None,
            };
            report.push((download, problem));
        }
        Ok(report)
    }

    /// Removes the entries and downloads of every archive for which `keep` is false, and work left
    /// by interrupted builds. Returns the bytes freed. Archives being written by another process are
    /// left alone (their lock is held).
    pub fn clean(&self, keep: impl Fn(&Sha256Digest) -> bool) -> Result<u64> {
        let mut freed = 0;
        for section in ["entries", "downloads"] {
            for dir in read_dir_sorted(&self.root.join(section))? {
                let Some(sha) = dir.file_name().and_then(|n| n.to_str()).and_then(|n| n.parse::<Sha256Digest>().ok())
                else {
                    continue;
                };
                if keep(&sha) {
                    continue;
                }
                let Some(_lock) = self.try_lock(&sha)? else { continue };
                freed += tree_size(&dir);
                remove_tree(&dir)?;
            }
        }
        // Layouts are hard links to entries, rebuilt in milliseconds: cleaning drops them all.
        for dir in read_dir_sorted(&self.root.join("layouts"))? {
            remove_tree(&dir)?;
        }
        for dir in read_dir_sorted(&self.root.join("staging"))? {
            let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let Some(sha) = name.split('.').next().and_then(|h| h.parse::<Sha256Digest>().ok()) else { continue };
            if let Some(_lock) = self.try_lock(&sha)? {
                freed += tree_size(&dir);
                remove_tree(&dir)?;
            }
        }
        Ok(freed)
    }

    /// The lock for archive `sha` if no other process holds it.
    fn try_lock(&self, sha: &Sha256Digest) -> Result<Option<CacheLock>> {
        let dir = self.root.join("locks");
        fs::create_dir_all(&dir).map_err(|e| self.not_writable(e))?;
        let path = dir.join(format!("{}.lock", sha.to_hex()));
        let file =
            File::options().create(true).truncate(false).write(true).open(&path).map_err(|e| self.not_writable(e))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(CacheLock { _file: file, sha: *sha })),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => Err(Error::io("locking", &path, e)),
        }
    }

    /// Every verified download in the cache.
    pub fn downloads(&self) -> Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for dir in read_dir_sorted(&self.root.join("downloads"))? {
            out.extend(read_dir_sorted(&dir)?);
        }
        Ok(out)
    }
}

/// Checks one stamped file against the disk.
pub(crate) fn check_file(
    dir: &Path,
    file: &StampedFile,
    verification: Verification,
) -> std::result::Result<(), String> {
    let path = dir.join(&file.path);
    let meta = fs::symlink_metadata(&path).map_err(|e| format!("{}: {e}", file.path))?;
    if let Some(target) = &file.link {
        let found = fs::read_link(&path).map_err(|e| format!("{}: {e}", file.path))?;
        return if found == Path::new(target) { Ok(()) } else { Err(format!("{} links elsewhere", file.path)) };
    }
    if meta.len() != file.size {
        return Err(format!("{} has {} bytes, expected {}", file.path, meta.len(), file.size));
    }
    if mtime_ns(&meta) != file.mtime_ns {
        return Err(format!("{} was modified", file.path));
    }
    if verification == Verification::Full {
        let actual = Sha256Digest::of_file(&path).map_err(|e| format!("{}: {e}", file.path))?;
        if actual.to_hex() != file.sha256 {
            return Err(format!("{} has SHA-256 {actual}, expected {}", file.path, file.sha256));
        }
    }
    Ok(())
}

/// Modification time in nanoseconds since the epoch (0 when unknown).
pub(crate) fn mtime_ns(meta: &fs::Metadata) -> i64 {
    meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos() as i64)
}

/// Bytes held by the files below `path`.
pub fn tree_size(path: &Path) -> u64 {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => {
            fs::read_dir(path).into_iter().flatten().flatten().map(|e| tree_size(&e.path())).sum()
        }
        Ok(meta) => meta.len(),
        Err(_) => 0,
    }
}

fn default_dir() -> PathBuf {
    dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("ryft-xla-sys")
}

fn sanitize(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect()
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>> {
    match fs::read_dir(dir) {
        Ok(read) => {
            let mut paths: Vec<PathBuf> = read.flatten().map(|e| e.path()).collect();
            paths.sort();
            Ok(paths)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io("listing", dir, e)),
    }
}

/// Removes a directory tree whose files may be read-only.
pub(crate) fn remove_tree(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(first) => {
            // Windows refuses to delete read-only files; make everything writable, then retry.
            make_writable(path);
            fs::remove_dir_all(path).map_err(|_| Error::io("removing", path, first))
        }
    }
}

fn make_writable(path: &Path) {
    if let Ok(meta) = fs::symlink_metadata(path) {
        if meta.is_dir() {
            for entry in fs::read_dir(path).into_iter().flatten().flatten() {
                make_writable(&entry.path());
            }
        }
        let mut perms = meta.permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        let _ = fs::set_permissions(path, perms);
    }
}
