//! What changes in pjrt-sys's bindings between two header sets: the API version, the functions
//! (fields of an API table, `PJRT_Api` or `XLA_FFI_Api`, and of each extension struct), the
//! extensions, the structs and their fields. Read from the generated Rust (with syn), the same
//! code `cargo xtask bindings` commits: the committed file is the old side, and the new side is
//! generated in memory by the one generator, so a dry run writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use anyhow::Context as _;
use xla_artifacts::manifest::ApiVersion;

use crate::bindings::generate;

/// Generated bindings, in memory.
pub struct Bindings {
    /// `pjrt.rs`'s code (without the header `cargo xtask bindings` adds).
    pub pjrt: String,
    /// `xla_ffi.rs`'s code.
    pub xla_ffi: String,
    /// Every header bound.
    pub headers: Vec<String>,
    /// The PJRT C API version the headers declare.
    pub api_version: ApiVersion,
}

impl Bindings {
    /// The surface of both files.
    pub fn surface(&self) -> anyhow::Result<Surface> {
        Ok(Surface::of(&self.pjrt)?.merge(Surface::of(&self.xla_ffi)?))
    }
}

/// Generates the bindings of the include directory `include` (the one holding `xla/`).
pub fn generate(include: &Path) -> anyhow::Result<Bindings> {
    let generated = generate::generate(include).map_err(anyhow::Error::msg)?;
    anyhow::ensure!(
        generated.unmatched_extensions.is_empty(),
        "extension structs without a matching PJRT_Extension_Type: {}; teach generate.rs their names",
        generated.unmatched_extensions.join(", ")
    );
    let mut headers = generated.headers;
    headers.extend(generated.ffi_headers);
    let (major, minor) = generated.api_version;
    let api_version = ApiVersion { major, minor };
    Ok(Bindings { pjrt: generated.pjrt, xla_ffi: generated.xla_ffi, headers, api_version })
}

/// What a generated bindings file declares.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Surface {
    /// Structs by name, with their fields (name, type) in order.
    pub structs: BTreeMap<String, Vec<(String, String)>>,
    /// Function pointer types by name, with their signatures.
    pub functions: BTreeMap<String, String>,
    /// Structs declared as extensions (`impl crate::Extension`).
    pub extensions: BTreeSet<String>,
    /// Constants by name, with their values.
    pub constants: BTreeMap<String, String>,
}

impl Surface {
    /// Reads generated code; several files' surfaces add up with [`Surface::merge`].
    pub fn of(code: &str) -> anyhow::Result<Surface> {
        let file = syn::parse_file(code).context("the bindings do not parse")?;
        let mut surface = Surface::default();
        for item in &file.items {
            match item {
                syn::Item::Struct(s) => {
                    let fields =
                        s.fields.iter().filter_map(|f| Some((f.ident.as_ref()?.to_string(), tokens(&f.ty)))).collect();
                    surface.structs.insert(s.ident.to_string(), fields);
                }
                syn::Item::Type(t) if tokens(&t.ty).contains("extern \"C\" fn") => {
                    surface.functions.insert(t.ident.to_string(), tokens(&t.ty));
                }
                syn::Item::Const(c) => {
                    surface.constants.insert(c.ident.to_string(), tokens(&c.expr));
                }
                syn::Item::Impl(i)
                    if i.trait_.as_ref().is_some_and(|(path, _)| tokens(path).ends_with("Extension")) =>
                {
                    surface.extensions.insert(tokens(&i.self_ty));
                }
                _ => {}
            }
        }
        Ok(surface)
    }

    /// Both surfaces in one.
    pub fn merge(mut self, other: Surface) -> Surface {
        self.structs.extend(other.structs);
        self.functions.extend(other.functions);
        self.extensions.extend(other.extensions);
        self.constants.extend(other.constants);
        self
    }

    /// `PJRT_API_MAJOR.PJRT_API_MINOR`, when declared.
    pub fn api_version(&self) -> Option<String> {
        Some(format!("{}.{}", self.constants.get("PJRT_API_MAJOR")?, self.constants.get("PJRT_API_MINOR")?))
    }

    /// The tables of functions: the API tables and every extension struct.
    fn tables(&self) -> impl Iterator<Item = &String> {
        self.structs.keys().filter(|name| {
            self.extensions.contains(*name)
                || (name.ends_with("_Api") && self.structs[*name].first().is_some_and(|(f, _)| f == "struct_size"))
        })
    }

    /// The functions of every table, as `table.field` → signature.
    fn table_functions(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for table in self.tables() {
            for (field, ty) in &self.structs[table] {
                let signature =
                    self.functions.get(ty).cloned().or_else(|| ty.contains("extern \"C\" fn").then(|| ty.clone()));
                if let Some(signature) = signature {
                    out.insert(format!("{table}.{field}"), signature);
                }
            }
        }
        out
    }
}

fn tokens(node: &impl quote::ToTokens) -> String {
    node.to_token_stream().to_string()
}

/// The changes between two surfaces.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SurfaceDiff {
    /// The API version, old and new, when it changed.
    pub api_version: Option<(String, String)>,
    /// Functions added, as `table.field` (`PJRT_Api.PJRT_Client_Foo`).
    pub functions_added: Vec<String>,
    /// Functions removed.
    pub functions_removed: Vec<String>,
    /// Functions whose signature changed.
    pub functions_changed: Vec<String>,
    /// Extension structs added.
    pub extensions_added: Vec<String>,
    /// Extension structs removed.
    pub extensions_removed: Vec<String>,
    /// Structs added (other than extensions).
    pub structs_added: Vec<String>,
    /// Structs removed.
    pub structs_removed: Vec<String>,
    /// Fields added to structs present on both sides, as `struct.field` (functions of tables
    /// excluded: they are listed as functions).
    pub fields_added: Vec<String>,
    /// Fields removed.
    pub fields_removed: Vec<String>,
    /// Fields whose type changed.
    pub fields_changed: Vec<String>,
    /// Header files bound now and not before (filled by the caller, who knows the file lists).
    pub headers_added: Vec<String>,
    /// Header files bound before and not now.
    pub headers_removed: Vec<String>,
}

impl SurfaceDiff {
    /// What changed from `old` to `new`.
    pub fn between(old: &Surface, new: &Surface) -> SurfaceDiff {
        let (old_functions, new_functions) = (old.table_functions(), new.table_functions());
        let added = |a: &BTreeMap<String, String>, b: &BTreeMap<String, String>| -> Vec<String> {
            b.keys().filter(|k| !a.contains_key(*k)).cloned().collect()
        };
        let changed = |a: &BTreeMap<String, String>, b: &BTreeMap<String, String>| -> Vec<String> {
            b.iter().filter(|(k, v)| a.get(*k).is_some_and(|old| old != *v)).map(|(k, _)| k.clone()).collect()
        };
        let internal = |name: &&String| !name.starts_with('_') && !name.contains("__bindgen");
        let structs = |a: &Surface, b: &Surface| -> Vec<String> {
            b.structs
                .keys()
                .filter(|k| !a.structs.contains_key(*k) && !b.extensions.contains(*k))
                .filter(internal)
                .cloned()
                .collect()
        };
        let mut diff = SurfaceDiff {
            api_version: match (old.api_version(), new.api_version()) {
                (Some(a), Some(b)) if a != b => Some((a, b)),
                _ => None,
            },
            functions_added: added(&old_functions, &new_functions),
            functions_removed: added(&new_functions, &old_functions),
            functions_changed: changed(&old_functions, &new_functions),
            extensions_added: new.extensions.difference(&old.extensions).cloned().collect(),
            extensions_removed: old.extensions.difference(&new.extensions).cloned().collect(),
            structs_added: structs(old, new),
            structs_removed: structs(new, old),
            ..SurfaceDiff::default()
        };
        for (name, new_fields) in new.structs.iter().filter(|(name, _)| internal(name)) {
            let Some(old_fields) = old.structs.get(name) else { continue };
            // Plain fields: a table's functions are listed as functions.
            let plain =
                |fields: &[(String, String)], functions: &BTreeMap<String, String>| -> BTreeMap<String, String> {
                    fields
                        .iter()
                        .map(|(f, t)| (format!("{name}.{f}"), t.clone()))
                        .filter(|(key, _)| !functions.contains_key(key) && !key.contains("._"))
                        .collect()
                };
            let (a, b) = (plain(old_fields, &old_functions), plain(new_fields, &new_functions));
            diff.fields_added.extend(added(&a, &b));
            diff.fields_removed.extend(added(&b, &a));
            diff.fields_changed.extend(changed(&a, &b));
        }
        diff
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self == &SurfaceDiff::default()
    }

    /// One line of counts (for the CHANGELOG).
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let mut count = |n: usize, what: &str| {
            if n > 0 {
                parts.push(format!("{what}: {n}"));
            }
        };
        count(self.functions_added.len(), "functions added");
        count(self.functions_removed.len(), "functions removed");
        count(self.functions_changed.len(), "function signatures changed");
        count(self.extensions_added.len(), "extensions added");
        count(self.extensions_removed.len(), "extensions removed");
        count(self.structs_added.len() + self.structs_removed.len(), "structs added or removed");
        count(self.fields_added.len() + self.fields_removed.len() + self.fields_changed.len(), "struct fields changed");
        if parts.is_empty() { "no change".into() } else { parts.join(", ") }
    }
}

impl fmt::Display for SurfaceDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((old, new)) = &self.api_version {
            writeln!(f, "  declared PJRT C API {old} → {new}")?;
        }
        let lists: [(&str, &Vec<String>); 12] = [
            ("headers added", &self.headers_added),
            ("headers removed", &self.headers_removed),
            ("functions added", &self.functions_added),
            ("functions removed", &self.functions_removed),
            ("function signatures changed", &self.functions_changed),
            ("extensions added", &self.extensions_added),
            ("extensions removed", &self.extensions_removed),
            ("structs added", &self.structs_added),
            ("structs removed", &self.structs_removed),
            ("struct fields added", &self.fields_added),
            ("struct fields removed", &self.fields_removed),
            ("struct fields whose type changed", &self.fields_changed),
        ];
        super::diffs::write_lists(f, &lists)?;
        if self.is_empty() {
            writeln!(f, "  no change")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bump::fixtures;

    #[test]
    fn tells_functions_fields_and_extensions_added_and_removed_from_a_tiny_header_set() {
        let dir = tempfile::tempdir().unwrap();
        let (old_dir, new_dir) = (dir.path().join("old"), dir.path().join("new"));
        fixtures::headers(&old_dir, 1);
        fixtures::headers(&new_dir, 2);
        let (old, new) = (generate(&old_dir).unwrap(), generate(&new_dir).unwrap());
        assert_eq!(new.api_version, ApiVersion { major: 0, minor: 2 });
        let diff = SurfaceDiff::between(&old.surface().unwrap(), &new.surface().unwrap());
        let names = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(diff.api_version, Some(("0.1".into(), "0.2".into())));
        assert_eq!(
            diff.functions_added,
            names(&["PJRT_Api.PJRT_Client_Shine", "PJRT_Sparkle_Extension.PJRT_Sparkle_Glow"])
        );
        assert_eq!(diff.functions_removed, names(&["PJRT_Api.PJRT_Client_Fade"]));
        assert_eq!(diff.functions_changed, names(&["PJRT_Api.PJRT_Client_Create"]));
        assert_eq!(diff.extensions_added, names(&["PJRT_Sparkle_Extension"]));
        assert_eq!(diff.extensions_removed, Vec::<String>::new());
        assert_eq!(diff.structs_added, names(&["PJRT_Client_Shine_Args", "PJRT_Sparkle_Glow_Args"]));
        assert_eq!(diff.structs_removed, names(&["PJRT_Client_Fade_Args"]));
        assert_eq!(diff.fields_added, names(&["PJRT_Client_Create_Args.num_options"]));
        assert_eq!(diff.fields_removed, names(&["PJRT_Client_Create_Args.legacy"]));
        assert_eq!(diff.fields_changed, names(&["PJRT_Client_Create_Args.client"]));
        assert!(diff.summary().starts_with("functions added: 2, functions removed: 1"), "{}", diff.summary());
        // The same headers make no difference.
        assert!(SurfaceDiff::between(&old.surface().unwrap(), &old.surface().unwrap()).is_empty());
    }

    #[test]
    fn real_committed_bindings_read_as_the_whole_pjrt_api() {
        let dir = crate::bindings::output_dir();
        let surface = Surface::of(&std::fs::read_to_string(dir.join("pjrt.rs")).unwrap()).unwrap();
        let manifest = crate::workspace::manifest().unwrap();
        assert_eq!(surface.api_version().unwrap(), manifest.release.pjrt_api.to_string());
        let functions = surface.table_functions();
        assert!(functions.contains_key("PJRT_Api.PJRT_Client_Create"));
        assert!(functions.contains_key("PJRT_Layouts_Extension.PJRT_Layouts_MemoryLayout_Serialize"));
        assert_eq!(surface.extensions.len(), 18);
        let ffi = Surface::of(&std::fs::read_to_string(dir.join("xla_ffi.rs")).unwrap()).unwrap();
        assert!(ffi.table_functions().contains_key("XLA_FFI_Api.XLA_FFI_Handler_Register"));
    }
}
