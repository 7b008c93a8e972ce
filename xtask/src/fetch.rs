//! `cargo xtask fetch`: fills a directory with every artifact a build needs, verified, so that
//! builds elsewhere resolve from it with no network (`RYFT_XLA_SYS_VENDOR_DIR=<dir>`): the
//! companion of `cargo vendor`.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::{Context, bail};
use lexopt::ValueExt as _;
use xla_artifacts::{Env, Resolver, Sha256Digest};

use crate::workspace;

pub fn run(args: Vec<OsString>) -> anyhow::Result<()> {
    let mut targets = Vec::new();
    let mut features: Option<Vec<String>> = None;
    let mut dest: Option<PathBuf> = None;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            lexopt::Arg::Long("target") => targets.push(parser.value()?.string()?),
            lexopt::Arg::Long("features") => workspace::add_features(&parser.value()?.string()?, &mut features),
            lexopt::Arg::Long("all-features") => features = Some(workspace::all_features()?),
            lexopt::Arg::Long("dest") => dest = Some(parser.value()?.into()),
            other => bail!(other.unexpected()),
        }
    }
    let dest = dest.context("--dest DIR is required")?;
    if targets.is_empty() {
        targets.push(workspace::host_target().to_owned());
    }
    let features = features.unwrap_or_else(|| vec!["default".to_owned()]);
    let artifacts = workspace::artifacts_for_features(&features)?;
    let manifest = workspace::manifest()?;
    let resolver = Resolver::new(&manifest, Env::process()).show_progress(true);
    std::fs::create_dir_all(&dest).with_context(|| format!("creating {}", dest.display()))?;

    let mut sums = BTreeSet::new();
    for name in &artifacts {
        let artifact = manifest.artifact(name).expect("features name manifest artifacts");
        for target in &targets {
            if !artifact.supports(target) {
                println!("{name} ({target}): does not exist for this target");
                continue;
            }
            let pinned: Vec<_> = artifact.sources_for(target).filter(|s| s.sha256.is_some()).collect();
            if pinned.is_empty() {
                println!("{name} ({target}): no pinned source to vendor (Bazel or override only)");
                continue;
            }
            for source in pinned {
                let archive = resolver.fetch_archive(source).with_context(|| format!("{name} for {target}"))?;
                let file = source.location.file_name();
                let copy = dest.join(&file);
                let sha = source.sha256.expect("filtered");
                if Sha256Digest::of_file(&copy).ok() != Some(sha) {
                    std::fs::copy(&archive, &copy).with_context(|| format!("copying to {}", copy.display()))?;
                    anyhow::ensure!(Sha256Digest::of_file(&copy)? == sha, "{} changed while copied", copy.display());
                }
                println!("{name} ({target}): {file}");
                sums.insert(format!("{sha}  {file}"));
            }
        }
    }
    let mut listing: String = sums.iter().map(|line| format!("{line}\n")).collect();
    if listing.is_empty() {
        listing.push_str("# nothing to vendor for these targets and features\n");
    }
    std::fs::write(dest.join("SHA256SUMS"), listing)?;
    println!(
        "\n{} files in {}. Build with RYFT_XLA_SYS_VENDOR_DIR={} (and CARGO_NET_OFFLINE=true).",
        sums.len(),
        dest.display(),
        dest.display()
    );
    Ok(())
}
