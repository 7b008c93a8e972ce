//! `artifacts.toml`: its schema (documented at the top of the file itself), parsing and validation.
//!
//! Parsing is strict: an unknown key, a missing or malformed checksum, a source with two locations,
//! a relative path where an absolute one is needed... each is an error naming the line.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;
use std::sync::LazyLock;

use serde::Deserialize;
use toml::Spanned;

use crate::digest::Sha256Digest;

/// The manifest this version of the engine was published with: the workspace's `artifacts.toml`.
pub const EMBEDDED_MANIFEST: &str = include_str!("../artifacts.toml");

static EMBEDDED: LazyLock<Result<Manifest, ManifestError>> =
    LazyLock::new(|| Manifest::parse(EMBEDDED_MANIFEST, "artifacts.toml"));

/// A parsed, validated manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The release set the artifacts belong to.
    pub release: Release,
    /// The artifacts, in file order.
    pub artifacts: Vec<Artifact>,
}

/// The `[release]` table.
#[derive(Debug, Clone)]
pub struct Release {
    /// The jax release whose plugins the manifest pins.
    pub jax: String,
    /// The XLA commit (40 hex digits) the release set was built from.
    pub xla_commit: String,
    /// SHA-256 of the XLA source archive at that commit, where known.
    pub xla_source_sha256: Option<Sha256Digest>,
    /// The PJRT C API version the release set's plugins report.
    pub pjrt_api: ApiVersion,
}

/// One `[artifact.<name>]` table.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The table's key, e.g. `pjrt-cpu`.
    pub name: String,
    /// One line, for logs and errors.
    pub description: String,
    /// What the artifact is.
    pub kind: ArtifactKind,
    /// The environment variable that overrides every source.
    pub env: String,
    /// The crate of the workspace that uses it, if any.
    pub crate_name: Option<String>,
    /// The PJRT C API version a plugin reports.
    pub pjrt_api: Option<ApiVersion>,
    /// Whether crates use the artifact, or only tests or generators.
    pub role: Role,
    /// What a user can do when no source serves, in the artifact's own words.
    pub help: Option<String>,
    /// Ways to get the artifact, in priority order.
    pub sources: Vec<Source>,
    /// Targets the artifact exists for: the manifest's `targets`, or else every target a source serves.
    pub targets: BTreeSet<String>,
    /// Shared libraries the artifact loads at run time from the system or beside itself (not its
    /// link-time dependencies): what `doctor` and run-time layouts check.
    pub needs: Vec<String>,
    /// Artifacts laid out beside this one so that it finds `needs` with no search path set (the
    /// CUDA runtime libraries of a CUDA plugin).
    pub runtime: Vec<String>,
    /// Line of the `[artifact.<name>]` table.
    pub line: usize,
}

impl Artifact {
    /// The sources serving `target`, in priority order.
    pub fn sources_for<'a>(&'a self, target: &'a str) -> impl Iterator<Item = &'a Source> + 'a {
        self.sources.iter().filter(move |s| s.serves(target))
    }

    /// Whether the artifact exists for `target`.
    pub fn supports(&self, target: &str) -> bool {
        self.targets.contains(target) || self.targets.contains("*")
    }

    /// The file name the artifact has on disk: a file member's last component, or the file a
    /// source yields (not known for Bazel outputs).
    pub fn file_name(&self, target: &str) -> Option<String> {
        self.sources_for(target).find_map(|source| match (&source.member, &source.location) {
            (Some(member), _) if !member.is_subtree() => Some(member.file_name().to_owned()),
            (Some(_), _) | (None, SourceLocation::Bazel { .. }) => None,
            (None, location) => Some(location.file_name()),
        })
    }
}

/// What an artifact is; decides how crates use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// A PJRT plugin, loaded at run time.
    PjrtPlugin,
    /// A shared library linked at build time.
    SharedLibrary,
    /// An archive holding a static library and its headers.
    StaticArchive,
    /// A directory tree of shared libraries (e.g. CUDA runtime libraries).
    LibraryTree,
    /// Interface definitions read by generators.
    Headers,
}

/// Who uses an artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A crate's build uses it.
    #[default]
    Product,
    /// Only tests use it.
    Fixture,
    /// Only `cargo xtask` generators use it.
    Generator,
    /// Laid out beside another artifact that lists it in its `runtime`.
    Runtime,
}

/// One `[[artifact.<name>.source]]`.
#[derive(Debug, Clone)]
pub struct Source {
    /// Target triples served; `*` serves every target.
    pub targets: Vec<String>,
    /// Where the bytes come from.
    pub location: SourceLocation,
    /// The checksum of what `location` yields (the archive, not the member).
    pub sha256: Option<Sha256Digest>,
    /// The size in bytes of what `location` yields.
    pub size: Option<u64>,
    /// What to take from the archive.
    pub member: Option<Member>,
    /// Line of the source's table in the manifest.
    pub line: usize,
}

impl Source {
    /// Whether this source serves `target`.
    pub fn serves(&self, target: &str) -> bool {
        self.targets.iter().any(|t| t == target || t == "*")
    }
}

/// Where a source's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceLocation {
    /// A wheel fetched with pip by package, version and exact file name.
    PypiWheel {
        /// The distribution name.
        package: String,
        /// The exact version.
        version: String,
        /// The wheel file pip must save.
        file: String,
    },
    /// A file fetched over HTTPS (plain HTTP only on loopback, for tests).
    Url {
        /// The address.
        url: String,
        /// The file name to store it under.
        file: String,
    },
    /// A target of the repository's `bazel/` workspace.
    Bazel {
        /// The Bazel label.
        label: String,
    },
    /// A file already on the machine.
    LocalPath {
        /// Its absolute path.
        path: String,
    },
}

impl SourceLocation {
    /// The name of the file this location yields.
    pub fn file_name(&self) -> String {
        match self {
            Self::PypiWheel { file, .. } | Self::Url { file, .. } => file.clone(),
            Self::Bazel { label } => label.rsplit([':', '/']).next().unwrap_or(label).to_owned(),
            Self::LocalPath { path } => last_component(path).to_owned(),
        }
    }

    /// Whether getting these bytes needs the network.
    pub fn needs_network(&self) -> bool {
        matches!(self, Self::PypiWheel { .. } | Self::Url { .. })
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PypiWheel { package, version, file } => {
                write!(f, "PyPI wheel {package}=={version} ({file})")
            }
            Self::Url { url, .. } => write!(f, "URL {url}"),
            Self::Bazel { label } => write!(f, "Bazel target {label}"),
            Self::LocalPath { path } => write!(f, "local file {path}"),
        }
    }
}

/// A path inside an archive: one file, or a subtree when it ends with `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Member(String);

impl Member {
    /// Validates a member path: relative, `/`-separated, without `.`, `..` or empty components.
    pub fn new(path: &str) -> Result<Self, String> {
        let trimmed = path.strip_suffix('/').unwrap_or(path);
        if trimmed.is_empty() || path.starts_with('/') || path.contains('\\') {
            return Err(format!("member {path:?} must be a relative path with `/` separators"));
        }
        if trimmed.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
            return Err(format!("member {path:?} must not contain empty, `.` or `..` components"));
        }
        Ok(Self(path.to_owned()))
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the member is a whole subtree.
    pub fn is_subtree(&self) -> bool {
        self.0.ends_with('/')
    }

    /// The last path component.
    pub fn file_name(&self) -> &str {
        last_component(self.0.trim_end_matches('/'))
    }
}

fn last_component(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A PJRT C API version, `major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion {
    /// Incremented on ABI-incompatible changes.
    pub major: u32,
    /// Incremented when fields are appended.
    pub minor: u32,
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl std::str::FromStr for ApiVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (major, minor) = s.split_once('.').ok_or_else(|| format!("expected `major.minor`, found {s:?}"))?;
        let parse = |p: &str| p.parse::<u32>().map_err(|_| format!("expected `major.minor`, found {s:?}"));
        Ok(Self { major: parse(major)?, minor: parse(minor)? })
    }
}

/// A mistake in a manifest, with its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}:{line}:{column}: {message}")]
pub struct ManifestError {
    /// Where the text came from (a path, or `artifacts.toml` for the embedded manifest).
    pub origin: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong, and what was expected.
    pub message: String,
}

impl Manifest {
    /// The manifest embedded in this crate.
    pub fn embedded() -> Result<&'static Manifest, ManifestError> {
        EMBEDDED.as_ref().map_err(Clone::clone)
    }

    /// Parses and validates manifest text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Manifest, ManifestError> {
        let at = |span: Option<Range<usize>>, message: String| {
            let (line, column) = line_and_column(text, span.map_or(0, |s| s.start));
            ManifestError { origin: origin.to_owned(), line, column, message }
        };
        let raw: RawManifest = toml::from_str(text).map_err(|e| at(e.span(), e.message().to_owned()))?;
        Validator { text, at: &at }.manifest(raw)
    }

    /// The artifact called `name`.
    pub fn artifact(&self, name: &str) -> Option<&Artifact> {
        self.artifacts.iter().find(|a| a.name == name)
    }
}

/// 1-based line and column of byte `offset`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.len(), |nl| before.len() - nl - 1) + 1;
    (line, column)
}

struct Validator<'a, F> {
    text: &'a str,
    at: &'a F,
}

impl<F: Fn(Option<Range<usize>>, String) -> ManifestError> Validator<'_, F> {
    fn manifest(&self, raw: RawManifest) -> Result<Manifest, ManifestError> {
        if *raw.schema.get_ref() != 1 {
            let found = raw.schema.get_ref();
            return Err(self.err(&raw.schema, format!("unsupported schema {found}: this engine reads schema 1")));
        }
        let release = self.release(raw.release)?;
        let mut artifacts = Vec::new();
        let mut env_vars = BTreeSet::new();
        for (name, raw_artifact) in raw.artifact {
            let span = raw_artifact.span();
            let artifact = self.artifact(name.into_inner(), raw_artifact.into_inner(), span)?;
            if !env_vars.insert(artifact.env.clone()) {
                return Err((self.at)(None, format!("environment variable {} is used by two artifacts", artifact.env))
                    .with_line(artifact.line));
            }
            artifacts.push(artifact);
        }
        artifacts.sort_by_key(|a| a.line);
        for artifact in &artifacts {
            if let Some(missing) = artifact.runtime.iter().find(|r| !artifacts.iter().any(|a| &a.name == *r)) {
                let message = format!(
                    "artifact {} lists runtime artifact {missing}, which is not in the manifest",
                    artifact.name
                );
                return Err((self.at)(None, message).with_line(artifact.line));
            }
        }
        Ok(Manifest { release, artifacts })
    }

    fn release(&self, raw: RawRelease) -> Result<Release, ManifestError> {
        let commit = raw.xla_commit.get_ref();
        if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.err(&raw.xla_commit, format!("expected a 40-digit commit hash, found {commit:?}")));
        }
        Ok(Release {
            jax: raw.jax,
            xla_commit: commit.clone(),
            xla_source_sha256: raw.xla_source_sha256.map(|d| self.digest(&d)).transpose()?,
            pjrt_api: self.api_version(&raw.pjrt_api)?,
        })
    }

    fn artifact(&self, name: String, raw: RawArtifact, span: Range<usize>) -> Result<Artifact, ManifestError> {
        let env = raw.env.get_ref();
        if env.is_empty() || !env.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') {
            return Err(
                self.err(&raw.env, format!("expected an environment variable name (A-Z, 0-9, _), found {env:?}"))
            );
        }
        let sources = raw.source.into_iter().map(|s| self.source(s)).collect::<Result<Vec<_>, _>>()?;
        let targets = match raw.targets {
            Some(targets) => {
                let declared: BTreeSet<String> = targets.get_ref().iter().cloned().collect();
                if let Some(extra) = sources.iter().flat_map(|s| &s.targets).find(|t| !declared.contains(*t)) {
                    let message = format!("a source serves {extra}, which is not among the artifact's `targets`");
                    return Err(self.err(&targets, message));
                }
                declared
            }
            None => sources.iter().flat_map(|s| s.targets.iter().cloned()).collect(),
        };
        Ok(Artifact {
            name,
            description: raw.description,
            kind: raw.kind,
            env: env.clone(),
            crate_name: raw.crate_name,
            pjrt_api: raw.pjrt_api.map(|v| self.api_version(&v)).transpose()?,
            role: raw.role.unwrap_or_default(),
            help: raw.help,
            sources,
            targets,
            needs: raw.needs,
            runtime: raw.runtime,
            line: self.line_of(&span),
        })
    }

    fn source(&self, spanned: Spanned<RawSource>) -> Result<Source, ManifestError> {
        let span = spanned.span();
        let line = self.line_of(&span);
        let raw = spanned.into_inner();
        let here = |message: String| (self.at)(Some(span.clone()), message);
        if raw.targets.is_empty() {
            return Err(here("`targets` must name at least one target triple (or \"*\")".into()));
        }
        let location = match (raw.pypi, raw.url, raw.bazel, raw.path) {
            (Some(package), None, None, None) => {
                let (Some(version), Some(file)) = (raw.version.clone(), raw.file.clone()) else {
                    return Err(here("a `pypi` source needs `version` and `file`".into()));
                };
                let prefix = format!("{}-{}-", package.replace('-', "_"), version);
                if !file.ends_with(".whl") || !file.to_ascii_lowercase().starts_with(&prefix.to_ascii_lowercase()) {
                    return Err(here(format!(
                        "expected `file` to be a wheel named {prefix}<tags>.whl, found {file:?}"
                    )));
                }
                SourceLocation::PypiWheel { package, version, file }
            }
            (None, Some(url), None, None) => {
                check_url(&url).map_err(&here)?;
                let file = match raw.file {
                    Some(file) => file,
                    None => {
                        url.rsplit('/').next().filter(|f| !f.is_empty()).map(str::to_owned).ok_or_else(|| {
                            here(format!("URL {url:?} ends with `/`: name the file with `file = ...`"))
                        })?
                    }
                };
                SourceLocation::Url { url, file }
            }
            (None, None, Some(label), None) => {
                if !label.starts_with("//") && !label.starts_with('@') {
                    return Err(here(format!("expected a Bazel label such as //:target, found {label:?}")));
                }
                SourceLocation::Bazel { label }
            }
            (None, None, None, Some(path)) => {
                if !std::path::Path::new(&path).is_absolute() {
                    return Err(here(format!("a `path` source must be absolute, found {path:?}")));
                }
                SourceLocation::LocalPath { path }
            }
            _ => return Err(here("a source needs exactly one of `pypi`, `url`, `bazel` or `path`".into())),
        };
        if !matches!(location, SourceLocation::PypiWheel { .. }) && raw.version.is_some() {
            return Err(here("`version` belongs to `pypi` sources only".into()));
        }
        let sha256 = raw.sha256.as_ref().map(|d| self.digest(d)).transpose()?;
        match (&location, &sha256, raw.size) {
            (SourceLocation::PypiWheel { .. } | SourceLocation::Url { .. }, None, _) => {
                return Err(here(format!("missing `sha256`: a {location} must be pinned by its checksum")));
            }
            (SourceLocation::PypiWheel { .. }, _, None) => {
                return Err(here(format!("missing `size` (in bytes) for the {location}")));
            }
            (SourceLocation::Bazel { .. }, Some(_), _) | (SourceLocation::Bazel { .. }, _, Some(_)) => {
                return Err(here("a `bazel` source is built here: it takes no `sha256` or `size`".into()));
            }
            _ => {}
        }
        let member = raw.member.map(|m| Member::new(&m).map_err(&here)).transpose()?;
        Ok(Source { targets: raw.targets, location, sha256, size: raw.size, member, line })
    }

    fn digest(&self, raw: &Spanned<String>) -> Result<Sha256Digest, ManifestError> {
        raw.get_ref().parse().map_err(|e: crate::digest::MalformedDigest| self.err(raw, e.to_string()))
    }

    fn api_version(&self, raw: &Spanned<String>) -> Result<ApiVersion, ManifestError> {
        raw.get_ref().parse().map_err(|e| self.err(raw, e))
    }

    fn err<T>(&self, spanned: &Spanned<T>, message: String) -> ManifestError {
        (self.at)(Some(spanned.span()), message)
    }

    fn line_of(&self, span: &Range<usize>) -> usize {
        line_and_column(self.text, span.start).0
    }
}

impl ManifestError {
    fn with_line(mut self, line: usize) -> Self {
        self.line = line;
        self.column = 1;
        self
    }
}

fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("https://") {
        return Ok(());
    }
    // Plain HTTP is accepted only on loopback, where the engine's own tests serve files.
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"];
    if loopback.iter().any(|p| url.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/'])))
    {
        return Ok(());
    }
    Err(format!("expected an https:// URL, found {url:?}"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    schema: Spanned<u32>,
    release: RawRelease,
    #[serde(default)]
    artifact: std::collections::BTreeMap<Spanned<String>, Spanned<RawArtifact>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRelease {
    jax: String,
    xla_commit: Spanned<String>,
    xla_source_sha256: Option<Spanned<String>>,
    pjrt_api: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawArtifact {
    description: String,
    kind: ArtifactKind,
    env: Spanned<String>,
    #[serde(rename = "crate")]
    crate_name: Option<String>,
    pjrt_api: Option<Spanned<String>>,
    role: Option<Role>,
    help: Option<String>,
    targets: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    needs: Vec<String>,
    #[serde(default)]
    runtime: Vec<String>,
    #[serde(default)]
    source: Vec<Spanned<RawSource>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    targets: Vec<String>,
    pypi: Option<String>,
    version: Option<String>,
    file: Option<String>,
    url: Option<String>,
    bazel: Option<String>,
    path: Option<String>,
    sha256: Option<Spanned<String>>,
    size: Option<u64>,
    member: Option<String>,
}

#[cfg(test)]
mod tests;
