//! What the new release set changes in the generated code, computed before anything is written:
//! the bindings of the new headers (generated in memory) against the committed ones, and the
//! schemas the new plugins embed against those the old ones embed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use xla_artifacts::Manifest;

use super::api::HeadersPlan;
use super::plan::Settings;
use super::repo::{self, Repo};
use super::schema::{self, Schema, SchemaDiff};
use super::surface::{self, Surface, SurfaceDiff};

/// Writes each non-empty list of a diff's report: a heading with its length, then its items.
pub fn write_lists(f: &mut std::fmt::Formatter<'_>, lists: &[(&str, &Vec<String>)]) -> std::fmt::Result {
    for (what, items) in lists.iter().filter(|(_, items)| !items.is_empty()) {
        writeln!(f, "  {what} ({}):", items.len())?;
        for item in *items {
            writeln!(f, "    {item}")?;
        }
    }
    Ok(())
}

/// The bindings' changes: `Ok(None)` when the headers stay, `Err` when the new ones could not be
/// generated.
pub fn bindings(
    repo: &Repo,
    new: &Manifest,
    headers: &HeadersPlan,
    settings: &Settings,
) -> Result<Option<SurfaceDiff>, String> {
    let HeadersPlan::New { artifact, api, .. } = headers else { return Ok(None) };
    let outcome = (|| {
        let (pjrt, ffi) = (repo.read(repo::PJRT_BINDINGS)?, repo.read(repo::FFI_BINDINGS)?);
        let old = Surface::of(&pjrt)?.merge(Surface::of(&ffi)?);
        let resolved = settings.resolver(new).resolve(artifact, &settings.host)?;
        let generated = surface::generate(&include_root(&resolved.path)?)?;
        anyhow::ensure!(
            generated.api_version == *api,
            "the headers declare PJRT C API {}, their pjrt_c_api.h read {api}",
            generated.api_version
        );
        let mut diff = SurfaceDiff::between(&old, &generated.surface()?);
        let old_headers: Vec<String> = [pjrt, ffi].iter().flat_map(|text| bound_headers(text)).collect();
        diff.headers_added = generated.headers.iter().filter(|h| !old_headers.contains(h)).cloned().collect();
        diff.headers_removed = old_headers.iter().filter(|h| !generated.headers.contains(h)).cloned().collect();
        Ok::<_, anyhow::Error>(diff)
    })();
    outcome.map(Some).map_err(|e| format!("{e:#}"))
}

/// The headers a committed bindings file lists in its header (`//   xla/pjrt/c/pjrt_c_api.h`).
fn bound_headers(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|l| l.starts_with("//"))
        .filter_map(|l| l.strip_prefix("//   ").filter(|h| h.ends_with(".h")).map(str::to_owned))
        .collect()
}

/// The directory holding `xla/` (the artifact is the `xla/` folder itself).
fn include_root(xla_dir: &Path) -> anyhow::Result<PathBuf> {
    [xla_dir, xla_dir.parent().unwrap_or(xla_dir)]
        .into_iter()
        .find(|dir| dir.join("xla/pjrt/c/pjrt_c_api.h").is_file())
        .map(Path::to_owned)
        .with_context(|| format!("{} holds no xla/pjrt/c/pjrt_c_api.h", xla_dir.display()))
}

/// The protos' changes, and a line saying where the schemas come from; `Err` when they could not
/// be read.
pub fn protos(
    repo: &Repo,
    old: &Manifest,
    new: &Manifest,
    settings: &Settings,
) -> Result<(SchemaDiff, String), String> {
    let outcome = (|| {
        let listed = schema::generated_from(&repo.read(repo::PROTOS_MOD)?);
        let mut by_artifact: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (file, artifact) in listed {
            by_artifact.entry(artifact).or_default().push(file);
        }
        let (mut before, mut after) = (Schema::default(), Schema::default());
        let mut moved = Vec::new();
        for (artifact, roots) in &by_artifact {
            let pinned =
                |m: &Manifest| m.artifact(artifact).and_then(|a| a.sources_for(&settings.host).find_map(|s| s.sha256));
            if pinned(old) == pinned(new) {
                continue;
            }
            moved.push(artifact.clone());
            for (manifest, schema) in [(old, &mut before), (new, &mut after)] {
                let resolved = settings.resolver(manifest).resolve(artifact, &settings.host)?;
                let binary =
                    std::fs::read(&resolved.path).with_context(|| format!("reading {}", resolved.path.display()))?;
                schema.extend(Schema::of(&schema::embedded(&binary), roots.iter().cloned()));
            }
        }
        let sources: Vec<&str> = by_artifact.keys().map(String::as_str).collect();
        let from = if moved.is_empty() {
            format!("the schemas come from {}, which did not move", sources.join(", "))
        } else {
            format!("the schemas the new {} embeds against the old one's", moved.join(", "))
        };
        Ok::<_, anyhow::Error>((SchemaDiff::between(&before, &after), from))
    })();
    outcome.map_err(|e| format!("{e:#}"))
}
