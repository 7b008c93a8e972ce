//! The plan of a bump, made without writing anything: each artifact's fate (its new wheels, or
//! why it stays), the XLA commit, the PJRT C API version and the headers that declare it, what
//! changes in the bindings and the protos, and the new text of every file the bump rewrites.

use std::collections::BTreeMap;
use std::ffi::OsString;

use anyhow::Context as _;
use xla_artifacts::{Env, Manifest, Resolver, Sha256Digest, SourceLocation};

use super::api::{self, ApiPlan, HeadersPlan};
use super::find::{self, JaxRelease, Lookup, NewWheel};
use super::policy::{self, Rule};
use super::repo::{self, Repo};
use super::rewrite::{self, ArtifactEdit, Edits, SourceEdit};
use super::schema::SchemaDiff;
use super::surface::SurfaceDiff;
use super::{changelog, diffs, pin, report};

/// What the command was asked.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--jax VERSION`: the jax release to move to.
    pub jax: Option<String>,
    /// `--xla-commit SHA`.
    pub xla_commit: Option<String>,
    /// `--xla-source-sha256 HEX`: the checksum of XLA's source archive at the new commit.
    pub xla_source_sha256: Option<Sha256Digest>,
    /// `--pjrt-headers VERSION`: the tf-nightly whose headers to take.
    pub pjrt_headers: Option<String>,
    /// `--set NAME=VERSION`: explicit versions, by artifact.
    pub versions: BTreeMap<String, String>,
    /// `--dry-run`.
    pub dry_run: bool,
}

/// How the engine is run: its environment, whether pip shows its progress, the host.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The environment (`None`: the process's).
    pub vars: Option<Vec<(String, OsString)>>,
    /// pip's progress on the terminal.
    pub progress: bool,
    /// The host target triple (plugins are loaded for it).
    pub host: String,
}

impl Settings {
    /// A resolver over `manifest`.
    pub fn resolver<'m>(&self, manifest: &'m Manifest) -> Resolver<'m> {
        let env = match &self.vars {
            Some(vars) => Env::fixed(vars.clone()),
            None => Env::process(),
        };
        Resolver::new(manifest, env).show_progress(self.progress)
    }
}

/// Everything a bump does, decided.
#[derive(Debug)]
pub struct Plan {
    /// The jax release, old and new.
    pub jax: (String, String),
    /// What the new jax wheel says.
    pub jax_release: Option<JaxRelease>,
    /// Each artifact's fate, in manifest order.
    pub artifacts: Vec<ArtifactPlan>,
    /// The XLA commit.
    pub commit: CommitPlan,
    /// The PJRT C API version of the release set.
    pub api: ApiPlan,
    /// The PJRT headers.
    pub headers: HeadersPlan,
    /// What changes in pjrt-sys's bindings (`None`: the headers did not change), or why the new
    /// ones could not be generated.
    pub bindings: Result<Option<SurfaceDiff>, String>,
    /// What changes in xla-protos (and from which artifacts), or why it could not be read.
    pub protos: Result<(SchemaDiff, String), String>,
    /// The files rewritten: path, old text, new text.
    pub files: Vec<(String, String, String)>,
    /// Why a real run would refuse to write (a dry run prints them).
    pub blockers: Vec<String>,
    /// What is left to do by hand, and warnings.
    pub notes: Vec<String>,
}

/// One artifact's fate.
#[derive(Debug)]
pub struct ArtifactPlan {
    /// The artifact.
    pub name: String,
    /// Moves or stays.
    pub fate: Fate,
}

/// Whether an artifact moves.
#[derive(Debug)]
pub enum Fate {
    /// Its PyPI sources move to `version`.
    Moves {
        /// The new version.
        version: String,
        /// Why that version.
        why: String,
        /// Each PyPI source.
        sources: Vec<SourcePlan>,
    },
    /// It stays as it is.
    Kept {
        /// Why.
        reason: String,
    },
}

/// One PyPI source of a moving artifact.
#[derive(Debug)]
pub struct SourcePlan {
    /// Its position among the artifact's sources.
    pub index: usize,
    /// The targets it serves.
    pub targets: Vec<String>,
    /// Its package.
    pub package: String,
    /// The pinned version.
    pub old_version: String,
    /// The pinned file.
    pub old_file: String,
    /// What was found.
    pub outcome: SourceOutcome,
}

/// What a source's new version turned out to be.
#[derive(Debug)]
pub enum SourceOutcome {
    /// Already that version.
    Unchanged,
    /// A new wheel.
    New(NewWheel),
    /// No wheel of that version for the source's platform: the source stays as it is.
    NotFound {
        /// The tag sets tried.
        tried: Vec<String>,
    },
    /// A wheel without the source's member: the source stays as it is.
    MemberMissing {
        /// The wheel.
        file: String,
        /// The member it lacks.
        member: String,
    },
}

impl SourcePlan {
    /// The new wheel, when there is one.
    pub fn new_wheel(&self) -> Option<&NewWheel> {
        match &self.outcome {
            SourceOutcome::New(new) => Some(new),
            _ => None,
        }
    }
}

impl ArtifactPlan {
    /// The sources of a moving artifact (none for a kept one).
    pub fn sources(&self) -> &[SourcePlan] {
        match &self.fate {
            Fate::Moves { sources, .. } => sources,
            Fate::Kept { .. } => &[],
        }
    }
}

/// The XLA commit of the new release set.
#[derive(Debug)]
pub struct CommitPlan {
    /// The pinned one.
    pub old: String,
    /// The new one, when known.
    pub new: Option<String>,
    /// How it was decided, or where it was looked for.
    pub how: String,
}

/// Decides everything, fetching what it must (into the cache) and writing nothing.
pub fn make(repo: &Repo, options: &Options, settings: &Settings) -> anyhow::Result<Plan> {
    let old_text = repo.read(repo::ARTIFACTS)?;
    let old = Manifest::parse(&old_text, repo::ARTIFACTS)?;
    for name in options.versions.keys() {
        if old.artifact(name).is_none() {
            let known: Vec<&str> = old.artifacts.iter().map(|a| a.name.as_str()).collect();
            anyhow::bail!("--set {name}=...: no artifact {name} in artifacts.toml; it has {}", known.join(", "));
        }
    }
    let resolver = settings.resolver(&old);
    let jax_release = match &options.jax {
        Some(version) => Some(
            find::jax_release(&resolver, version)?
                .with_context(|| format!("jax {version} is not on the package index"))?,
        ),
        None => None,
    };
    let jax = (old.release.jax.clone(), options.jax.clone().unwrap_or_else(|| old.release.jax.clone()));
    let mut notes = Vec::new();
    let mut blockers = Vec::new();

    // The artifacts whose version follows from the release (the headers wait for the API version).
    let mut artifacts = Vec::new();
    for artifact in &old.artifacts {
        let fate = match target_version(artifact, options, jax_release.as_ref()) {
            Target::Version(version, why) => {
                let mut sources = Vec::new();
                for (index, source) in artifact.sources.iter().enumerate() {
                    let SourceLocation::PypiWheel { package, version: old_version, file } = &source.location else {
                        continue;
                    };
                    let outcome = if *old_version == version {
                        SourceOutcome::Unchanged
                    } else {
                        look_up(&resolver, package, &version, file, source.member.as_ref().map(|m| m.as_str()))?
                    };
                    let (targets, package) = (source.targets.clone(), package.clone());
                    let (old_version, old_file) = (old_version.clone(), file.clone());
                    sources.push(SourcePlan { index, targets, package, old_version, old_file, outcome });
                }
                Fate::Moves { version, why, sources }
            }
            Target::Later => continue,
            Target::Kept(reason) => Fate::Kept { reason },
        };
        artifacts.push(ArtifactPlan { name: artifact.name.clone(), fate });
    }

    let commit = commit(&old, options, &artifacts, jax_release.as_ref(), &mut blockers)?;
    let mut edits = Edits {
        jax: (jax.0 != jax.1).then(|| jax.clone()),
        xla_commit: commit.new.clone().filter(|c| *c != commit.old),
        xla_source_sha256: match (&commit.new, options.xla_source_sha256) {
            (_, Some(sha)) => Some(Some(sha)),
            (Some(new), None) if *new != commit.old && old.release.xla_source_sha256.is_some() => Some(None),
            _ => None,
        },
        pjrt_api: None,
        artifacts: source_edits(&artifacts),
    };

    // The API version the new plugins report, then the headers declaring it.
    let moved_text = rewrite::artifacts_toml(&old_text, &edits)?;
    let moved = Manifest::parse(&moved_text, "artifacts.toml (new plugins)")?;
    let (api, headers) = api::decide(&old, &moved, &artifacts, options, settings, &mut blockers, &mut notes)?;
    if let Some(new) = api.new {
        edits.pjrt_api = (new != old.release.pjrt_api).then_some((old.release.pjrt_api, new));
    }
    for edit in &mut edits.artifacts {
        let old_api = old.artifact(&edit.name).and_then(|a| a.pjrt_api);
        let new_api = api.per_artifact.get(&edit.name).and_then(|probe| probe.as_ref().ok().copied()).or(api.new);
        edit.pjrt_api = old_api.zip(new_api).filter(|(a, b)| a != b);
    }
    if let Some(edit) = headers.edit(&old)? {
        edits.artifacts.push(edit);
    }
    let new_text = rewrite::artifacts_toml(&old_text, &edits)?;
    let new = Manifest::parse(&new_text, "artifacts.toml (rewritten)").context("the rewritten manifest is invalid")?;

    let bindings = diffs::bindings(repo, &new, &headers, settings);
    if let Err(why) = &bindings {
        blockers.push(format!("the new PJRT headers' bindings could not be generated: {why}"));
    }
    let protos = diffs::protos(repo, &old, &new, settings);

    let mut plan = Plan {
        jax,
        jax_release,
        artifacts,
        commit,
        api,
        headers,
        bindings,
        protos,
        files: vec![(repo::ARTIFACTS.to_owned(), old_text, new_text)],
        blockers,
        notes,
    };
    other_files(repo, &old, &mut plan, options)?;
    Ok(plan)
}

enum Target {
    Version(String, String),
    Later,
    Kept(String),
}

fn target_version(artifact: &xla_artifacts::Artifact, options: &Options, jax: Option<&JaxRelease>) -> Target {
    if let Some(version) = options.versions.get(&artifact.name) {
        return Target::Version(version.clone(), "given with --set".into());
    }
    match (policy::rule(artifact), jax) {
        (Rule::PjrtHeaders, _) => Target::Later,
        (Rule::Kept(reason), _) => Target::Kept(reason.into()),
        (_, None) => Target::Kept("no --jax: it moves only with --set".into()),
        (Rule::SameAsJax, Some(jax)) => Target::Version(jax.version.clone(), format!("jax {}", jax.version)),
        (Rule::JaxTpuExtra, Some(jax)) => match &jax.libtpu {
            Ok(pin) => Target::Version(pin.clone(), format!("the libtpu jax {}'s `tpu` extra pins", jax.version)),
            Err(why) => Target::Kept(format!("{why}: name its version with --set {}=VERSION", artifact.name)),
        },
    }
}

/// Looks for a source's new wheel, which must hold the source's member.
pub fn look_up(
    resolver: &Resolver,
    package: &str,
    version: &str,
    old_file: &str,
    member: Option<&str>,
) -> anyhow::Result<SourceOutcome> {
    Ok(match find::wheel(resolver, package, version, old_file)? {
        Lookup::NotFound { tried } => SourceOutcome::NotFound { tried },
        Lookup::Found(new) => match member {
            Some(member) if !find::has_member(&new.wheel.path, member)? => {
                SourceOutcome::MemberMissing { file: new.wheel.file, member: member.to_owned() }
            }
            _ => SourceOutcome::New(new),
        },
    })
}

fn source_edits(artifacts: &[ArtifactPlan]) -> Vec<ArtifactEdit> {
    artifacts
        .iter()
        .filter_map(|artifact| {
            let sources: Vec<SourceEdit> = artifact
                .sources()
                .iter()
                .filter_map(|s| {
                    let new = s.new_wheel()?;
                    Some(SourceEdit {
                        index: s.index,
                        version: new.version.clone(),
                        file: new.wheel.file.clone(),
                        sha256: new.wheel.sha256,
                        size: new.wheel.size,
                    })
                })
                .collect();
            (!sources.is_empty()).then(|| ArtifactEdit { name: artifact.name.clone(), pjrt_api: None, sources })
        })
        .collect()
}

/// The new XLA commit: given, or read from a new wheel that records it.
fn commit(
    old: &Manifest,
    options: &Options,
    artifacts: &[ArtifactPlan],
    jax: Option<&JaxRelease>,
    blockers: &mut Vec<String>,
) -> anyhow::Result<CommitPlan> {
    let mut found = Vec::new();
    let mut searched = Vec::new();
    for new in artifacts.iter().flat_map(|a| a.sources()).filter_map(SourcePlan::new_wheel) {
        searched.push(new.wheel.file.clone());
        if let Some((commit, member)) = find::xla_commit_in_wheel(&new.wheel.path)? {
            found.push((commit, format!("{} ({member})", new.wheel.file)));
        }
    }
    let old_commit = old.release.xla_commit.clone();
    let mut distinct: Vec<&String> = found.iter().map(|(c, _)| c).collect();
    distinct.sort();
    distinct.dedup();
    if distinct.len() > 1 {
        let said: Vec<String> = found.iter().map(|(c, w)| format!("{w} says {c}")).collect();
        blockers.push(format!("the new wheels disagree about the XLA commit: {}", said.join("; ")));
    }
    let hint = jax.and_then(|j| j.commit.as_ref()).map_or_else(String::new, |c| {
        format!(" (jax's own commit is {c}: XLA's is `XLA_COMMIT` in jax's third_party/xla/revision.bzl at it)")
    });
    Ok(match (&options.xla_commit, found.first()) {
        (Some(given), Some((said, at))) if given != said => {
            blockers.push(format!("--xla-commit {given} disagrees with {at}, which says {said}"));
            CommitPlan { old: old_commit, new: Some(given.clone()), how: "given with --xla-commit".into() }
        }
        (Some(given), Some((_, at))) => CommitPlan {
            old: old_commit,
            new: Some(given.clone()),
            how: format!("given with --xla-commit; {at} agrees"),
        },
        (Some(given), None) => {
            CommitPlan { old: old_commit, new: Some(given.clone()), how: "given with --xla-commit".into() }
        }
        (None, Some((said, at))) => {
            CommitPlan { old: old_commit, new: Some(said.clone()), how: format!("read from {at}") }
        }
        (None, None) if searched.is_empty() => {
            CommitPlan { old: old_commit.clone(), new: Some(old_commit), how: "unchanged: no new wheel".into() }
        }
        (None, None) => {
            blockers.push(format!(
                "the XLA commit of the new release is recorded in none of its wheels: pass --xla-commit SHA{hint}"
            ));
            let how = format!("not found: no `XLA commit <sha>` in {}", searched.join(", "));
            CommitPlan { old: old_commit, new: None, how }
        }
    })
}

/// The pin file, the workspace version and the CHANGELOG, and the notes about them.
fn other_files(repo: &Repo, old: &Manifest, plan: &mut Plan, options: &Options) -> anyhow::Result<()> {
    let pin_text = repo.read(pin::PATH)?;
    let pinned = pin::commit(&pin_text).with_context(|| format!("reading {}", pin::PATH))?;
    if pinned != old.release.xla_commit {
        plan.notes.push(format!(
            "{} pinned XLA {pinned} while artifacts.toml said {}: they disagreed before this bump",
            pin::PATH,
            old.release.xla_commit
        ));
    }
    if let Some(commit) = plan.commit.new.clone() {
        let sha = match options.xla_source_sha256 {
            Some(sha) => Some(sha),
            None if commit == old.release.xla_commit => old.release.xla_source_sha256,
            None => None,
        };
        let new_pin = pin::rewrite(&pin_text, &commit, sha.as_ref())?;
        // The pin file and the new manifest must agree, whatever either held before.
        let manifest = Manifest::parse(&plan.files[0].2, repo::ARTIFACTS)?;
        let pinned = (pin::commit(&new_pin)?, pin::source_sha256(&new_pin)?);
        let recorded = (manifest.release.xla_commit.clone(), manifest.release.xla_source_sha256.map(|s| s.to_hex()));
        if pinned != recorded {
            anyhow::bail!("{} would pin {pinned:?} while artifacts.toml records {recorded:?}", pin::PATH);
        }
        plan.files.push((pin::PATH.to_owned(), pin_text, new_pin));
        if commit != old.release.xla_commit {
            let cargo = repo.read(repo::CARGO)?;
            match rewrite::workspace_version(&cargo, &commit)? {
                Some((_, new_cargo)) => plan.files.push((repo::CARGO.to_owned(), cargo, new_cargo)),
                None => {
                    plan.notes.push("Cargo.toml's workspace version has no `+xla.` build metadata to update".into())
                }
            }
            if sha.is_none() {
                plan.notes.push(
                    "xla-source-sha256 is unknown (XLA's source archive cannot be fetched here): \
                     .github/workflows/xla-core-archive.yml computes it; pass it with --xla-source-sha256"
                        .into(),
                );
            }
            plan.notes.push(format!(
                "{}: copy rules_ml_toolchain's archive_override from XLA's MODULE.bazel at {commit}, and re-check \
                 the gRPC patch, .bazelversion and .bazelrc (bazel/README.md, \"The XLA pin\")",
                pin::PATH
            ));
        }
    }
    let (old_jax, new_jax) = &plan.jax;
    let commit_moves = plan.commit.new.as_ref().is_some_and(|c| *c != old.release.xla_commit);
    for (number, line) in repo.read("README.md").unwrap_or_default().lines().enumerate() {
        if (old_jax != new_jax && line.contains(&format!("jax {old_jax}")))
            || (commit_moves && line.contains(&old.release.xla_commit))
        {
            plan.notes.push(format!("README.md:{} still names the old release set", number + 1));
        }
    }
    if plan.files.iter().all(|(_, old, new)| old == new) {
        return Ok(());
    }
    let changelog_text = repo.read(changelog::PATH)?;
    let entry = report::changelog_entry(plan);
    plan.files.push((changelog::PATH.to_owned(), changelog_text.clone(), changelog::append(&changelog_text, &entry)?));
    Ok(())
}
