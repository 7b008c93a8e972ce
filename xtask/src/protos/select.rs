//! Which `.proto` files to generate, and from which binary of the release set each one comes.
//!
//! Starting from the files the crate must offer, every file and, transitively, everything it
//! imports is taken from the first binary that embeds it. Binaries are searched in a fixed order and
//! each is loaded only when the ones before it lack a file that is needed: the CPU plugin alone
//! usually has everything, and the GPU plugins are large downloads.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::extract::{ConflictingDescriptors, EmbeddedFile};

/// A binary searched for descriptors: an artifact of the release set.
#[derive(Debug)]
pub struct Source {
    /// The artifact's name in artifacts.toml.
    pub artifact: String,
    /// Where its bytes came from (package, version, checksums), one line.
    pub provenance: String,
    /// The descriptors it embeds, by file name.
    pub files: BTreeMap<String, EmbeddedFile>,
    /// Files it embeds in different versions (not in `files`).
    pub conflicts: Vec<ConflictingDescriptors>,
}

/// A file chosen for generation.
#[derive(Debug, Clone)]
pub struct Chosen {
    /// Its descriptor and serialization.
    pub file: EmbeddedFile,
    /// The index in [`Selection::sources`] of the binary it came from.
    pub source: usize,
}

/// The outcome of [`select`].
#[derive(Debug, Default)]
pub struct Selection {
    /// The files found, by name: closed under imports unless something is missing.
    pub files: BTreeMap<String, Chosen>,
    /// The binaries that were loaded, in search order.
    pub sources: Vec<Source>,
    /// Files no binary embeds, with the files that import them (empty for a requested file).
    pub missing: BTreeMap<String, BTreeSet<String>>,
    /// Binaries that could not be loaded, with the reason.
    pub unavailable: Vec<(String, String)>,
}

/// Finds `roots` and everything they import in the binaries named by `artifacts`, searched in
/// that order; `load` reads one binary's descriptors, and is called only when needed.
pub fn select(roots: &[&str], artifacts: &[&str], mut load: impl FnMut(&str) -> anyhow::Result<Source>) -> Selection {
    let mut selection = Selection::default();
    let mut next_artifact = artifacts.iter();
    let mut queue: VecDeque<(String, Option<String>)> = roots.iter().map(|r| (r.to_string(), None)).collect();
    let mut seen = BTreeSet::new();
    while let Some((name, imported_by)) = queue.pop_front() {
        if !seen.insert(name.clone()) {
            if let (Some(missing), Some(by)) = (selection.missing.get_mut(&name), imported_by) {
                missing.insert(by);
            }
            continue;
        }
        let found = loop {
            if let Some(index) = selection.sources.iter().position(|s| s.files.contains_key(&name)) {
                break Some(index);
            }
            // Not in any binary loaded so far: load the next one, if any is left.
            let Some(artifact) = next_artifact.next() else { break None };
            match load(artifact) {
                Ok(source) => selection.sources.push(source),
                Err(error) => selection.unavailable.push((artifact.to_string(), format!("{error:#}"))),
            }
        };
        match found {
            Some(source) => {
                let file = selection.sources[source].files[&name].clone();
                queue.extend(file.descriptor.dependency.iter().map(|d| (d.clone(), Some(name.clone()))));
                selection.files.insert(name, Chosen { file, source });
            }
            None => {
                selection.missing.entry(name).or_default().extend(imported_by);
            }
        }
    }
    selection
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost_types::FileDescriptorProto;

    fn source(artifact: &str, files: &[(&str, &[&str])]) -> Source {
        let files = files
            .iter()
            .map(|(name, deps)| {
                let descriptor = FileDescriptorProto {
                    name: Some(name.to_string()),
                    dependency: deps.iter().map(|d| d.to_string()).collect(),
                    ..Default::default()
                };
                (name.to_string(), EmbeddedFile { descriptor, offset: 0, bytes: Vec::new() })
            })
            .collect();
        Source { artifact: artifact.into(), provenance: String::new(), files, conflicts: Vec::new() }
    }

    fn origin(selection: &Selection, name: &str) -> String {
        selection.sources[selection.files[name].source].artifact.clone()
    }

    #[test]
    fn later_binaries_are_loaded_only_for_what_the_first_lacks() {
        let mut loaded = Vec::new();
        let selection = select(&["a.proto", "c.proto"], &["cpu", "gpu", "other"], |artifact| {
            loaded.push(artifact.to_string());
            Ok(match artifact {
                "cpu" => source("cpu", &[("a.proto", &["b.proto"]), ("c.proto", &[])]),
                "gpu" => source("gpu", &[("a.proto", &[]), ("b.proto", &["c.proto"])]),
                _ => unreachable!("not needed"),
            })
        });
        assert_eq!(loaded, ["cpu", "gpu"]);
        assert!(selection.missing.is_empty());
        // The first binary wins where both embed a file.
        assert_eq!(origin(&selection, "a.proto"), "cpu");
        assert_eq!(origin(&selection, "b.proto"), "gpu");
        assert_eq!(origin(&selection, "c.proto"), "cpu");
    }

    #[test]
    fn reports_what_no_binary_has_and_who_imports_it() {
        let selection = select(&["a.proto", "z.proto"], &["cpu", "gpu"], |artifact| match artifact {
            "cpu" => Ok(source("cpu", &[("a.proto", &["b.proto"]), ("c.proto", &["b.proto"])])),
            _ => anyhow::bail!("no network"),
        });
        assert_eq!(selection.files.keys().collect::<Vec<_>>(), ["a.proto"]);
        assert_eq!(selection.missing["b.proto"], BTreeSet::from(["a.proto".to_string()]));
        assert!(selection.missing["z.proto"].is_empty());
        assert_eq!(selection.unavailable, [("gpu".to_string(), "no network".to_string())]);
    }

    #[test]
    fn cycles_and_diamonds_are_visited_once() {
        let selection = select(&["a.proto"], &["cpu"], |_| {
            Ok(source(
                "cpu",
                &[
                    ("a.proto", &["b.proto", "c.proto"]),
                    ("b.proto", &["d.proto"]),
                    ("c.proto", &["d.proto"]),
                    ("d.proto", &["a.proto"]),
                ],
            ))
        });
        assert_eq!(selection.files.len(), 4);
        assert!(selection.missing.is_empty());
    }
}
