//! `cargo xtask bump-xla`: moves the release set to a new jax release (or to an XLA commit with
//! explicit artifact versions). It finds each PyPI artifact's new wheel, pins its SHA-256 and size
//! in `artifacts.toml` (comments and layout kept), reads the new XLA commit and PJRT C API
//! version, picks the PJRT headers declaring that version, updates the Bazel pin, the workspace
//! version and the CHANGELOG, regenerates the bindings and the protos, and reports what changed.
//! With `--dry-run` it prints all of that and writes nothing (downloads go to the cache only).
//!
//! One module per idea: [`policy`] (which version each artifact takes), [`find`] (wheels on the
//! index), [`nightly`] and [`api`] (the PJRT C API version and its headers), [`probe`] (loading a
//! plugin in a child process), [`plan`] (deciding everything), [`rewrite`], [`pin`] and
//! [`changelog`] (the new texts), [`surface`], [`schema`] and [`diffs`] (what changes in the
//! generated code), [`report`].

mod api;
mod changelog;
mod diffs;
mod find;
mod nightly;
pub(crate) mod pin;
mod plan;
mod policy;
mod probe;
mod repo;
mod report;
mod rewrite;
mod schema;
mod surface;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;

use std::ffi::OsString;
use std::io::IsTerminal as _;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use lexopt::ValueExt as _;

use self::plan::{Options, Settings};
use self::repo::Repo;
use crate::workspace;

const USAGE: &str = "\
cargo xtask bump-xla --jax VERSION [--xla-commit SHA] [--xla-source-sha256 HEX]
                     [--pjrt-headers VERSION] [--set ARTIFACT=VERSION]... [--dry-run]
cargo xtask bump-xla --xla-commit SHA --set ARTIFACT=VERSION... [--pjrt-headers VERSION] [--dry-run]

  --jax VERSION            move every artifact that follows jax to that release
  --xla-commit SHA         the XLA commit of the new release (required when no wheel records it)
  --xla-source-sha256 HEX  the SHA-256 of XLA's source archive at that commit, where known
  --pjrt-headers VERSION   take the PJRT headers of this tf-nightly (default: the newest one declaring
                           the PJRT C API version the new plugins report)
  --set ARTIFACT=VERSION   an explicit version for one artifact (repeatable)
  --dry-run                print the plan, the new checksums and every change; write nothing
";

pub fn run(args: Vec<OsString>) -> anyhow::Result<()> {
    let options = match parse(args)? {
        Parsed::Probe(path) => return probe::child(&path),
        Parsed::Bump(options) => options,
    };
    let settings =
        Settings { vars: None, progress: std::io::stderr().is_terminal(), host: workspace::host_target().to_owned() };
    execute(&Repo::workspace(), &options, &settings, &mut regenerate_workspace)?;
    Ok(())
}

enum Parsed {
    Bump(Options),
    Probe(PathBuf),
}

fn parse(args: Vec<OsString>) -> anyhow::Result<Parsed> {
    let mut options = Options::default();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            lexopt::Arg::Long("jax") => options.jax = Some(parser.value()?.string()?),
            lexopt::Arg::Long("xla-commit") => {
                let commit = parser.value()?.string()?;
                if !find::is_commit(&commit) {
                    bail!("--xla-commit takes a full commit hash (40 lowercase hex digits), found {commit:?}");
                }
                options.xla_commit = Some(commit);
            }
            lexopt::Arg::Long("xla-source-sha256") => {
                let sha = parser.value()?.string()?;
                options.xla_source_sha256 = Some(sha.parse().map_err(|e| anyhow::anyhow!("--xla-source-sha256: {e}"))?);
            }
            lexopt::Arg::Long("pjrt-headers") => options.pjrt_headers = Some(parser.value()?.string()?),
            lexopt::Arg::Long("set") => {
                let pair = parser.value()?.string()?;
                let (name, version) = pair
                    .split_once('=')
                    .filter(|(n, v)| !n.is_empty() && !v.is_empty())
                    .with_context(|| format!("--set takes ARTIFACT=VERSION, found {pair:?}"))?;
                options.versions.insert(name.to_owned(), version.to_owned());
            }
            lexopt::Arg::Long("dry-run") => options.dry_run = true,
            lexopt::Arg::Long("probe") => return Ok(Parsed::Probe(parser.value()?.into())),
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("{}\n\n{USAGE}", other.unexpected()),
        }
    }
    if options.jax.is_none() && options.versions.is_empty() && options.pjrt_headers.is_none() {
        bail!("nothing to move: name a jax release (--jax) or artifact versions (--set)\n\n{USAGE}");
    }
    if options.jax.is_none() && options.xla_commit.is_none() && !options.versions.is_empty() {
        bail!("without --jax, the new release's XLA commit must be given (--xla-commit)\n\n{USAGE}");
    }
    Ok(Parsed::Bump(options))
}

/// Plans the bump, prints the report, and, unless it is a dry run, writes the files and then
/// runs `regenerate`. Returns the report.
pub fn execute(
    repo: &Repo,
    options: &Options,
    settings: &Settings,
    regenerate: &mut dyn FnMut(&Repo) -> anyhow::Result<()>,
) -> anyhow::Result<String> {
    let plan = plan::make(repo, options, settings)?;
    let report = report::render(&plan, options.dry_run);
    print!("{report}");
    if options.dry_run {
        return Ok(report);
    }
    if !plan.blockers.is_empty() {
        bail!("nothing was written: {}", plan.blockers.join("; "));
    }
    let changed: Vec<&(String, String, String)> = plan.files.iter().filter(|(_, old, new)| old != new).collect();
    if changed.is_empty() {
        println!("\nNothing to write: the release set is already jax {}.", plan.jax.1);
        return Ok(report);
    }
    for (path, _, new) in &changed {
        repo.write(path, new)?;
        println!("{path}: written");
    }
    regenerate(repo)?;
    println!("\nNext: `cargo xtask test` (the plugins' tests, the layout checks, `cargo xtask check`).");
    Ok(report)
}

/// Regenerates the workspace's bindings and protos from the manifest just written, with the
/// generators `cargo xtask bindings` and `cargo xtask protos` run.
fn regenerate_workspace(repo: &Repo) -> anyhow::Result<()> {
    anyhow::ensure!(repo.is_workspace(), "the generators write into the workspace, not {}", repo.root().display());
    crate::bindings::run(Vec::new()).context("regenerating pjrt-sys's bindings")?;
    crate::protos::run(Vec::new()).context("regenerating xla-protos")
}
