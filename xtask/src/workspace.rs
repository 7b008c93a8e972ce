//! What every command needs: the repository's paths, the manifest, resolving generator inputs, and
//! writing generated files (or checking them).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use xla_artifacts::{Env, Manifest, Resolved, Resolver, SourceLocation};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the repository").to_owned()
}

/// The manifest as it is on disk now (which may be newer than the one the engine was built with).
pub fn manifest() -> anyhow::Result<Manifest> {
    let path = root().join("artifacts.toml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Manifest::parse(&text, &path.display().to_string())?)
}

/// The host's target triple (xtask runs on the host).
pub fn host_target() -> &'static str {
    env!("XTASK_HOST_TARGET")
}

/// Resolves a generator input (an artifact of role `generator`) for this host, showing progress.
pub fn resolve(manifest: &Manifest, artifact: &str) -> anyhow::Result<Resolved> {
    let resolver = Resolver::new(manifest, Env::process()).show_progress(true);
    Ok(resolver.resolve(artifact, host_target())?)
}

/// One line naming where an artifact's bytes came from: package, version, file and SHA-256.
pub fn provenance(manifest: &Manifest, artifact: &str, resolved: &Resolved) -> String {
    let source = manifest.artifact(artifact).and_then(|a| a.sources_for(host_target()).next());
    match (source.map(|s| &s.location), resolved.archive_sha256) {
        (Some(SourceLocation::PypiWheel { package, version, file }), Some(sha)) => {
            format!("{package}=={version} ({file}, SHA-256 {sha})")
        }
        (_, Some(sha)) => format!("{} (SHA-256 {sha})", resolved.path.display()),
        _ => format!("{} ({})", resolved.path.display(), resolved.origin),
    }
}

/// Writes `content` to `path`, or with `check`, fails when the file differs from it.
pub fn write_or_check(path: &Path, content: &str, check: bool) -> anyhow::Result<()> {
    let relative = path.strip_prefix(root()).unwrap_or(path).display().to_string();
    if check {
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if current != content {
            let line = current
                .lines()
                .zip(content.lines())
                .position(|(a, b)| a != b)
                .map_or_else(|| current.lines().count().min(content.lines().count()) + 1, |i| i + 1);
            bail!(
                "{relative} is stale (first difference at line {line}); regenerate it (`cargo xtask` command without --check)"
            );
        }
        println!("{relative}: current");
    } else {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, content).with_context(|| format!("writing {relative}"))?;
        println!("{relative}: written");
    }
    Ok(())
}

/// The facade's features, each with the crates it enables (`dep:<crate>`) and the features it
/// implies.
pub fn facade_features() -> anyhow::Result<std::collections::BTreeMap<String, Vec<String>>> {
    let path = root().join("crates/ryft-xla-sys/Cargo.toml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let parsed: toml::Table = toml::from_str(&text)?;
    let features = parsed.get("features").and_then(|f| f.as_table()).context("the facade has no [features]")?;
    Ok(features
        .iter()
        .map(|(name, list)| {
            let items = list.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect());
            (name.clone(), items.unwrap_or_default())
        })
        .collect())
}

/// The manifest artifacts a build with these facade features needs: those whose `crate` one of
/// the features enables (`default` stands for the facade's default features).
pub fn artifacts_for_features(features: &[String]) -> anyhow::Result<Vec<String>> {
    let table = facade_features()?;
    let mut crates = std::collections::BTreeSet::new();
    let mut pending: Vec<String> = features.to_vec();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(feature) = pending.pop() {
        if !seen.insert(feature.clone()) {
            continue;
        }
        let items = table.get(&feature).with_context(|| {
            format!(
                "the facade has no feature {feature:?}; it has {}",
                table.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        })?;
        for item in items {
            match item.strip_prefix("dep:") {
                Some(krate) => drop(crates.insert(krate.split('/').next().unwrap_or(krate).to_owned())),
                None if !item.contains('/') => pending.push(item.clone()),
                None => drop(crates.insert(item.split('/').next().unwrap_or(item).to_owned())),
            }
        }
    }
    let manifest = manifest()?;
    Ok(manifest
        .artifacts
        .iter()
        .filter(|a| a.crate_name.as_ref().is_some_and(|c| crates.contains(c)))
        .map(|a| a.name.clone())
        .collect())
}

/// Whether the features ask for `krate`'s runtime libraries (`<crate>?/cuda-runtime`).
pub fn runtime_requested(features: &[String], krate: &str) -> anyhow::Result<bool> {
    let table = facade_features()?;
    Ok(features
        .iter()
        .filter_map(|f| table.get(f))
        .flatten()
        .any(|item| item.strip_prefix(krate).is_some_and(|rest| rest == "?/cuda-runtime" || rest == "/cuda-runtime")))
}

/// The features of a `--features F,G` argument, added to `features`.
pub fn add_features(list: &str, features: &mut Option<Vec<String>>) {
    let named = list.split([',', ' ']).filter(|f| !f.is_empty()).map(str::to_owned);
    features.get_or_insert_with(Vec::new).extend(named);
}

/// Every facade feature (`--all-features`).
pub fn all_features() -> anyhow::Result<Vec<String>> {
    Ok(facade_features()?.keys().cloned().collect())
}
