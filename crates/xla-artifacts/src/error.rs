//! The engine's error type: one variant per failure, each saying what was expected, what was found,
//! and what the user can do.

use std::fmt;
use std::path::PathBuf;

use crate::digest::Sha256Digest;
use crate::manifest::ManifestError;

/// Every way resolving an artifact can fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The manifest is malformed.
    #[error(transparent)]
    Manifest(#[from] ManifestError),

    /// No artifact of that name is in the manifest.
    #[error("no artifact {name:?} in artifacts.toml; known artifacts: {known}")]
    UnknownArtifact {
        /// The name asked for.
        name: String,
        /// The names the manifest has, comma-separated.
        known: String,
    },

    /// The artifact does not exist for the target being built.
    #[error(
        "{artifact} is not available for target {target}; it exists for: {supported}. \
         Build for one of those targets, or set {env} to a build of it for {target}"
    )]
    UnsupportedTarget {
        /// The artifact.
        artifact: String,
        /// The target being built.
        target: String,
        /// Targets it exists for, comma-separated.
        supported: String,
        /// Its override variable.
        env: String,
    },

    /// The override variable points at nothing usable.
    #[error("{var} is set to {path}, but {problem}. Point {var} at {expected}, or unset it")]
    OverrideUnusable {
        /// The variable.
        var: String,
        /// Its value.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
        /// What it should point at.
        expected: String,
    },

    /// Bytes whose checksum is not the pinned one. The file was removed.
    #[error(
        "checksum mismatch for {what}: expected SHA-256 {expected}, found {actual}. The file was \
         removed and nothing was cached. If the source changed on purpose, update artifacts.toml \
         (`cargo xtask bump-xla`); otherwise the download or the mirror is corrupt: try again"
    )]
    ChecksumMismatch {
        /// What was checked (a URL, a wheel, a path).
        what: String,
        /// The pinned checksum.
        expected: Sha256Digest,
        /// The checksum of the bytes received.
        actual: Sha256Digest,
    },

    /// Bytes of another size than the pinned one.
    #[error("size mismatch for {what}: expected {expected} bytes, found {found}. Nothing was cached")]
    SizeMismatch {
        /// What was checked.
        what: String,
        /// The pinned size.
        expected: u64,
        /// The size received (or announced).
        found: u64,
    },

    /// An HTTP request failed with a status.
    #[error("GET {url} answered HTTP {status}{}", retried_note(*attempts))]
    HttpStatus {
        /// The address.
        url: String,
        /// The status code.
        status: u16,
        /// How many attempts were made.
        attempts: u32,
    },

    /// An HTTP transfer failed: connection, timeout, reset, truncation.
    #[error("GET {url} failed: {message}{}", retried_note(*attempts))]
    HttpTransfer {
        /// The address.
        url: String,
        /// What the client reported.
        message: String,
        /// How many attempts were made.
        attempts: u32,
    },

    /// The body ended before the pinned or announced length.
    #[error("GET {url} was cut short: {}received {received} bytes{}", expected.map(|e| format!("expected {e} bytes, ")).unwrap_or_default(), retried_note(*attempts))]
    Truncated {
        /// The address.
        url: String,
        /// The pinned size, where pinned.
        expected: Option<u64>,
        /// Bytes received before the end.
        received: u64,
        /// How many attempts were made.
        attempts: u32,
    },

    /// A fetch that was not attempted because the network is off limits.
    #[error("{what}: not fetched, the network is off limits (CARGO_NET_OFFLINE or RYFT_XLA_SYS_OFFLINE is set)")]
    Offline {
        /// The source that would have been fetched.
        what: String,
    },

    /// Python or pip could not be started.
    #[error(
        "could not run pip with `{python} -m pip`: {detail}. Install Python 3 with pip \
         (e.g. `apt-get install python3-pip`), or set RYFT_XLA_SYS_PYTHON to an interpreter that has it"
    )]
    PipUnavailable {
        /// The interpreter tried.
        python: String,
        /// What happened.
        detail: String,
    },

    /// pip ran and failed.
    #[error("`{command}` failed ({status}):\n{output}")]
    PipFailed {
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// The last lines it printed.
        output: String,
    },

    /// pip succeeded but did not save the pinned file.
    #[error("pip saved {found:?} instead of the pinned wheel {expected:?}; check the pip index or mirror")]
    PipUnexpectedFile {
        /// The file the manifest pins.
        expected: String,
        /// What pip saved.
        found: String,
    },

    /// The member is not in the archive.
    #[error("{archive} has no member {member:?}{}", similar_note(similar))]
    MemberMissing {
        /// The archive.
        archive: PathBuf,
        /// The member asked for.
        member: String,
        /// Members of the same file name elsewhere in the archive.
        similar: Vec<String>,
    },

    /// An archive entry that would write outside its destination, or that is not a plain file.
    #[error("refusing archive entry {entry:?} of {archive}: {reason}")]
    UnsafeArchiveEntry {
        /// The archive.
        archive: PathBuf,
        /// The entry's name.
        entry: String,
        /// Why it is refused.
        reason: String,
    },

    /// An archive that cannot be read.
    #[error("cannot read archive {archive}: {message}. It may be truncated or not an archive")]
    CorruptArchive {
        /// The archive.
        archive: PathBuf,
        /// The reader's complaint.
        message: String,
    },

    /// The cache directory cannot be written.
    #[error(
        "the artifact cache {dir} is not writable ({source}). Set RYFT_XLA_SYS_CACHE_DIR to a \
         writable directory"
    )]
    CacheNotWritable {
        /// The directory.
        dir: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// A file-system operation failed.
    #[error("{operation} {path}: {source}")]
    Io {
        /// What was being done.
        operation: &'static str,
        /// On what.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// A Bazel build failed.
    #[error("`{command}` failed ({status}):\n{output}")]
    BazelFailed {
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// The last lines it printed.
        output: String,
    },

    /// A file that should be a library of the target's format is not.
    #[error("{path} is not a {expected}: {found}")]
    NotALibrary {
        /// The file.
        path: PathBuf,
        /// The expected format, e.g. "ELF x86-64 shared library".
        expected: String,
        /// What it is.
        found: String,
    },

    /// Every way to get the artifact failed, or none was allowed.
    #[error("{}", unresolved_message(.artifact, .target, .attempts, .remedies))]
    Unresolved {
        /// The artifact.
        artifact: String,
        /// The target.
        target: String,
        /// Each source tried, and why it failed or was skipped.
        attempts: Vec<Attempt>,
        /// What the user can set or install.
        remedies: Vec<String>,
    },
}

/// One source tried during resolution, and its outcome.
#[derive(Debug)]
pub struct Attempt {
    /// The source, described.
    pub source: String,
    /// Why it did not serve.
    pub outcome: String,
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.outcome)
    }
}

fn retried_note(attempts: u32) -> String {
    if attempts > 1 { format!(" (after {attempts} attempts)") } else { String::new() }
}

fn similar_note(similar: &[String]) -> String {
    if similar.is_empty() { String::new() } else { format!("; it has {}", similar.join(", ")) }
}

fn unresolved_message(artifact: &str, target: &str, attempts: &[Attempt], remedies: &[String]) -> String {
    let mut message = format!("could not get {artifact} for {target}.");
    if !attempts.is_empty() {
        message.push_str("\nTried:");
        for attempt in attempts {
            message.push_str(&format!("\n  - {attempt}"));
        }
    }
    message.push_str("\nTo fix it, any one of:");
    for remedy in remedies {
        message.push_str(&format!("\n  - {remedy}"));
    }
    message
}

impl Error {
    pub(crate) fn io(operation: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { operation, path: path.into(), source }
    }
}

/// Shorthand used across the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;
