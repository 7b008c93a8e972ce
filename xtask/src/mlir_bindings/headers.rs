//! The `mlir-c` headers: which are bound, which functions each declares, and the one bindgen run
//! that generates the bindings.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, bail};

/// One header of `mlir-c`, and the functions it declares.
pub struct Header {
    /// Relative to the include directory, e.g. `mlir-c/IR.h`.
    pub path: String,
    /// Functions with a symbol (declarations), including those of the `.capi.h.inc` files it
    /// includes (the pass registrations), sorted.
    pub functions: Vec<String>,
    /// `static inline` helpers defined in the header (no symbol), sorted.
    pub inline: Vec<String>,
}

/// Headers of `mlir-c` that are not read, and why.
pub const SKIPPED: &[(&str, &str)] = &[
    ("mlir-c/Bindings/", "Python interop helpers: need Python.h, declare nothing a library exports"),
    ("mlir-c/Target/LLVMIR.h", "needs LLVM's own C headers (llvm-c), which the package does not ship"),
];

/// Every bound header of `include/mlir-c`, with its functions.
pub fn discover(include: &Path) -> anyhow::Result<Vec<Header>> {
    let mut paths = Vec::new();
    collect(include, &include.join("mlir-c"), &mut paths)?;
    paths.retain(|p| !SKIPPED.iter().any(|(prefix, _)| p.starts_with(prefix)));
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(include.join(&path)).with_context(|| format!("reading {path}"))?;
            let functions = declared_functions(include, &path, &text)?;
            let inline = inline_helpers(&text);
            Ok(Header { path, functions, inline })
        })
        .collect()
}

fn collect(include: &Path, dir: &Path, out: &mut Vec<String>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect(include, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "h") {
            out.push(path.strip_prefix(include)?.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// The `.capi.h.inc` files a header includes: tablegen'd pass registrations it declares through them.
fn included_capi_files(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("#include \""))
        .filter_map(|rest| rest.split('"').next())
        .filter(|included| included.ends_with(".capi.h.inc"))
        .collect()
}

/// The functions bindgen finds declared in `header` itself (and its `.capi.h.inc` files).
fn declared_functions(include: &Path, header: &str, text: &str) -> anyhow::Result<Vec<String>> {
    let mut builder =
        base_builder(include).header_contents("xla_core_sys_probe.h", &format!("#include \"{header}\"\n"));
    for file in std::iter::once(header).chain(included_capi_files(text)) {
        builder = builder.allowlist_file(format!(".*/{}", regex_escape(file)));
    }
    let code = builder.generate().map_err(|e| anyhow::anyhow!("bindgen failed on {header}: {e}"))?.to_string();
    let file = syn::parse_file(&code).with_context(|| format!("bindgen's output for {header} does not parse"))?;
    let mut names: Vec<String> = foreign_functions(&file).into_iter().collect();
    names.sort();
    Ok(names)
}

/// `static inline` (or `inline static`) functions defined in a header's text.
fn inline_helpers(text: &str) -> Vec<String> {
    let mut names = BTreeSet::new();
    let mut pending = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("static inline") || line.starts_with("inline static") {
            pending = true;
        }
        if pending && let Some(open) = line.find('(') {
            let name: String = line[..open]
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if !name.is_empty() {
                names.insert(name);
            }
            pending = false;
        }
    }
    names.into_iter().collect()
}

/// The names of the functions declared in `extern` blocks of a Rust file.
pub fn foreign_functions(file: &syn::File) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut visit = |items: &[syn::Item]| {
        for item in items {
            if let syn::Item::ForeignMod(block) = item {
                for foreign in &block.items {
                    if let syn::ForeignItem::Fn(f) = foreign {
                        names.insert(f.sig.ident.to_string());
                    }
                }
            }
        }
    };
    visit(&file.items);
    names
}

pub fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn base_builder(include: &Path) -> bindgen::Builder {
    bindgen::Builder::default()
        .clang_arg(format!("-I{}", include.display()))
        .generate_comments(false)
        // The workspace's minimum Rust and edition: `unsafe extern "C"` blocks.
        .rust_target(bindgen::RustTarget::stable(89, 0).expect("a Rust version bindgen knows"))
        .rust_edition(bindgen::RustEdition::Edition2024)
        .formatter(bindgen::Formatter::None)
        .layout_tests(true)
        .derive_default(true)
        .derive_debug(true)
        // C enums may carry values newer than these bindings: newtypes, never Rust enums.
        .default_enum_style(bindgen::EnumVariation::NewType { is_bitfield: false, is_global: false })
        .prepend_enum_name(false)
        .size_t_is_usize(true)
        .merge_extern_blocks(true)
}

/// Runs bindgen over every header, binding the functions in `functions`, the types they use
/// and the `MLIR_CAPI_*` constants; returns the formatted code.
pub fn bindings(include: &Path, headers: &[Header], functions: &BTreeSet<String>) -> anyhow::Result<String> {
    if functions.is_empty() {
        bail!("no function to bind: the library exports none of the declared functions");
    }
    let wrapper: String = headers.iter().map(|h| format!("#include \"{}\"\n", h.path)).collect();
    let names: Vec<String> = functions.iter().map(|f| regex_escape(f)).collect();
    let code = base_builder(include)
        .header_contents("xla_core_sys_mlir.h", &wrapper)
        .allowlist_function(format!("({})", names.join("|")))
        // Types come with the functions that use them; constants of the C API (not of Debian's
        // build configuration, `MLIR_ENABLE_*`, which says nothing of the linked library).
        .allowlist_var("MLIR_CAPI_.*")
        .sort_semantically(true)
        .generate()
        .map_err(|e| anyhow::anyhow!("bindgen failed: {e}"))?
        .to_string();
    let file = syn::parse_file(&code).context("bindgen produced unparsable Rust")?;
    let bound = foreign_functions(&file);
    if let Some(missing) = functions.iter().find(|f| !bound.contains(*f)) {
        bail!("bindgen did not bind {missing}, which the plan binds");
    }
    if let Some(extra) = bound.iter().find(|f| !functions.contains(*f)) {
        bail!("bindgen bound {extra}, which the plan does not");
    }
    Ok(prettyplease::unparse(&file))
}
