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
