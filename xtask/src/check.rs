//! `cargo xtask check`: proves the release set consistent. Every manifest entry is well-formed and
//! used; variable names are unique; each crate's features and build script match the manifest;
//! generated code is current; every crate packages (and builds from its package).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use xla_artifacts::{ArtifactKind, Manifest, manifest::Role};

use crate::workspace;

pub fn run(args: Vec<OsString>) -> anyhow::Result<()> {
    let mut package = true;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            lexopt::Arg::Long("no-package") => package = false,
            other => bail!(other.unexpected()),
        }
    }
    let manifest = workspace::manifest()?;
    let mut problems = Vec::new();
    manifest_is_used(&manifest, &mut problems)?;
    variables_are_unique(&manifest, &mut problems);
    crates_match_manifest(&manifest, &mut problems)?;
    release_set_agrees(&manifest, &mut problems)?;
    if !problems.is_empty() {
        bail!("the release set is inconsistent:\n  - {}", problems.join("\n  - "));
    }
    println!(
        "artifacts.toml: {} artifacts, every one well-formed, used and wired; the Bazel pin and the versions agree",
        manifest.artifacts.len()
    );

    crate::bindings::run(vec!["--check".into()]).context("pjrt-sys's bindings")?;
    for (command, what) in crate::GENERATED_CHECKS {
        crate::dispatch(command, vec!["--check".into()]).with_context(|| what.to_string())?;
    }
    if package {
        packages_build()?;
    }
    Ok(())
}

/// Every artifact is used: by its crate's build script, or (fixtures, generator inputs) by code.
fn manifest_is_used(manifest: &Manifest, problems: &mut Vec<String>) -> anyhow::Result<()> {
    let mut sources = String::new();
    for dir in ["crates", "xtask"] {
        collect_rust(&workspace::root().join(dir), &mut sources)?;
    }
    let laid_out: BTreeSet<&str> =
        manifest.artifacts.iter().flat_map(|a| a.runtime.iter().map(String::as_str)).collect();
    for artifact in &manifest.artifacts {
        let quoted = format!("\"{}\"", artifact.name);
        if !sources.contains(&quoted) && !laid_out.contains(artifact.name.as_str()) {
            problems.push(format!("artifact {} (line {}) is used by no code", artifact.name, artifact.line));
        }
        if artifact.role == Role::Product && artifact.crate_name.is_none() {
            problems.push(format!("artifact {} (line {}) names no `crate`", artifact.name, artifact.line));
        }
    }
    Ok(())
}

fn collect_rust(dir: &Path, out: &mut String) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)?.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() && name != "target" && name != "generated" {
            collect_rust(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&std::fs::read_to_string(&path)?);
        }
    }
    Ok(())
}

/// Override variables are unique (the parser checks that) and distinct from the engine's own.
fn variables_are_unique(manifest: &Manifest, problems: &mut Vec<String>) {
    use xla_artifacts::env::*;
    let engine: BTreeSet<&str> = [
        CACHE_DIR,
        OFFLINE,
        CARGO_NET_OFFLINE,
        VENDOR_DIR,
        PYTHON,
        PIP_INDEX_URL,
        PIP_FIND_LINKS,
        URL_MIRROR,
        HTTP_TIMEOUT,
        HTTP_ATTEMPTS,
        BAZEL,
        BAZEL_WORKSPACE,
        VERIFY,
        DOCS_RS,
    ]
    .into();
    for artifact in &manifest.artifacts {
        if engine.contains(artifact.env.as_str()) {
            problems.push(format!("artifact {}'s variable {} is one of the engine's own", artifact.name, artifact.env));
        }
    }
}

/// Each artifact's crate exists and declares it in its build script; each plugin crate is a
/// feature of the facade.
fn crates_match_manifest(manifest: &Manifest, problems: &mut Vec<String>) -> anyhow::Result<()> {
    let root = workspace::root();
    let facade = std::fs::read_to_string(root.join("crates/ryft-xla-sys/Cargo.toml"))?;
    for artifact in &manifest.artifacts {
        let Some(krate) = &artifact.crate_name else { continue };
        let dir = root.join("crates").join(krate);
        let Ok(build) = std::fs::read_to_string(dir.join("build.rs")) else {
            problems.push(format!("artifact {} names crate {krate}, which has no build.rs", artifact.name));
            continue;
        };
        if !build.contains(&format!("\"{}\"", artifact.name)) {
            problems.push(format!("{krate}'s build.rs does not declare artifact {}", artifact.name));
        }
        if artifact.kind == ArtifactKind::PjrtPlugin && !facade.contains(&format!("\"dep:{krate}\"")) {
            problems.push(format!("the facade has no feature enabling {krate} (artifact {})", artifact.name));
        }
    }
    Ok(())
}

/// The Bazel pin and the crates' version metadata name the manifest's XLA commit (and source
/// checksum): `cargo xtask bump-xla` moves them together, and a hand edit must too.
fn release_set_agrees(manifest: &Manifest, problems: &mut Vec<String>) -> anyhow::Result<()> {
    use crate::bump::pin;
    let release = &manifest.release;
    let pin_text = std::fs::read_to_string(workspace::root().join(pin::PATH))?;
    let pinned = pin::commit(&pin_text)?;
    if pinned != release.xla_commit {
        problems.push(format!("{} pins XLA {pinned}; artifacts.toml says {}", pin::PATH, release.xla_commit));
    }
    let pinned_sha = pin::source_sha256(&pin_text)?;
    let recorded_sha = release.xla_source_sha256.map(|s| s.to_hex());
    if pinned_sha != recorded_sha {
        problems.push(format!(
            "{} has source sha256 {pinned_sha:?}; artifacts.toml's xla-source-sha256 is {recorded_sha:?}",
            pin::PATH
        ));
    }
    let cargo = std::fs::read_to_string(workspace::root().join("Cargo.toml"))?;
    let metadata = format!("+xla.{}\"", &release.xla_commit[..7]);
    if !cargo.lines().any(|l| l.starts_with("version = ") && l.ends_with(&metadata)) {
        problems.push(format!("Cargo.toml's workspace version does not end with {metadata} (the XLA commit)"));
    }
    Ok(())
}

/// Every publishable crate packages, and builds from its package outside the workspace (so the
/// engine inside finds its manifest). pjrt-metal-sys only packages here: it builds for macOS only.
fn packages_build() -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let run = |args: &[&str]| -> anyhow::Result<()> {
        println!("==> cargo {}", args.join(" "));
        let status = Command::new(&cargo).current_dir(workspace::root()).args(args).status()?;
        if !status.success() {
            bail!("cargo {} failed", args.join(" "));
        }
        Ok(())
    };
    let every_crate =
        ["package", "--workspace", "--allow-dirty", "--exclude", "xtask", "--exclude", "xla-test-support"];
    // The facade depends on pjrt-metal-sys (on macOS only, but resolution is for every target),
    // which cargo finds among the packages it packages, not among excluded ones: a patch points
    // it to the crate's directory.
    let metal_patch = "patch.crates-io.pjrt-metal-sys.path=\"crates/pjrt-metal-sys\"";
    run(&[&every_crate[..], &["--exclude", "pjrt-metal-sys", "--config", metal_patch]].concat())?;
    // pjrt-metal-sys packages with the crates it depends on (not from the registry), unbuilt.
    run(&[&every_crate[..], &["--no-verify"]].concat())
}
