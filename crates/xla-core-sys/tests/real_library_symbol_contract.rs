//! The symbol contract, against the real linked library: every C function the crate declares in
//! a compiled API group is defined by the library it links; the crate's sources declare exactly
//! the functions `symbols` lists; and every function of the MLIR headers is accounted for. Prints a
//! coverage report (also written to `$CARGO_TARGET_TMPDIR/xla-core-sys-symbol-coverage.txt`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use xla_core_sys::{linked, symbols};

/// Where each group's declarations live, relative to the crate.
const SOURCES: &[(&str, &[&str])] = &[
    ("mlir", &["src/generated/mlir.rs", "src/mlir/overrides.rs"]),
    ("stablehlo", &["src/stablehlo.rs", "src/stablehlo/attributes.rs"]),
    ("chlo", &["src/chlo.rs"]),
    ("sdy", &["src/sdy.rs"]),
    ("distributed", &["src/generated/distributed.rs"]),
];

/// The symbol prefix of each group's own functions (dialect handles and pass registrations are
/// `mlir*`-named but belong to the group that declares them).
const PREFIXES: &[(&str, &str)] =
    &[("mlir", "mlir"), ("stablehlo", "stablehlo"), ("chlo", "chlo"), ("sdy", "sdy"), ("distributed", "XlaDist_")];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The functions declared in the `extern` blocks of a Rust file.
fn foreign_functions(path: &Path) -> BTreeSet<String> {
    let code = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file = syn::parse_file(&code).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut names = BTreeSet::new();
    for item in &file.items {
        if let syn::Item::ForeignMod(block) = item {
            for foreign in &block.items {
                if let syn::ForeignItem::Fn(f) = foreign {
                    names.insert(f.sig.ident.to_string());
                }
            }
        }
    }
    names
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn listed(group: &str) -> &'static [&'static str] {
    match group {
        "mlir" => symbols::MLIR,
        "stablehlo" => symbols::STABLEHLO,
        "chlo" => symbols::CHLO,
        "sdy" => symbols::SDY,
        "distributed" => symbols::DISTRIBUTED,
        other => panic!("unknown group {other}"),
    }
}

/// What the linked library defines.
fn library_symbols() -> (String, BTreeSet<String>) {
    let library = linked::LIBRARY.expect("a library is linked outside documentation builds");
    let path = Path::new(library);
    let symbols = if linked::STATIC {
        xla_artifacts::library::archive_symbols(path)
    } else {
        xla_artifacts::library::exported_symbols(path)
    };
    let shown = format!(
        "{library} ({}, {})",
        linked::ARTIFACT.unwrap_or("?"),
        if linked::STATIC { "static" } else { "shared" }
    );
    (shown, symbols.unwrap_or_else(|e| panic!("reading the symbols of {library}: {e}")))
}

#[test]
fn the_sources_declare_exactly_the_listed_functions() {
    let mut declared_somewhere = BTreeMap::new();
    for (group, files) in SOURCES {
        let mut declared = BTreeSet::new();
        for file in *files {
            let path = crate_dir().join(file);
            if path.exists() {
                declared.extend(foreign_functions(&path));
            }
        }
        let listed: BTreeSet<String> = listed(group).iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(declared, listed, "symbols::{} is stale: run `cargo xtask mlir-bindings`", group.to_uppercase());
        for name in declared {
            assert!(declared_somewhere.insert(name.clone(), *group).is_none(), "{name} is declared twice");
        }
    }
    // No `extern` block anywhere else: every declaration is in a group, so under the contract.
    let known: BTreeSet<PathBuf> =
        SOURCES.iter().flat_map(|(_, files)| files.iter().map(|f| crate_dir().join(f))).collect();
    let mut files = Vec::new();
    rust_files(&crate_dir().join("src"), &mut files);
    for file in files.iter().filter(|f| !known.contains(*f)) {
        let stray = foreign_functions(file);
        assert!(stray.is_empty(), "{} declares {stray:?} outside the symbol groups", file.display());
    }
}

#[test]
fn every_declared_function_is_defined_by_the_linked_library() {
    let (library, defined) = library_symbols();
    let mut report = format!("Symbol coverage of {library}\n\n");
    let _ = writeln!(
        report,
        "{:<12} {:>9} {:>9} {:>9} {:>22}  compiled",
        "group", "declared", "exported", "both", "declared, not exported"
    );
    let all_declared: BTreeSet<&str> = SOURCES.iter().flat_map(|(g, _)| listed(g).iter().copied()).collect();
    let mut failures = Vec::new();
    for (group, prefix) in PREFIXES {
        let declared: BTreeSet<&str> = listed(group).iter().copied().collect();
        // The group's exports: its declared functions, and exports with its prefix that no other
        // group declares.
        let exported: BTreeSet<&str> = defined
            .iter()
            .map(String::as_str)
            .filter(|s| declared.contains(s) || (s.starts_with(prefix) && !all_declared.contains(s)))
            .collect();
        let both = declared.intersection(&exported).count();
        let missing: Vec<&str> = declared.difference(&exported).copied().collect();
        // A group the library lacks is not compiled (its cfg is unset), so it links nothing; the
        // build script fails when a required group is missing.
        let compiled = linked::GROUPS.contains(group);
        let _ = writeln!(
            report,
            "{group:<12} {:>9} {:>9} {both:>9} {:>22}  {}",
            declared.len(),
            exported.len(),
            missing.len(),
            if compiled { "yes" } else { "no: the library lacks the group" }
        );
        if compiled && !missing.is_empty() {
            failures.push(format!("{group}: {} declared functions are not defined: {missing:?}", missing.len()));
        }
    }
    report.push_str(
        "\n(exported: the library's symbols with the group's prefix, plus the group's declared functions.)\n",
    );
    report.push_str(&mlir_header_report(&defined));
    println!("{report}");
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("xla-core-sys-symbol-coverage.txt");
    std::fs::write(&out, &report).unwrap();
    assert!(failures.is_empty(), "{}\nThe library linked is {library}.", failures.join("\n"));
}

/// Per `mlir-c` header: declared, bound, left out, written in Rust; and what the library exports
/// of what was left out (which would mean the bindings are stale for this library).
fn mlir_header_report(defined: &BTreeSet<String>) -> String {
    let mut report = String::from("\nMLIR C API, per header of the generator's input\n");
    let _ = writeln!(report, "{:<40} {:>9} {:>6} {:>9} {:>7}", "header", "declared", "bound", "left out", "inline");
    let (mut declared_total, mut bound_total, mut left_total) = (0, 0, 0);
    for (header, bound) in symbols::MLIR_HEADERS {
        let left = symbols::MLIR_LEFT_OUT
            .iter()
            .filter(|(_, h, why)| h == header && !why.starts_with("static inline"))
            .count();
        let inline = symbols::MLIR_INLINE.iter().filter(|(_, h)| h == header).count();
        let _ = writeln!(report, "{header:<40} {:>9} {:>6} {left:>9} {inline:>7}", bound.len() + left, bound.len());
        declared_total += bound.len() + left;
        bound_total += bound.len();
        left_total += left;
    }
    let _ = writeln!(
        report,
        "{:<40} {declared_total:>9} {bound_total:>6} {left_total:>9} {:>7}",
        "total",
        symbols::MLIR_INLINE.len()
    );
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, _, why) in symbols::MLIR_LEFT_OUT {
        *reasons.entry(why).or_default() += 1;
    }
    for (why, count) in reasons {
        let _ = writeln!(report, "  left out, {why}: {count}");
    }
    for (name, header) in symbols::MLIR_DECLARED_BY_HAND {
        let _ = writeln!(report, "  declared by hand (the library's signature): {name} ({header})");
    }
    for (header, why) in symbols::MLIR_SKIPPED_HEADERS {
        let _ = writeln!(report, "  not read: {header}: {why}");
    }
    let exported_but_left_out: Vec<&str> = symbols::MLIR_LEFT_OUT
        .iter()
        .filter(|(name, _, why)| why.starts_with("not exported") && defined.contains(*name))
        .map(|(name, _, _)| *name)
        .collect();
    let _ =
        writeln!(report, "  left out as not exported, yet exported by this library: {}", exported_but_left_out.len());
    report
}

#[test]
fn what_was_left_out_as_not_exported_is_not_exported_by_the_library_it_was_generated_from() {
    if linked::ARTIFACT != Some("mlir-capi") {
        let reason = format!("the bindings were generated against mlir-capi, and {:?} is linked", linked::ARTIFACT);
        xla_test_support::fixtures::skip("what_was_left_out_as_not_exported...", &reason);
        return;
    }
    let (library, defined) = library_symbols();
    let stale: Vec<&str> = symbols::MLIR_LEFT_OUT
        .iter()
        .filter(|(name, _, why)| why.starts_with("not exported") && defined.contains(*name))
        .map(|(name, _, _)| *name)
        .collect();
    assert!(stale.is_empty(), "{library} exports {stale:?}, left out as not exported: run `cargo xtask mlir-bindings`");
    let inline_exported: Vec<&str> =
        symbols::MLIR_INLINE.iter().map(|(name, _)| *name).filter(|name| defined.contains(*name)).collect();
    assert!(inline_exported.is_empty(), "{library} exports {inline_exported:?}, which the headers define inline");
}

#[test]
fn every_inline_helper_of_the_headers_is_written_in_rust() {
    let code = std::fs::read_to_string(crate_dir().join("src/mlir/inline.rs")).unwrap();
    for (name, header) in symbols::MLIR_INLINE {
        let defined = code.contains(&format!("pub const fn {name}(")) || code.contains(&format!("    {name}("));
        assert!(defined, "{name} (static inline in {header}) is not written in src/mlir/inline.rs");
    }
}

#[test]
fn the_groups_compiled_are_those_the_library_provides() {
    let (library, defined) = library_symbols();
    let provided: Vec<&str> = SOURCES
        .iter()
        .map(|(group, _)| *group)
        .filter(|group| !listed(group).is_empty() && listed(group).iter().all(|f| defined.contains(*f)))
        .collect();
    assert_eq!(linked::GROUPS, provided.as_slice(), "the cfgs disagree with what {library} provides");
}
