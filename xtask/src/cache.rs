//! `cargo xtask cache list|verify|clean`: what the artifact cache holds, for which manifest
//! entries; a re-hash of everything; removing what the manifest no longer pins.

use std::collections::BTreeMap;
use std::ffi::OsString;

use anyhow::bail;
use xla_artifacts::{Cache, Env, Sha256Digest, cache::tree_size};

use crate::workspace;

pub fn run(args: Vec<OsString>) -> anyhow::Result<()> {
    let mut args = args.into_iter().map(|a| a.to_string_lossy().into_owned());
    let cache = Cache::from_env(&Env::process());
    let pinned = pinned_archives()?;
    match args.next().as_deref() {
        Some("list") | None => list(&cache, &pinned),
        Some("verify") => verify(&cache),
        Some("clean") => {
            let all = match args.next().as_deref() {
                None | Some("--unused") => false,
                Some("--all") => true,
                Some(other) => bail!("`cache clean` takes --unused (the default) or --all, found {other:?}"),
            };
            let freed = cache.clean(|sha| !all && pinned.contains_key(sha))?;
            println!("freed {:.1} MB from {}", freed as f64 / 1e6, cache.root().display());
            Ok(())
        }
        Some(other) => bail!("unknown `cache` command {other:?}: list, verify or clean [--unused|--all]"),
    }
}

/// Each archive checksum the manifest pins, with the artifacts and targets it serves.
fn pinned_archives() -> anyhow::Result<BTreeMap<Sha256Digest, Vec<String>>> {
    let manifest = workspace::manifest()?;
    let mut pinned: BTreeMap<Sha256Digest, Vec<String>> = BTreeMap::new();
    for artifact in &manifest.artifacts {
        for source in &artifact.sources {
            if let Some(sha) = source.sha256 {
                pinned.entry(sha).or_default().push(format!("{} ({})", artifact.name, source.targets.join(", ")));
            }
        }
    }
    Ok(pinned)
}

fn list(cache: &Cache, pinned: &BTreeMap<Sha256Digest, Vec<String>>) -> anyhow::Result<()> {
    println!("cache: {}", cache.root().display());
    let name = |sha: Option<Sha256Digest>| match sha.and_then(|s| pinned.get(&s)) {
        Some(users) => users.join("; "),
        None => "(not pinned by artifacts.toml: a local archive, or an older release set)".to_owned(),
    };
    let mut total = 0;
    println!("\nextracted entries:");
    for (dir, stamp) in cache.list()? {
        let size = tree_size(&dir);
        total += size;
        match stamp {
            Some(stamp) => {
                let sha = stamp.archive_sha256.parse().ok();
                let member = stamp.member.as_deref().unwrap_or("(whole archive)");
                println!("  {:>9.1} MB  {member}  from {}  [{}]", size as f64 / 1e6, stamp.archive_file, name(sha));
            }
            None => println!("  {:>9.1} MB  {} (unfinished or damaged: no stamp)", size as f64 / 1e6, dir.display()),
        }
    }
    println!("\nkept downloads:");
    for file in cache.downloads()? {
        let size = tree_size(&file);
        total += size;
        let sha = file.parent().and_then(|d| d.file_name()).and_then(|n| n.to_str()).and_then(|n| n.parse().ok());
        let shown = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        println!("  {:>9.1} MB  {shown}  [{}]", size as f64 / 1e6, name(sha));
    }
    println!("\ntotal {:.1} MB", total as f64 / 1e6);
    Ok(())
}

fn verify(cache: &Cache) -> anyhow::Result<()> {
    let report = cache.verify_all()?;
    let mut bad = 0;
    for (path, problem) in &report {
        match problem {
            None => println!("ok       {}", path.display()),
            Some(problem) => {
                bad += 1;
                println!("DAMAGED  {}: {problem}", path.display());
            }
        }
    }
    if bad > 0 {
        bail!(
            "{bad} of {} cached items are damaged; the next build re-creates entries (or run `cargo xtask cache clean --all`)",
            report.len()
        );
    }
    println!("{} cached items verified", report.len());
    Ok(())
}
