//! What a native library file is: its format, architecture, and exported functions, read from its
//! headers (lazily, so a 200 MB library is not read whole).

use std::collections::BTreeSet;
use std::fs::File;
use std::path::Path;

use object::read::archive::ArchiveFile;
use object::read::{NameOrOrdinal, ReadCache};
use object::{Architecture, BinaryFormat, Object, ObjectKind, ObjectSymbol};

use crate::error::{Error, Result};

/// The format and architecture of a library file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LibraryKind {
    /// ELF, Mach-O, PE...
    pub format: BinaryFormat,
    /// x86-64, AArch64...
    pub architecture: Architecture,
    /// Whether it is a shared library (rather than an executable or object).
    pub shared: bool,
}

impl std::fmt::Display for LibraryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.shared { "shared library" } else { "non-shared object" };
        write!(f, "{} {} {what}", format_name(self.format), arch_name(self.architecture))
    }
}

fn format_name(format: BinaryFormat) -> &'static str {
    match format {
        BinaryFormat::Elf => "ELF",
        BinaryFormat::MachO => "Mach-O",
        BinaryFormat::Pe => "PE",
        BinaryFormat::Coff => "COFF",
        _ => "unknown-format",
    }
}

fn arch_name(arch: Architecture) -> &'static str {
    match arch {
        Architecture::X86_64 => "x86-64",
        Architecture::Aarch64 => "arm64",
        Architecture::I386 => "x86",
        Architecture::Arm => "arm",
        Architecture::PowerPc64 => "ppc64",
        Architecture::S390x => "s390x",
        Architecture::Riscv64 => "riscv64",
        _ => "unknown-architecture",
    }
}

/// The library kind a Rust target triple loads, if the engine knows the triple's family.
pub fn expected_for_target(target: &str) -> Option<LibraryKind> {
    let architecture = match target.split('-').next()? {
        "x86_64" => Architecture::X86_64,
        "aarch64" | "arm64" => Architecture::Aarch64,
        _ => return None,
    };
    let format = if target.contains("-linux") {
        BinaryFormat::Elf
    } else if target.contains("-apple-") {
        BinaryFormat::MachO
    } else if target.contains("-windows") {
        BinaryFormat::Pe
    } else {
        return None;
    };
    Some(LibraryKind { format, architecture, shared: true })
}

fn parse<'a>(path: &Path, cache: &'a ReadCache<File>) -> Result<object::File<'a, &'a ReadCache<File>>> {
    object::File::parse(cache).map_err(|e| Error::NotALibrary {
        path: path.into(),
        expected: "shared library".into(),
        found: format!("not an object file this engine can read ({e})"),
    })
}

fn open(path: &Path) -> Result<ReadCache<File>> {
    Ok(ReadCache::new(File::open(path).map_err(|e| Error::io("opening", path, e))?))
}

/// The format and architecture of the library at `path`.
pub fn inspect(path: &Path) -> Result<LibraryKind> {
    let cache = open(path)?;
    let file = parse(path, &cache)?;
    Ok(LibraryKind {
        format: file.format(),
        architecture: file.architecture(),
        shared: file.kind() == ObjectKind::Dynamic,
    })
}

/// Checks that `path` is a shared library that `target` can load.
pub fn check_for_target(path: &Path, target: &str) -> Result<LibraryKind> {
    let found = inspect(path)?;
    if let Some(expected) = expected_for_target(target)
        && found != expected
    {
        return Err(Error::NotALibrary {
            path: path.into(),
            expected: format!("{expected} (for {target})"),
            found: found.to_string(),
        });
    }
    Ok(found)
}

/// Names of the functions and data the library exports (without Mach-O's leading underscore).
pub fn exported_symbols(path: &Path) -> Result<BTreeSet<String>> {
    let cache = open(path)?;
    let file = parse(path, &cache)?;
    let strip = file.format() == BinaryFormat::MachO;
    let mut names = BTreeSet::new();
    let exports = file.exports().map_err(|e| Error::NotALibrary {
        path: path.into(),
        expected: "a readable export table".into(),
        found: e.to_string(),
    })?;
    for export in exports {
        let export = export.map_err(|e| Error::NotALibrary {
            path: path.into(),
            expected: "a readable export table".into(),
            found: e.to_string(),
        })?;
        if let NameOrOrdinal::Name(name) = export.name() {
            let name = String::from_utf8_lossy(name);
            let name = if strip { name.strip_prefix('_').unwrap_or(&name) } else { &name };
            names.insert(name.to_owned());
        }
    }
    Ok(names)
}

/// Names of the global functions and data defined by the members of a static archive (`.a`),
/// without Mach-O's leading underscore.
pub fn archive_symbols(path: &Path) -> Result<BTreeSet<String>> {
    let cache = open(path)?;
    let unreadable = |e: object::read::Error| Error::NotALibrary {
        path: path.into(),
        expected: "a static archive (.a)".into(),
        found: e.to_string(),
    };
    let archive = ArchiveFile::parse(&cache).map_err(unreadable)?;
    let mut names = BTreeSet::new();
    for member in archive.members() {
        let member = member.map_err(unreadable)?;
        let data = member.data(&cache).map_err(unreadable)?;
        // Members that are not objects (symbol tables, LLVM bitcode...) define nothing we can read.
        let Ok(object) = object::File::parse(data) else { continue };
        let strip = object.format() == BinaryFormat::MachO;
        for symbol in object.symbols() {
            if symbol.is_definition()
                && symbol.is_global()
                && let Ok(name) = symbol.name()
            {
                names.insert(if strip { name.strip_prefix('_').unwrap_or(name) } else { name }.to_owned());
            }
        }
    }
    Ok(names)
}

/// A group of C functions a crate declares (an API: `stablehlo`, `distributed`...), which the
/// library it links may or may not define.
#[derive(Debug, Clone, Copy)]
pub struct SymbolGroup<'a> {
    /// Its name, in messages and in the `groups` metadata.
    pub name: &'a str,
    /// The cfg set when the linked library provides the group (declared either way).
    pub cfg: &'a str,
    /// When a library without the group fails the build.
    pub required: Requirement<'a>,
    /// The functions the crate declares for it. A group without functions is never provided.
    pub functions: &'a [&'a str],
    /// What the user can do when the linked library lacks the group.
    pub help: &'a str,
}

/// When a library lacking a [`SymbolGroup`] fails the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement<'a> {
    /// Always: the crate is nothing without the group.
    Always,
    /// When this cargo feature of the crate is enabled.
    Feature(&'a str),
    /// Never: the group's cfg is left unset.
    Optional,
}

impl SymbolGroup<'_> {
    /// The group's functions that a library defining `symbols` lacks.
    pub fn missing_from(&self, symbols: &BTreeSet<String>) -> Vec<&str> {
        self.functions.iter().copied().filter(|f| !symbols.contains(*f)).collect()
    }

    /// Whether a library defining `symbols` provides the group: it has functions, all defined.
    pub fn provided_by(&self, symbols: &BTreeSet<String>) -> bool {
        !self.functions.is_empty() && self.missing_from(symbols).is_empty()
    }
}

/// A required group the library does not provide.
#[derive(Debug)]
pub(crate) struct Unprovided<'g> {
    pub(crate) group: &'g SymbolGroup<'g>,
    pub(crate) required_by: String,
    pub(crate) missing: Vec<&'g str>,
}

impl Unprovided<'_> {
    pub(crate) fn outcome(&self) -> String {
        const SHOWN: usize = 12;
        if self.group.functions.is_empty() {
            return "the crate declares no function of this group yet".into();
        }
        let mut names = self.missing.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
        if self.missing.len() > SHOWN {
            names.push_str(&format!(" and {} more", self.missing.len() - SHOWN));
        }
        format!("it lacks {} of the group's {} functions: {names}", self.missing.len(), self.group.functions.len())
    }
}

/// The names of the groups a library defining `symbols` provides, or the first required group
/// it does not.
pub(crate) fn provided_groups<'g>(
    groups: &'g [SymbolGroup<'g>],
    symbols: &BTreeSet<String>,
    feature_on: impl Fn(&str) -> bool,
) -> std::result::Result<Vec<&'g str>, Unprovided<'g>> {
    let mut provided = Vec::new();
    for group in groups {
        if group.provided_by(symbols) {
            provided.push(group.name);
            continue;
        }
        let required_by = match group.required {
            Requirement::Always => Some("always required".to_owned()),
            Requirement::Feature(feature) if feature_on(feature) => Some(format!("required by feature `{feature}`")),
            _ => None,
        };
        if let Some(required_by) = required_by {
            return Err(Unprovided { group, required_by, missing: group.missing_from(symbols) });
        }
        crate::log!("API group {}: not provided by the linked library", group.name);
    }
    Ok(provided)
}

/// The run-time search paths an ELF library records for its own dependencies and `dlopen` calls
/// (DT_RPATH, then DT_RUNPATH), with `$ORIGIN` expanded to the library's directory. Empty for
/// other formats.
pub fn search_paths(path: &Path) -> Result<Vec<std::path::PathBuf>> {
    use object::elf::{DT_RPATH, DT_RUNPATH};
    use object::read::elf::{ElfFile64, FileHeader};
    let cache = open(path)?;
    let unreadable = |e: object::read::Error| Error::NotALibrary {
        path: path.into(),
        expected: "a readable ELF dynamic section".into(),
        found: e.to_string(),
    };
    let Ok(elf) = ElfFile64::<object::Endianness, _>::parse(&cache) else { return Ok(Vec::new()) };
    let endian = elf.endian();
    let sections = elf.elf_header().sections(endian, &cache).map_err(unreadable)?;
    let table = sections.dynamic_table(endian, &cache).map_err(unreadable)?;
    let origin = path.parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
    let mut paths = Vec::new();
    for tag in [DT_RPATH, DT_RUNPATH] {
        for entry in table.iter().filter(|d| d.tag == tag) {
            let value = String::from_utf8_lossy(entry.string(table.strings()).map_err(unreadable)?).into_owned();
            for dir in value.split(':').filter(|d| !d.is_empty()) {
                let expanded = dir.replace("${ORIGIN}", &origin).replace("$ORIGIN", &origin);
                paths.push(std::path::PathBuf::from(expanded));
            }
        }
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defined(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    fn group<'a>(name: &'a str, required: Requirement<'a>, functions: &'a [&'a str]) -> SymbolGroup<'a> {
        SymbolGroup { name, cfg: "test_cfg", required, functions, help: "link the full library" }
    }

    #[test]
    fn a_group_is_provided_only_when_every_function_is_defined() {
        let g = group("core", Requirement::Optional, &["a", "b"]);
        assert!(g.provided_by(&defined(&["a", "b", "c"])));
        assert!(!g.provided_by(&defined(&["a", "c"])));
        assert_eq!(g.missing_from(&defined(&["a", "c"])), ["b"]);
    }

    #[test]
    fn a_group_without_functions_is_never_provided() {
        assert!(!group("empty", Requirement::Optional, &[]).provided_by(&defined(&["a"])));
    }

    #[test]
    fn missing_optional_groups_are_left_out_without_failing() {
        let groups = [group("core", Requirement::Always, &["a"]), group("extra", Requirement::Optional, &["z"])];
        let provided = provided_groups(&groups, &defined(&["a"]), |_| true).unwrap();
        assert_eq!(provided, ["core"]);
    }

    #[test]
    fn a_feature_group_fails_only_when_its_feature_is_enabled() {
        let groups =
            [group("core", Requirement::Always, &["a"]), group("net", Requirement::Feature("net"), &["n1", "n2"])];
        let symbols = defined(&["a", "n1"]);
        assert_eq!(provided_groups(&groups, &symbols, |_| false).unwrap(), ["core"]);
        let unprovided = provided_groups(&groups, &symbols, |f| f == "net").unwrap_err();
        assert_eq!(unprovided.group.name, "net");
        assert_eq!(unprovided.required_by, "required by feature `net`");
        assert_eq!(unprovided.outcome(), "it lacks 1 of the group's 2 functions: n2");
    }

    #[test]
    fn a_missing_required_group_lists_what_is_missing_briefly() {
        let functions: Vec<String> = (0..20).map(|i| format!("f{i:02}")).collect();
        let functions: Vec<&str> = functions.iter().map(String::as_str).collect();
        let groups = [group("core", Requirement::Always, &functions)];
        let unprovided = provided_groups(&groups, &defined(&["f00"]), |_| false).unwrap_err();
        assert_eq!(unprovided.required_by, "always required");
        let outcome = unprovided.outcome();
        assert!(outcome.starts_with("it lacks 19 of the group's 20 functions: f01, f02,"), "{outcome}");
        assert!(outcome.ends_with("f12 and 7 more"), "{outcome}");
        let empty = [group("later", Requirement::Always, &[])];
        let unprovided = provided_groups(&empty, &defined(&[]), |_| false).unwrap_err();
        assert_eq!(unprovided.outcome(), "the crate declares no function of this group yet");
    }
}
