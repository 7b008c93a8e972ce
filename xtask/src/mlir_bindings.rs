//! `cargo xtask mlir-bindings`: regenerates xla-core-sys's committed MLIR C API bindings from
//! Debian's `libmlir-19-dev` headers, keeping only what the linked library exports, and the symbol
//! lists its build script and its symbol-contract test read; or, with `--check`, checks them.
//!
//! What is bound, per function the headers declare:
//! - exported by the library (artifact `mlir-capi`), same signature: generated here;
//! - exported, but with another signature in the library (it is newer than LLVM 19): listed in
//!   [`SIGNATURE_CHANGES`], either declared by hand in `src/mlir/overrides.rs` or left out;
//! - not exported: left out, and listed with the reason in `src/generated/symbols.rs`;
//! - `static inline` in the header (no symbol at all): written in Rust, `src/mlir/inline.rs`.
//!
//! StableHLO, CHLO and Shardy have no installable headers: their declarations are written by hand
//! (`src/{stablehlo,chlo,sdy}.rs`); this command only collects their names into the symbol lists.
//! The distributed runtime's bindings come from our own shim header when it exists
//! (see [`distributed`]).

mod distributed;
mod headers;
mod provenance;
mod symbols;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::workspace;

/// The Debian package whose headers are bound, and where it installs them.
pub const DEBIAN_PACKAGE: &str = "libmlir-19-dev";
/// The include directory of [`DEBIAN_PACKAGE`] (the one holding `mlir-c/`).
pub const DEBIAN_INCLUDE: &str = "/usr/lib/llvm-19/include";
/// The library whose exports decide what is bound.
const LIBRARY_ARTIFACT: &str = "mlir-capi";
/// The target whose build of [`LIBRARY_ARTIFACT`] decides, whatever the host: the bindings must
/// not depend on the machine that generates them.
const GENERATION_TARGET: &str = "x86_64-unknown-linux-gnu";

/// How a function whose LLVM 19 declaration differs from the library's is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// Declared by hand, with the library's signature, in `src/mlir/overrides.rs`.
    DeclaredByHand,
    /// Not bound.
    LeftOut,
}

/// Functions the LLVM 19 headers declare with another signature than jaxlib 0.5.3's library
/// (LLVM of March 2025), established by reading newer `mlir-c` headers and the library's
/// disassembly (argument registers, stack slots, and the C++ function each one calls):
///
/// - `mlirPassManagerEnableIRPrinting`: one parameter in LLVM 19; eight in the library (five
///   flags, the printing flags, a tree path): declared by hand.
/// - `mlirLLVMDICompositeTypeAttrGet` (one more parameter; the third and fourth are 32-bit where
///   LLVM 19 has pointers), `mlirLLVMDILocalVariableAttrGet` (a ninth parameter, the flags),
///   `mlirLLVMDISubprogramAttrGet` (four more stack parameters, among them two lists): debug-info
///   constructors of the LLVM dialect, not needed to build XLA programs: left out.
///
/// Also checked: `mlirLLVMDICompileUnitAttrGet` has LLVM 19's eight parameters in the library
/// (newer headers changed it later), so it is generated; `mlirExecutionEngineCreate` is not
/// exported at all.
pub const SIGNATURE_CHANGES: &[(&str, Handling)] = &[
    ("mlirPassManagerEnableIRPrinting", Handling::DeclaredByHand),
    ("mlirLLVMDICompositeTypeAttrGet", Handling::LeftOut),
    ("mlirLLVMDILocalVariableAttrGet", Handling::LeftOut),
    ("mlirLLVMDISubprogramAttrGet", Handling::LeftOut),
];

/// The crate the bindings belong to.
pub fn crate_dir() -> PathBuf {
    workspace::root().join("crates/xla-core-sys")
}

pub fn run(args: Vec<OsString>) -> anyhow::Result<()> {
    let mut include: Option<PathBuf> = None;
    let mut library: Option<PathBuf> = None;
    let mut check = false;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            lexopt::Arg::Long("include") => include = Some(parser.value()?.into()),
            lexopt::Arg::Long("library") => library = Some(parser.value()?.into()),
            lexopt::Arg::Long("check") => check = true,
            other => bail!(other.unexpected()),
        }
    }
    let (include, headers_provenance) = match include {
        Some(dir) => {
            let shown = format!("headers in {}", dir.display());
            (dir, shown)
        }
        None => (PathBuf::from(DEBIAN_INCLUDE), provenance::debian_package(DEBIAN_PACKAGE)?),
    };
    if !include.join("mlir-c/IR.h").is_file() {
        bail!(
            "{} holds no mlir-c/IR.h: install the headers (`apt-get install {DEBIAN_PACKAGE}`) or pass --include DIR",
            include.display()
        );
    }
    let (library, library_provenance) = match library {
        Some(path) => {
            let shown = path.display().to_string();
            (path, shown)
        }
        None => library_of_generation_target()?,
    };
    let exported = xla_artifacts::library::exported_symbols(&library)?;

    let headers = headers::discover(&include)?;
    let plan = Plan::new(&headers, &exported)?;
    let mlir = headers::bindings(&include, &headers, &plan.generated)?;
    let header = format!(
        "// @generated by `cargo xtask mlir-bindings`. Do not edit: regenerate instead.\n\
         // The MLIR C API: the functions of {DEBIAN_PACKAGE}'s mlir-c headers that the linked library exports.\n\
         // Headers: {headers_provenance}.\n\
         // Library: {library_provenance}.\n\
         // Regenerate: `apt-get install {DEBIAN_PACKAGE}`, then `cargo xtask mlir-bindings`.\n\
         // Check: `cargo xtask mlir-bindings --check`.\n\n"
    );
    let generated_dir = crate_dir().join("src/generated");
    workspace::write_or_check(&generated_dir.join("mlir.rs"), &(header + &mlir), check)?;

    let distributed = distributed::generate()?;
    let distributed_path = generated_dir.join("distributed.rs");
    match &distributed {
        Some(code) => workspace::write_or_check(&distributed_path, code, check)?,
        None if distributed_path.exists() => {
            bail!("{} exists but its header {} does not", distributed_path.display(), distributed::HEADER)
        }
        None => println!("{}: not written, no header yet", distributed::HEADER),
    }

    let symbols = symbols::render(&symbols::Inputs {
        headers: &headers,
        plan: &plan,
        generated_mlir: &mlir,
        generated_distributed: distributed.as_deref(),
        headers_provenance: &headers_provenance,
        library_provenance: &library_provenance,
    })?;
    workspace::write_or_check(&generated_dir.join("symbols.rs"), &symbols, check)?;
    plan.print_summary(&headers);
    Ok(())
}

/// [`LIBRARY_ARTIFACT`] for [`GENERATION_TARGET`], and where it came from.
fn library_of_generation_target() -> anyhow::Result<(PathBuf, String)> {
    let manifest = workspace::manifest()?;
    let resolver = xla_artifacts::Resolver::new(&manifest, xla_artifacts::Env::process()).show_progress(true);
    let resolved = resolver.resolve(LIBRARY_ARTIFACT, GENERATION_TARGET).context("getting the MLIR C API library")?;
    let source = manifest.artifact(LIBRARY_ARTIFACT).and_then(|a| a.sources_for(GENERATION_TARGET).next());
    let shown = match (source.map(|s| &s.location), resolved.archive_sha256) {
        (Some(xla_artifacts::SourceLocation::PypiWheel { package, version, file }), Some(sha)) => {
            format!("{package}=={version} ({file}, SHA-256 {sha})")
        }
        _ => format!("{} ({})", resolved.path.display(), resolved.origin),
    };
    Ok((resolved.path, shown))
}

/// What happens to each function the headers declare.
pub struct Plan {
    /// Generated by bindgen: exported, and the header's signature is the library's.
    pub generated: BTreeSet<String>,
    /// Declared by hand (see [`SIGNATURE_CHANGES`]).
    pub by_hand: BTreeSet<String>,
    /// `static inline` helpers written in Rust: those of headers with bound functions.
    pub inline: BTreeSet<String>,
    /// Not bound: (function, reason).
    pub left_out: Vec<(String, &'static str)>,
}

/// Why a declared function is not bound.
pub const NOT_EXPORTED: &str = "not exported by the library";
/// Why a function with a changed signature is not bound.
pub const SIGNATURE_DIFFERS: &str = "the library's signature differs from the header's";
/// Why a `static inline` helper is not written in Rust.
pub const INLINE_OF_MISSING_API: &str = "static inline helper of a header of which the library exports nothing";

impl Plan {
    fn new(headers: &[headers::Header], exported: &BTreeSet<String>) -> anyhow::Result<Self> {
        let mut plan = Plan {
            generated: BTreeSet::new(),
            by_hand: BTreeSet::new(),
            inline: BTreeSet::new(),
            left_out: Vec::new(),
        };
        let declared: BTreeSet<&String> = headers.iter().flat_map(|h| &h.functions).collect();
        for (name, _) in SIGNATURE_CHANGES {
            if !declared.iter().any(|d| d == name) {
                bail!("SIGNATURE_CHANGES names {name}, which no header declares; update mlir_bindings.rs");
            }
        }
        for name in declared {
            let change = SIGNATURE_CHANGES.iter().find(|(n, _)| n == name).map(|(_, h)| *h);
            match (exported.contains(name), change) {
                (false, _) => plan.left_out.push((name.clone(), NOT_EXPORTED)),
                (true, None) => drop(plan.generated.insert(name.clone())),
                (true, Some(Handling::DeclaredByHand)) => drop(plan.by_hand.insert(name.clone())),
                (true, Some(Handling::LeftOut)) => plan.left_out.push((name.clone(), SIGNATURE_DIFFERS)),
            }
        }
        for header in headers {
            let provided = header.functions.iter().any(|f| exported.contains(f));
            for helper in &header.inline {
                if provided {
                    plan.inline.insert(helper.clone());
                } else {
                    plan.left_out.push((helper.clone(), INLINE_OF_MISSING_API));
                }
            }
        }
        plan.left_out.sort();
        Ok(plan)
    }

    fn print_summary(&self, headers: &[headers::Header]) {
        let declared: usize = headers.iter().map(|h| h.functions.len()).sum();
        println!(
            "MLIR: {declared} functions declared by {} headers; {} generated, {} declared by hand, {} left out \
             ({} not exported); {} static inline helpers written in Rust",
            headers.len(),
            self.generated.len(),
            self.by_hand.len(),
            self.left_out.len(),
            self.left_out.iter().filter(|(_, why)| *why == NOT_EXPORTED).count(),
            self.inline.len(),
        );
    }
}
