//! `bazel/xla_pin.MODULE.bazel`, derived from `artifacts.toml`'s `[release]`: `XLA_COMMIT` from
//! `xla-commit`, and the `sha256` of XLA's `archive_override` from `xla-source-sha256` (the line the
//! CI workflow inserts after `module_name = "xla",`; absent while unknown).

use anyhow::{Context as _, bail};
use xla_artifacts::Sha256Digest;

/// Where the pin file is, relative to the repository root.
pub const PATH: &str = "bazel/xla_pin.MODULE.bazel";

/// The `XLA_COMMIT` the pin file sets.
pub fn commit(text: &str) -> anyhow::Result<String> {
    let line = text.lines().find_map(|l| l.strip_prefix("XLA_COMMIT = ")).context("no `XLA_COMMIT = \"...\"` line")?;
    Ok(line.trim().trim_matches('"').to_owned())
}

/// The `sha256` of XLA's `archive_override`, if the pin file has one.
pub fn source_sha256(text: &str) -> anyhow::Result<Option<String>> {
    let (start, end) = xla_override(text)?;
    Ok(text[start..end].lines().find_map(|l| sha256_of(l).map(str::to_owned)))
}

/// The pin file's text pinning `commit`, with `sha256` as the source archive's checksum (no
/// `sha256` line when unknown).
pub fn rewrite(text: &str, commit: &str, sha256: Option<&Sha256Digest>) -> anyhow::Result<String> {
    let old = self::commit(text)?;
    let text = text.replacen(&format!("XLA_COMMIT = \"{old}\""), &format!("XLA_COMMIT = \"{commit}\""), 1);
    let (start, end) = xla_override(&text)?;
    let mut block: Vec<String> =
        text[start..end].split_inclusive('\n').filter(|line| sha256_of(line).is_none()).map(str::to_owned).collect();
    if let Some(sha) = sha256 {
        let at = block.iter().position(|l| l.contains("module_name = \"xla\",")).expect("found by xla_override") + 1;
        block.insert(at, format!("    sha256 = \"{sha}\",\n"));
    }
    let rewritten = format!("{}{}{}", &text[..start], block.concat(), &text[end..]);
    if self::commit(&rewritten)? != commit {
        bail!("{PATH} does not pin {commit} after rewriting it");
    }
    Ok(rewritten)
}

/// The byte range of XLA's `archive_override(...)` block.
fn xla_override(text: &str) -> anyhow::Result<(usize, usize)> {
    let name = text.find("module_name = \"xla\",").context("no `archive_override` with `module_name = \"xla\"`")?;
    let start = text[..name].rfind("archive_override(").context("`module_name = \"xla\"` outside an override")?;
    let end = name + text[name..].find("\n)").context("an unterminated `archive_override(`")? + 1;
    Ok((start, end))
}

fn sha256_of(line: &str) -> Option<&str> {
    let value = line.trim().strip_prefix("sha256 = \"")?.strip_suffix("\",")?;
    (value.len() == 64).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real_pin() -> String {
        std::fs::read_to_string(crate::workspace::root().join(PATH)).unwrap()
    }

    #[test]
    fn the_real_pin_agrees_with_the_manifest() {
        let manifest = crate::workspace::manifest().unwrap();
        let text = real_pin();
        assert_eq!(commit(&text).unwrap(), manifest.release.xla_commit);
        assert_eq!(source_sha256(&text).unwrap(), manifest.release.xla_source_sha256.map(|s| s.to_hex()));
    }

    #[test]
    fn pins_a_new_commit_and_its_checksum_where_known() {
        let text = real_pin();
        let new = "0123456789abcdef0123456789abcdef01234567";
        let unknown = rewrite(&text, new, None).unwrap();
        assert_eq!(commit(&unknown).unwrap(), new);
        assert_eq!(source_sha256(&unknown).unwrap(), None);
        // Only the commit line changed; the comments and the other override are intact.
        let changed: Vec<_> = text.lines().zip(unknown.lines()).filter(|(a, b)| a != b).collect();
        assert_eq!(
            changed,
            [("XLA_COMMIT = \"91888df6ce85102c30220e41d952065925e10886\"", &*format!("XLA_COMMIT = \"{new}\""))]
        );

        let sha = Sha256Digest::of(b"source");
        let known = rewrite(&unknown, new, Some(&sha)).unwrap();
        assert_eq!(source_sha256(&known).unwrap(), Some(sha.to_hex()));
        // Where the CI workflow puts it, and once only.
        assert!(known.contains(&format!("    module_name = \"xla\",\n    sha256 = \"{sha}\",\n")));
        let other = Sha256Digest::of(b"other");
        let replaced = rewrite(&known, new, Some(&other)).unwrap();
        assert_eq!(replaced.lines().filter(|l| l.trim().starts_with("sha256 = \"")).count(), 1);
        // Moving on to a commit whose checksum is unknown drops it.
        assert_eq!(rewrite(&replaced, new, None).unwrap(), unknown);
        // rules_ml_toolchain's override keeps its own integrity.
        assert!(known.contains("integrity = \"sha256-NO8YPDSAX78pmC4S8GL1mb3eoSdRYenuEfF1W/x7pco=\""));
    }
}
