//! Rewriting `artifacts.toml` and the workspace version in `Cargo.toml` with toml_edit: only the
//! values that change are replaced, each keeping its own decoration (spacing, a comment after it),
//! and the comments above a changed table follow it where they name the old version
//! (`# libtpu 0.0.48 is the version jax 0.11.2's `tpu` extra pins.`).

use anyhow::Context as _;
use toml_edit::{DocumentMut, Item, Table, Value};
use xla_artifacts::Sha256Digest;
use xla_artifacts::manifest::ApiVersion;

/// Every change to make to `artifacts.toml`.
#[derive(Debug, Clone, Default)]
pub struct Edits {
    /// `[release] jax`.
    pub jax: Option<(String, String)>,
    /// `[release] xla-commit`.
    pub xla_commit: Option<String>,
    /// `[release] xla-source-sha256`: set, removed (`Some(None)`), or left (`None`).
    pub xla_source_sha256: Option<Option<Sha256Digest>>,
    /// `[release] pjrt-api`: old and new.
    pub pjrt_api: Option<(ApiVersion, ApiVersion)>,
    /// Changed artifacts.
    pub artifacts: Vec<ArtifactEdit>,
}

/// The changes to one `[artifact.<name>]`.
#[derive(Debug, Clone)]
pub struct ArtifactEdit {
    /// The artifact.
    pub name: String,
    /// Its `pjrt-api`, old and new, where it has one.
    pub pjrt_api: Option<(ApiVersion, ApiVersion)>,
    /// Its PyPI sources that move; the others stay as they are.
    pub sources: Vec<SourceEdit>,
}

/// A PyPI source's new wheel.
#[derive(Debug, Clone)]
pub struct SourceEdit {
    /// Its position among the artifact's sources.
    pub index: usize,
    /// The new version.
    pub version: String,
    /// The new wheel file.
    pub file: String,
    /// Its SHA-256.
    pub sha256: Sha256Digest,
    /// Its size in bytes.
    pub size: u64,
}

/// `artifacts.toml`'s text with `edits` made.
pub fn artifacts_toml(text: &str, edits: &Edits) -> anyhow::Result<String> {
    let mut doc: DocumentMut = text.parse().context("artifacts.toml is not TOML")?;
    let release = doc.get_mut("release").and_then(Item::as_table_mut).context("artifacts.toml has no [release]")?;
    if let Some((_, jax)) = &edits.jax {
        set(release, "jax", jax.as_str());
    }
    if let Some(commit) = &edits.xla_commit {
        set(release, "xla-commit", commit.as_str());
    }
    match &edits.xla_source_sha256 {
        Some(Some(sha)) => set_after(release, "xla-source-sha256", sha.to_hex().as_str(), "xla-commit"),
        Some(None) => drop(release.remove("xla-source-sha256")),
        None => {}
    }
    if let Some((_, api)) = &edits.pjrt_api {
        set(release, "pjrt-api", api.to_string().as_str());
    }
    for edit in &edits.artifacts {
        let artifact = doc
            .get_mut("artifact")
            .and_then(|a| a.get_mut(&edit.name))
            .and_then(Item::as_table_mut)
            .with_context(|| format!("artifacts.toml has no [artifact.{}]", edit.name))?;
        let mut replacements = Vec::new();
        if let Some((old, new)) = &edits.jax {
            replacements.push((format!("jax {old}"), format!("jax {new}")));
        }
        if let Some((old, new)) = edit.pjrt_api {
            set(artifact, "pjrt-api", new.to_string().as_str());
            replacements.push((format!("PJRT C API {old}"), format!("PJRT C API {new}")));
        }
        let sources = artifact
            .get_mut("source")
            .and_then(Item::as_array_of_tables_mut)
            .with_context(|| format!("[artifact.{}] has no sources", edit.name))?;
        let mut touched = Vec::new();
        for change in &edit.sources {
            let source = sources
                .get_mut(change.index)
                .with_context(|| format!("[artifact.{}] has no source {}", edit.name, change.index))?;
            let package = source.get("pypi").and_then(Item::as_str).map(str::to_owned);
            let old = source.get("version").and_then(Item::as_str).map(str::to_owned);
            let package =
                package.with_context(|| format!("source {} of {} is not a PyPI source", change.index, edit.name))?;
            if let Some(old) = old {
                replacements.push((format!("{package} {old}"), format!("{package} {}", change.version)));
            }
            set(source, "version", change.version.as_str());
            set(source, "file", change.file.as_str());
            set(source, "sha256", change.sha256.to_hex().as_str());
            set(source, "size", i64::try_from(change.size).context("a wheel larger than 8 EiB")?);
            touched.push(change.index);
        }
        for index in touched {
            replace_in_comments(sources.get_mut(index).expect("edited above"), &replacements);
        }
        replace_in_comments(artifact, &replacements);
    }
    Ok(doc.to_string())
}

/// Sets `key` to `value`, keeping the old value's decoration; a new key goes at the table's end.
fn set(table: &mut Table, key: &str, value: impl Into<Value>) {
    let mut value = value.into();
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        None => {
            table.insert(key, Item::Value(value));
        }
    }
}

/// Sets `key`, placing it right after `after` when it is new.
fn set_after(table: &mut Table, key: &str, value: &str, after: &str) {
    let existed = table.contains_key(key);
    set(table, key, value);
    if !existed {
        let order: Vec<String> = table.iter().map(|(k, _)| k.to_owned()).collect();
        let rank = |k: &str| {
            let position = order.iter().position(|o| o == k).unwrap_or(order.len()) as f64;
            if k == key { order.iter().position(|o| o == after).map_or(position, |p| p as f64 + 0.5) } else { position }
        };
        table.sort_values_by(|k1, _, k2, _| rank(k1.get()).total_cmp(&rank(k2.get())));
    }
}

/// Replaces, in the comments above a table, each old text by its new one.
fn replace_in_comments(table: &mut Table, replacements: &[(String, String)]) {
    let Some(prefix) = table.decor().prefix().and_then(|p| p.as_str()).map(str::to_owned) else { return };
    let mut updated = prefix.clone();
    for (old, new) in replacements {
        if old != new {
            updated = replace_word(&updated, old, new);
        }
    }
    if updated != prefix {
        table.decor_mut().set_prefix(updated);
    }
}

/// `text` with `old` replaced where it is not part of a longer version (`0.11.2` is not
/// `0.11.20`).
fn replace_word(text: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(old) {
        let after = rest[at + old.len()..].chars().next();
        let continues = after.is_some_and(|c| {
            c.is_ascii_alphanumeric()
                || c == '.' && rest[at + old.len() + 1..].starts_with(|d: char| d.is_ascii_digit())
        });
        out.push_str(&rest[..at]);
        out.push_str(if continues { old } else { new });
        rest = &rest[at + old.len()..];
    }
    out.push_str(rest);
    out
}

/// The workspace version of `Cargo.toml` with its build metadata naming `commit`
/// (`0.1.0+xla.91888df`), or `None` when the version carries no `+xla.` metadata.
pub fn workspace_version(text: &str, commit: &str) -> anyhow::Result<Option<(String, String)>> {
    let mut doc: DocumentMut = text.parse().context("Cargo.toml is not TOML")?;
    let package = doc
        .get_mut("workspace")
        .and_then(|w| w.get_mut("package"))
        .and_then(Item::as_table_mut)
        .context("Cargo.toml has no [workspace.package]")?;
    let Some(old) = package.get("version").and_then(Item::as_str).map(str::to_owned) else { return Ok(None) };
    let Some((base, _)) = old.split_once("+xla.") else { return Ok(None) };
    let new = format!("{base}+xla.{}", &commit[..7]);
    set(package, "version", new.as_str());
    Ok(Some((new, doc.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use xla_artifacts::Manifest;

    fn api(minor: u32) -> ApiVersion {
        ApiVersion { major: 0, minor }
    }

    fn real_manifest_text() -> String {
        std::fs::read_to_string(crate::workspace::root().join("artifacts.toml")).unwrap()
    }

    /// Lines of `new` that differ from `old` (the texts keep their line count here).
    fn changed_lines(old: &str, new: &str) -> Vec<(String, String)> {
        assert_eq!(old.lines().count(), new.lines().count(), "lines were added or removed:\n{new}");
        old.lines().zip(new.lines()).filter(|(a, b)| a != b).map(|(a, b)| (a.to_owned(), b.to_owned())).collect()
    }

    #[test]
    fn rewrites_the_real_manifest_changing_only_what_moves() {
        let old = real_manifest_text();
        let sha = Sha256Digest::of(b"tpu wheel");
        let edits = Edits {
            jax: Some(("0.11.2".into(), "0.12.0".into())),
            xla_commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            xla_source_sha256: None,
            pjrt_api: Some((api(115), api(117))),
            artifacts: vec![ArtifactEdit {
                name: "pjrt-tpu".into(),
                pjrt_api: Some((api(115), api(117))),
                sources: vec![SourceEdit {
                    index: 0,
                    version: "0.0.50".into(),
                    file: "libtpu-0.0.50-cp312-cp312-manylinux_2_31_x86_64.whl".into(),
                    sha256: sha,
                    size: 123,
                }],
            }],
        };
        let new = artifacts_toml(&old, &edits).unwrap();
        let expected = [
            ("jax = \"0.11.2\"", "jax = \"0.12.0\""),
            (
                "xla-commit = \"91888df6ce85102c30220e41d952065925e10886\"",
                "xla-commit = \"0123456789abcdef0123456789abcdef01234567\"",
            ),
            ("pjrt-api = \"0.115\"", "pjrt-api = \"0.117\""),
            ("pjrt-api = \"0.115\"", "pjrt-api = \"0.117\""),
            (
                "# libtpu 0.0.48 is the version jax 0.11.2's `tpu` extra pins.",
                "# libtpu 0.0.50 is the version jax 0.12.0's `tpu` extra pins.",
            ),
            ("version = \"0.0.48\"", "version = \"0.0.50\""),
            (
                "file = \"libtpu-0.0.48-cp312-cp312-manylinux_2_31_x86_64.whl\"",
                "file = \"libtpu-0.0.50-cp312-cp312-manylinux_2_31_x86_64.whl\"",
            ),
            (
                "sha256 = \"79a450120c87d72e2e67aa549a75434818af38f666c1d224c228fff9f8a93805\"",
                &format!("sha256 = \"{sha}\""),
            ),
            ("size = 221394207", "size = 123"),
        ];
        let changed = changed_lines(&old, &new);
        let expected: Vec<(String, String)> =
            expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
        assert_eq!(changed, expected);

        // Every other artifact reads exactly as before.
        let (before, after) = (Manifest::parse(&old, "old").unwrap(), Manifest::parse(&new, "new").unwrap());
        for (a, b) in before.artifacts.iter().zip(&after.artifacts) {
            if a.name != "pjrt-tpu" {
                assert_eq!(format!("{:?}", a.sources), format!("{:?}", b.sources), "{}", a.name);
                assert_eq!(a.pjrt_api, b.pjrt_api, "{}", a.name);
            }
        }
        assert_eq!(after.release.pjrt_api, api(117));
    }

    #[test]
    fn source_checksum_goes_after_the_commit_and_leaves_with_it() {
        let old = real_manifest_text();
        let sha = Sha256Digest::of(b"xla source");
        let with = Edits { xla_source_sha256: Some(Some(sha)), ..Edits::default() };
        let new = artifacts_toml(&old, &with).unwrap();
        let release: Vec<&str> = new.lines().skip_while(|l| *l != "[release]").take(5).collect();
        assert_eq!(release[2], "xla-commit = \"91888df6ce85102c30220e41d952065925e10886\"");
        assert_eq!(release[3], format!("xla-source-sha256 = \"{sha}\""));
        assert_eq!(Manifest::parse(&new, "new").unwrap().release.xla_source_sha256, Some(sha));
        let without = Edits { xla_source_sha256: Some(None), ..Edits::default() };
        assert_eq!(artifacts_toml(&new, &without).unwrap(), old);
    }

    #[test]
    fn versions_in_comments_change_as_whole_versions_only() {
        assert_eq!(
            replace_word("jax 0.11.2 and jax 0.11.20", "jax 0.11.2", "jax 0.12.0"),
            "jax 0.12.0 and jax 0.11.20"
        );
        assert_eq!(
            replace_word("jax 0.11.2's extra. jax 0.11.2.1", "jax 0.11.2", "jax 0.12.0"),
            "jax 0.12.0's extra. jax 0.11.2.1"
        );
    }

    #[test]
    fn workspace_version_names_the_new_commit() {
        let text = std::fs::read_to_string(crate::workspace::root().join("Cargo.toml")).unwrap();
        let (version, new) = workspace_version(&text, "0123456789abcdef0123456789abcdef01234567").unwrap().unwrap();
        assert_eq!(version.split_once('+').unwrap().1, "xla.0123456");
        let changed = changed_lines(&text, &new);
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].1, format!("version = \"{version}\""));
        assert_eq!(workspace_version("[workspace.package]\nversion = \"1.0.0\"\n", &"a".repeat(40)).unwrap(), None);
    }
}
