//! Telling a plugin from a file that is not one, before `dlopen` gets a chance to crash or to
//! give a vague message: the object format, the architecture, and after a failed load, the missing
//! dependency the loader named.

use std::fs::File;
use std::path::Path;

use object::read::ReadCache;
use object::{Architecture, BinaryFormat, Object, ObjectKind};

use crate::error::LoadError;

/// The object format and architecture this process loads.
fn host() -> (BinaryFormat, Architecture) {
    let format = if cfg!(target_vendor = "apple") {
        BinaryFormat::MachO
    } else if cfg!(windows) {
        BinaryFormat::Pe
    } else {
        BinaryFormat::Elf
    };
    let arch = if cfg!(target_arch = "x86_64") {
        Architecture::X86_64
    } else if cfg!(target_arch = "aarch64") {
        Architecture::Aarch64
    } else {
        Architecture::Unknown
    };
    (format, arch)
}

/// Describes a format and architecture the way users say it.
pub(crate) fn describe(format: BinaryFormat, arch: Architecture) -> String {
    let format = match format {
        BinaryFormat::Elf => "ELF",
        BinaryFormat::MachO => "Mach-O",
        BinaryFormat::Pe => "PE",
        BinaryFormat::Coff => "COFF",
        _ => "unknown format",
    };
    let arch = match arch {
        Architecture::X86_64 => "x86-64",
        Architecture::Aarch64 => "arm64",
        Architecture::I386 => "x86",
        Architecture::Arm => "arm",
        other => return format!("{format} {other:?}"),
    };
    format!("{format} {arch}")
}

/// Checks, from its headers only, that `path` is a shared library this process can load.
pub(crate) fn check_loadable(path: &Path) -> Result<(), LoadError> {
    let file = File::open(path).map_err(|source| LoadError::NotFound { path: path.into(), source })?;
    let cache = ReadCache::new(file);
    let object = object::File::parse(&cache)
        .map_err(|e| LoadError::NotASharedLibrary { path: path.into(), found: format!("not an object file ({e})") })?;
    let (format, arch) = host();
    if object.format() != format || (arch != Architecture::Unknown && object.architecture() != arch) {
        return Err(LoadError::WrongArchitecture {
            path: path.into(),
            expected: describe(format, arch),
            found: describe(object.format(), object.architecture()),
        });
    }
    if object.kind() != ObjectKind::Dynamic {
        return Err(LoadError::NotASharedLibrary {
            path: path.into(),
            found: format!(
                "a {} {:?} object, not a shared library",
                describe(object.format(), object.architecture()),
                object.kind()
            ),
        });
    }
    Ok(())
}

/// Classifies a failed `dlopen`: a dependency the loader could not find is named.
pub(crate) fn load_error(path: &Path, error: &libloading::Error) -> LoadError {
    // libloading's own text is "dlopen failed"; the loader's words are in the error's source.
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message = cause.to_string();
        source = cause.source();
    }
    // glibc: "<dependency>: cannot open shared object file: No such file or directory", where the
    // dependency is not the file being loaded.
    if let Some(prefix) = message
        .split(": cannot open shared object file")
        .next()
        .filter(|_| message.contains("cannot open shared object file"))
    {
        let library = prefix.rsplit(": ").next().unwrap_or(prefix).trim().to_owned();
        let own_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !library.is_empty() && library != own_name && !library.ends_with(&format!("/{own_name}")) {
            return LoadError::MissingDependency { path: path.into(), library, message };
        }
    }
    // macOS dyld: "Library not loaded: @rpath/libfoo.dylib".
    if let Some(rest) = message.split("Library not loaded: ").nth(1) {
        let library = rest.split(['\n', ' ', '\'']).next().unwrap_or(rest).to_owned();
        return LoadError::MissingDependency { path: path.into(), library, message };
    }
    LoadError::LoadFailed { path: path.into(), message }
}
