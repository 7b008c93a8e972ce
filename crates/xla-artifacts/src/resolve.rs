//! The resolution order: the artifact's override variable → a verified cache entry (or a `path`
//! source) → a vendor directory → a fetch (pip, URL) → a Bazel build → an error listing exactly
//! what the user can set or install.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cache::{Cache, CacheLock, Entry, Stamp, Verification};
use crate::digest::{HashingReader, Sha256Digest};
use crate::env::{self, Env};
use crate::error::{Attempt, Error, Result};
use crate::extract::{self, ArchiveFormat};
use crate::fetch::{bazel, http, pip};
use crate::library;
use crate::manifest::{Artifact, ArtifactKind, Manifest, Member, Source, SourceLocation};

mod unpinned;

pub use unpinned::FetchedWheel;

/// Resolves artifacts of one manifest, for build scripts and tools.
#[derive(Debug)]
pub struct Resolver<'m> {
    manifest: &'m Manifest,
    env: Env,
    cache: Cache,
    offline: bool,
    verification: Verification,
    progress: bool,
}

/// Where a resolved artifact came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The artifact's override variable.
    Override {
        /// The variable's name.
        var: String,
    },
    /// A verified entry of the cache.
    Cache,
    /// A vendor directory (`RYFT_XLA_SYS_VENDOR_DIR`).
    Vendor,
    /// Fetched now from this source.
    Download {
        /// The source, described.
        source: String,
    },
    /// Built now by Bazel.
    Bazel {
        /// The label built.
        label: String,
    },
    /// A `path` source of the manifest.
    LocalPath,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Override { var } => write!(f, "override {var}"),
            Self::Cache => write!(f, "cache"),
            Self::Vendor => write!(f, "vendor directory"),
            Self::Download { source } => write!(f, "downloaded: {source}"),
            Self::Bazel { label } => write!(f, "built by Bazel: {label}"),
            Self::LocalPath => write!(f, "local path"),
        }
    }
}

/// A resolved artifact: a usable path, and how it was found.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The artifact's name in the manifest.
    pub artifact: String,
    /// The file (or directory, for subtrees and whole archives) to use.
    pub path: PathBuf,
    /// Where it came from.
    pub origin: Origin,
    /// SHA-256 of the file, when the artifact is one file and the engine hashed it.
    pub sha256: Option<Sha256Digest>,
    /// SHA-256 of the archive it was taken from, when pinned or computed.
    pub archive_sha256: Option<Sha256Digest>,
    /// The source's version (e.g. the wheel's), when the manifest says.
    pub version: Option<String>,
}

impl<'m> Resolver<'m> {
    /// A resolver reading settings from `env`, with the cache that `env` names.
    pub fn new(manifest: &'m Manifest, env: Env) -> Self {
        let cache = Cache::from_env(&env);
        let offline = env.flag(env::OFFLINE) || env.flag(env::CARGO_NET_OFFLINE);
        let verification = match env.get_str(env::VERIFY).as_deref() {
            Some("full") => Verification::Full,
            _ => Verification::Metadata,
        };
        Self { manifest, env, cache, offline, verification, progress: false }
    }

    /// Shows pip's progress on the terminal instead of capturing it (for interactive tools).
    pub fn show_progress(mut self, show: bool) -> Self {
        self.progress = show;
        self
    }

    /// The manifest it resolves from.
    pub fn manifest(&self) -> &'m Manifest {
        self.manifest
    }

    /// The environment the resolver reads.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// The cache it uses.
    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// Whether the network is off limits.
    pub fn offline(&self) -> bool {
        self.offline
    }

    /// Resolves artifact `name` for Rust target `target`.
    pub fn resolve(&self, name: &str, target: &str) -> Result<Resolved> {
        let artifact = self.manifest.artifact(name).ok_or_else(|| Error::UnknownArtifact {
            name: name.into(),
            known: self.manifest.artifacts.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", "),
        })?;
        crate::log!("resolving {} ({}) for {target}", artifact.name, artifact.description);
        if let Some(value) = self.env.get(&artifact.env) {
            let resolved = self.resolve_override(artifact, target, PathBuf::from(value))?;
            crate::log!("{}: {} ({})", artifact.name, resolved.path.display(), resolved.origin);
            return Ok(resolved);
        }
        if !artifact.supports(target) {
            return Err(Error::UnsupportedTarget {
                artifact: artifact.name.clone(),
                target: target.into(),
                supported: artifact.targets.iter().cloned().collect::<Vec<_>>().join(", "),
                env: artifact.env.clone(),
            });
        }
        let resolved = self.resolve_sources(artifact, target)?;
        crate::log!("{}: {} ({})", artifact.name, resolved.path.display(), resolved.origin);
        Ok(resolved)
    }

    fn resolve_sources(&self, artifact: &Artifact, target: &str) -> Result<Resolved> {
        let sources: Vec<&Source> = artifact.sources_for(target).collect();
        let mut attempts = Vec::new();
        // What is already on this machine: local paths and complete cache entries.
        for source in &sources {
            if let SourceLocation::LocalPath { path } = &source.location {
                match self.local_file(artifact, target, Path::new(path), source.member.as_ref(), source.sha256) {
                    Ok(resolved) => return Ok(Resolved { origin: Origin::LocalPath, ..resolved }),
                    Err(e) => attempts.push(Attempt { source: source.location.to_string(), outcome: e.to_string() }),
                }
            } else if let Some(sha) = &source.sha256
                && let Some(entry) = self.cache.lookup(sha, source.member.as_ref(), self.verification)?
            {
                return Ok(self.resolved_entry(artifact, source, &entry, Origin::Cache));
            }
        }
        // Pinned sources: kept downloads, the vendor directory, then the network.
        for source in sources.iter().filter(|s| s.sha256.is_some()) {
            let sha = source.sha256.expect("filtered");
            match self.pinned(artifact, source, &sha, &mut attempts) {
                Ok(resolved) => return Ok(resolved),
                Err(e) => attempts.push(Attempt { source: source.location.to_string(), outcome: e.to_string() }),
            }
        }
        // Builds from source.
        for source in &sources {
            if let SourceLocation::Bazel { label } = &source.location {
                match self.bazel(artifact, target, source, label) {
                    Ok(resolved) => return Ok(resolved),
                    Err(outcome) => attempts.push(Attempt { source: source.location.to_string(), outcome }),
                }
            }
        }
        Err(Error::Unresolved {
            artifact: format!("{} ({})", artifact.name, artifact.description),
            target: target.into(),
            attempts,
            remedies: self.remedies(artifact, target, &sources),
        })
    }

    /// A pinned source: under its archive's lock, reuse what another process finished, else take
    /// the first of kept download, vendored copy and fresh fetch that verifies.
    fn pinned(
        &self,
        artifact: &Artifact,
        source: &Source,
        sha: &Sha256Digest,
        attempts: &mut Vec<Attempt>,
    ) -> Result<Resolved> {
        let member = source.member.as_ref();
        let file = source.location.file_name();
        let lock = self.cache.lock(sha)?;
        if let Some(entry) = self.cache.lookup(sha, member, self.verification)? {
            return Ok(self.resolved_entry(artifact, source, &entry, Origin::Cache));
        }
        let kept = self.cache.download_path(sha, &file);
        if kept.is_file() {
            match self.verify_and_extract(&lock, &kept, Some(sha), source.size, &file, member) {
                Ok(entry) => return Ok(self.resolved_entry(artifact, source, &entry, Origin::Cache)),
                Err(e) => {
                    crate::log!("the kept download {} is damaged ({e}); removing it", kept.display());
                    let _ = std::fs::remove_file(&kept);
                }
            }
        }
        if let Some(vendor) = self.env.get(env::VENDOR_DIR).map(PathBuf::from) {
            let vendored = vendor.join(&file);
            let outcome = if vendored.is_file() {
                match self.verify_and_extract(&lock, &vendored, Some(sha), source.size, &file, member) {
                    Ok(entry) => return Ok(self.resolved_entry(artifact, source, &entry, Origin::Vendor)),
                    Err(e) => e.to_string(),
                }
            } else {
                format!("{} does not hold {file}", vendor.display())
            };
            attempts.push(Attempt { source: format!("vendor directory {}", vendor.display()), outcome });
        }
        let staging = self.cache.staging_dir(&lock)?;
        let overlapped = matches!(source.location, SourceLocation::PypiWheel { .. })
            && ArchiveFormat::of(&file) == ArchiveFormat::Zip
            && !self.offline;
        if overlapped {
            let outcome = self.pip_overlapped(&lock, source, sha, &staging);
            if outcome.is_err() {
                let _ = crate::cache::remove_tree(&staging);
            }
            let (saved, entry) = outcome?;
            let entry = match entry {
                Some(entry) => Ok(entry),
                None => self.verify_and_extract(&lock, &saved, Some(sha), source.size, &file, member),
            };
            let outcome = entry.and_then(|entry| {
                self.cache.commit_download(&lock, &saved, sha, &file)?;
                Ok(entry)
            });
            let _ = crate::cache::remove_tree(&staging);
            let entry = outcome?;
            let described = source.location.to_string();
            return Ok(self.resolved_entry(artifact, source, &entry, Origin::Download { source: described }));
        }
        let (fetched, verified, described) = match self.download(&lock, source, sha, &staging) {
            Ok(fetched) => fetched,
            Err(e) => {
                let _ = crate::cache::remove_tree(&staging);
                return Err(e);
            }
        };
        let result = self.verify_and_extract(&lock, &fetched, (!verified).then_some(sha), source.size, &file, member);
        let entry = match result {
            Ok(entry) => entry,
            Err(e) => {
                let _ = crate::cache::remove_tree(&staging);
                return Err(e);
            }
        };
        self.cache.commit_download(&lock, &fetched, sha, &file)?;
        let _ = crate::cache::remove_tree(&staging);
        Ok(self.resolved_entry(artifact, source, &entry, Origin::Download { source: described }))
    }

    /// A wheel fetched by pip, with extraction overlapping the download: the member is extracted
    /// from the file pip is writing and the bytes hashed as they go by, while pip runs; then the
    /// wheel pip saved is hashed too. The early entry is committed only when both digests and the
    /// size are the pinned ones; otherwise (or when pip's file could not be followed) `None` says
    /// to extract from the saved wheel, as without overlap. Returns the saved wheel.
    fn pip_overlapped(
        &self,
        lock: &CacheLock,
        source: &Source,
        sha: &Sha256Digest,
        staging: &Path,
    ) -> Result<(PathBuf, Option<Entry>)> {
        let SourceLocation::PypiWheel { package, version, file } = &source.location else {
            unreachable!("called for PyPI sources only")
        };
        let member = source.member.as_ref();
        let run = pip::start(package, version, file, staging, &self.env, self.progress)?;
        let growing = run.in_progress();
        let entry_dir = self.cache.staging_dir(lock)?;
        let done = AtomicBool::new(false);
        let (saved, saved_sha, early) = std::thread::scope(|scope| {
            let follower = scope.spawn(|| {
                // Buffered above the hashing: the zip reader asks for small pieces.
                let mut reader = std::io::BufReader::with_capacity(1 << 20, HashingReader::new(growing.open(&done)?));
                let files = extract::extract_zip_stream(Path::new(file), &mut reader, member, &entry_dir);
                // The rest of the wheel, for its digest.
                std::io::copy(&mut reader, &mut std::io::sink()).ok()?;
                let (digest, length) = reader.into_inner().finish();
                Some((files.ok()?, digest, length))
            });
            let saved = run.wait();
            done.store(true, Ordering::Release);
            let saved_sha = saved.as_ref().ok().map(|path| Sha256Digest::of_file(path));
            (saved, saved_sha, follower.join().ok().flatten())
        });
        let checked = saved.and_then(|saved| {
            let actual = saved_sha.expect("hashed when saved").map_err(|e| Error::io("reading", &saved, e))?;
            let found = std::fs::metadata(&saved).map_err(|e| Error::io("reading", &saved, e))?.len();
            if let Some(expected) = source.size.filter(|s| *s != found) {
                return Err(Error::SizeMismatch { what: saved.display().to_string(), expected, found });
            }
            if actual != *sha {
                return Err(Error::ChecksumMismatch { what: saved.display().to_string(), expected: *sha, actual });
            }
            Ok((saved, found))
        });
        let (saved, found) = match checked {
            Ok(checked) => checked,
            Err(e) => {
                let _ = crate::cache::remove_tree(&entry_dir);
                return Err(e);
            }
        };
        let entry = match early {
            Some((files, streamed, length)) if streamed == *sha && length == found => {
                match extract::apply_zip_modes(&saved, &entry_dir, &files) {
                    Ok(()) => {
                        let stamp = Stamp {
                            archive_sha256: sha.to_hex(),
                            archive_file: file.clone(),
                            member: member.map(|m| m.as_str().to_owned()),
                            files,
                        };
                        Some(self.cache.commit_entry(lock, &entry_dir, stamp, member)?)
                    }
                    Err(e) => {
                        crate::log!("extracting {file} while pip downloaded it was not enough ({e}); extracting again");
                        None
                    }
                }
            }
            _ => {
                crate::log!("could not follow pip's download of {file}; extracting from the saved wheel");
                None
            }
        };
        if entry.is_none() {
            let _ = crate::cache::remove_tree(&entry_dir);
        }
        Ok((saved, entry))
    }

    /// Fetches a pinned source into `staging`: the file, whether it was already verified (URL
    /// downloads hash while streaming), and the source as fetched (a mirror says so).
    fn download(
        &self,
        _lock: &CacheLock,
        source: &Source,
        sha: &Sha256Digest,
        staging: &Path,
    ) -> Result<(PathBuf, bool, String)> {
        if self.offline {
            return Err(Error::Offline { what: source.location.to_string() });
        }
        let described = source.location.to_string();
        match &source.location {
            SourceLocation::PypiWheel { package, version, file } => {
                Ok((pip::download(package, version, file, staging, &self.env, self.progress)?, false, described))
            }
            SourceLocation::Url { url, file } => {
                let (url, described) = match self.env.get_str(env::URL_MIRROR) {
                    Some(base) => {
                        let mirrored = format!("{}/{file}", base.trim_end_matches('/'));
                        (mirrored.clone(), format!("{described} via mirror {mirrored}"))
                    }
                    None => (url.clone(), described),
                };
                let dest = staging.join(file);
                http::download(&url, &dest, sha, source.size, &http::HttpSettings::from_env(&self.env, &url))?;
                Ok((dest, true, described))
            }
            _ => unreachable!("only pypi and url sources are pinned"),
        }
    }

    /// The verified archive of a pinned source, kept in the cache (fetched if needed), without
    /// extracting anything: what `cargo xtask fetch` copies into a vendor directory, for any target.
    pub fn fetch_archive(&self, source: &Source) -> Result<PathBuf> {
        let sha = source.sha256.ok_or_else(|| Error::Unresolved {
            artifact: source.location.to_string(),
            target: source.targets.join(", "),
            attempts: vec![],
            remedies: vec![format!("{} is not pinned by a checksum and cannot be fetched", source.location)],
        })?;
        let file = source.location.file_name();
        let lock = self.cache.lock(&sha)?;
        let kept = self.cache.download_path(&sha, &file);
        if kept.is_file() {
            match Sha256Digest::of_file(&kept) {
                Ok(actual) if actual == sha => return Ok(kept),
                _ => {
                    crate::log!("the kept download {} is damaged; fetching it again", kept.display());
                    let _ = std::fs::remove_file(&kept);
                }
            }
        }
        let staging = self.cache.staging_dir(&lock)?;
        let outcome = (|| {
            let (fetched, verified, _) = self.download(&lock, source, &sha, &staging)?;
            if !verified {
                let actual = Sha256Digest::of_file(&fetched).map_err(|e| Error::io("reading", &fetched, e))?;
                if actual != sha {
                    return Err(Error::ChecksumMismatch { what: fetched.display().to_string(), expected: sha, actual });
                }
            }
            self.cache.commit_download(&lock, &fetched, &sha, &file)
        })();
        let _ = crate::cache::remove_tree(&staging);
        outcome
    }

    /// Checks the archive's size and (when `sha` is given) checksum while extracting `member` into
    /// staging, on two threads; commits the entry only when both succeed.
    fn verify_and_extract(
        &self,
        lock: &CacheLock,
        archive: &Path,
        sha: Option<&Sha256Digest>,
        size: Option<u64>,
        file: &str,
        member: Option<&Member>,
    ) -> Result<Entry> {
        let found = std::fs::metadata(archive).map_err(|e| Error::io("reading", archive, e))?.len();
        if let Some(expected) = size.filter(|s| *s != found) {
            return Err(Error::SizeMismatch { what: archive.display().to_string(), expected, found });
        }
        let staging = self.cache.staging_dir(lock)?;
        let (checksum, extracted) = std::thread::scope(|scope| {
            let hashing = sha.map(|_| scope.spawn(|| Sha256Digest::of_file(archive)));
            let extracted = extract::extract(archive, file, member, &staging);
            (hashing.map(|h| h.join().expect("hashing does not panic")), extracted)
        });
        let outcome = (|| {
            if let (Some(expected), Some(actual)) = (sha, checksum) {
                let actual = actual.map_err(|e| Error::io("reading", archive, e))?;
                if actual != *expected {
                    return Err(Error::ChecksumMismatch {
                        what: archive.display().to_string(),
                        expected: *expected,
                        actual,
                    });
                }
            }
            let files = extracted?;
            let archive_sha = match sha {
                Some(sha) => *sha,
                None => Sha256Digest::of_file(archive).map_err(|e| Error::io("reading", archive, e))?,
            };
            let stamp = Stamp {
                archive_sha256: archive_sha.to_hex(),
                archive_file: file.to_owned(),
                member: member.map(|m| m.as_str().to_owned()),
                files,
            };
            self.cache.commit_entry(lock, &staging, stamp, member)
        })();
        if outcome.is_err() {
            let _ = crate::cache::remove_tree(&staging);
        }
        outcome
    }

    fn resolved_entry(&self, artifact: &Artifact, source: &Source, entry: &Entry, origin: Origin) -> Resolved {
        Resolved {
            artifact: artifact.name.clone(),
            path: entry.path(),
            origin,
            sha256: entry.member_sha256(),
            archive_sha256: entry.stamp.archive_sha256.parse().ok(),
            version: match &source.location {
                SourceLocation::PypiWheel { version, .. } => Some(version.clone()),
                _ => None,
            },
        }
    }

    /// The override variable's value: the file itself, a directory holding it, or an archive.
    fn resolve_override(&self, artifact: &Artifact, target: &str, value: PathBuf) -> Result<Resolved> {
        let source = artifact.sources_for(target).next();
        let member = source.and_then(|s| s.member.as_ref());
        let file_name = artifact.file_name(target);
        let unusable = |problem: String| Error::OverrideUnusable {
            var: artifact.env.clone(),
            path: value.clone(),
            problem,
            expected: match &file_name {
                Some(name) => format!("{name}, a directory holding it, or an archive containing it"),
                None => format!("the {}", artifact.description),
            },
        };
        let meta = std::fs::metadata(&value).map_err(|e| unusable(format!("it cannot be read ({e})")))?;
        let origin = Origin::Override { var: artifact.env.clone() };
        if meta.is_dir() {
            let mut candidates = Vec::new();
            if let Some(member) = member {
                candidates.push(value.join(member.as_str().trim_end_matches('/')));
            }
            if let Some(name) = &file_name {
                candidates.push(value.join(name));
            }
            if candidates.is_empty() {
                // A whole unpacked archive (or a tree): the directory is the artifact.
                return Ok(self.plain(artifact, value.clone(), origin, None));
            }
            let found = candidates.iter().find(|c| c.exists()).ok_or_else(|| {
                let names: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
                unusable(format!("neither of {} exists", names.join(" and ")))
            })?;
            self.check_library(artifact, target, found).map_err(|e| unusable(e.to_string()))?;
            return Ok(self.plain(artifact, found.clone(), origin, None));
        }
        let is_archive = ArchiveFormat::of(&value.to_string_lossy()) != ArchiveFormat::Bare;
        if is_archive {
            let resolved =
                self.local_file(artifact, target, &value, member, None).map_err(|e| unusable(e.to_string()))?;
            return Ok(Resolved { origin, ..resolved });
        }
        self.check_library(artifact, target, &value).map_err(|e| unusable(e.to_string()))?;
        Ok(self.plain(artifact, value.clone(), origin, None))
    }

    /// A file on this machine: used in place, or extracted into the cache when it is an archive.
    fn local_file(
        &self,
        artifact: &Artifact,
        target: &str,
        path: &Path,
        member: Option<&Member>,
        expected: Option<Sha256Digest>,
    ) -> Result<Resolved> {
        if !path.is_file() {
            return Err(Error::io("reading", path, std::io::ErrorKind::NotFound.into()));
        }
        let is_archive = ArchiveFormat::of(&path.to_string_lossy()) != ArchiveFormat::Bare;
        if !is_archive {
            if let Some(expected) = expected {
                let actual = Sha256Digest::of_file(path).map_err(|e| Error::io("reading", path, e))?;
                if actual != expected {
                    return Err(Error::ChecksumMismatch { what: path.display().to_string(), expected, actual });
                }
            }
            self.check_library(artifact, target, path)?;
            return Ok(self.plain(artifact, path.to_owned(), Origin::LocalPath, expected));
        }
        let sha = Sha256Digest::of_file(path).map_err(|e| Error::io("reading", path, e))?;
        if let Some(expected) = expected.filter(|e| *e != sha) {
            return Err(Error::ChecksumMismatch { what: path.display().to_string(), expected, actual: sha });
        }
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let entry = match self.cache.lookup(&sha, member, self.verification)? {
            Some(entry) => entry,
            None => {
                let lock = self.cache.lock(&sha)?;
                match self.cache.lookup(&sha, member, self.verification)? {
                    Some(entry) => entry,
                    // Hashed just above: extraction need not hash the archive again.
                    None => self.verify_and_extract(&lock, path, None, None, &file, member)?,
                }
            }
        };
        Ok(Resolved {
            artifact: artifact.name.clone(),
            path: entry.path(),
            origin: Origin::LocalPath,
            sha256: entry.member_sha256(),
            archive_sha256: Some(sha),
            version: None,
        })
    }

    fn bazel(
        &self,
        artifact: &Artifact,
        target: &str,
        source: &Source,
        label: &str,
    ) -> std::result::Result<Resolved, String> {
        if self.offline {
            return Err("skipped: offline".into());
        }
        let (bazel, workspace) = bazel::locate(&self.env).map_err(|e| format!("skipped: {e}"))?;
        let output = bazel::build(&bazel, &workspace, label, target, &self.env).map_err(|e| e.to_string())?;
        let resolved =
            self.local_file(artifact, target, &output, source.member.as_ref(), None).map_err(|e| e.to_string())?;
        Ok(Resolved { origin: Origin::Bazel { label: label.into() }, ..resolved })
    }

    fn plain(&self, artifact: &Artifact, path: PathBuf, origin: Origin, sha256: Option<Sha256Digest>) -> Resolved {
        Resolved { artifact: artifact.name.clone(), path, origin, sha256, archive_sha256: None, version: None }
    }

    /// Libraries given by hand are checked to be libraries for the target, before any link or load.
    fn check_library(&self, artifact: &Artifact, target: &str, path: &Path) -> Result<()> {
        if matches!(artifact.kind, ArtifactKind::PjrtPlugin | ArtifactKind::SharedLibrary) && path.is_file() {
            library::check_for_target(path, target)?;
        }
        Ok(())
    }

    fn remedies(&self, artifact: &Artifact, target: &str, sources: &[&Source]) -> Vec<String> {
        let mut remedies = vec![match artifact.file_name(target) {
            Some(file) => format!(
                "set {} to {file} (the file, a directory holding it, or an archive containing it)",
                artifact.env
            ),
            None => format!("set {} to the {}", artifact.env, artifact.description),
        }];
        if self.offline {
            remedies.push(format!(
                "allow network access (unset {} and {}), or run `cargo xtask fetch` on a connected machine and set {} to the directory it fills",
                env::CARGO_NET_OFFLINE,
                env::OFFLINE,
                env::VENDOR_DIR
            ));
        }
        for source in sources {
            match &source.location {
                SourceLocation::PypiWheel { package, version, .. } => remedies.push(format!(
                    "make `pip download {package}=={version}` work here (a pip mirror: {} or {})",
                    env::PIP_INDEX_URL,
                    env::PIP_FIND_LINKS
                )),
                SourceLocation::Url { url, file } => remedies
                    .push(format!("make {url} reachable, or set {} to a mirror holding {file}", env::URL_MIRROR)),
                SourceLocation::Bazel { label } => remedies.push(format!(
                    "install Bazel and build {label} in the repository's bazel/ folder (see bazel/README.md)"
                )),
                SourceLocation::LocalPath { path } => remedies.push(format!("install the file {path}")),
            }
        }
        remedies.extend(artifact.help.clone());
        remedies.dedup();
        remedies
    }
}
