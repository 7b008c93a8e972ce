//! Links the XLA core library and tells the crate which of its API groups the library provides.
//!
//! The official form is the XLA core static archive (artifact `xla-core`: `RYFT_XLA_SYS_ARCHIVE`,
//! a URL in artifacts.toml, or a Bazel build of `bazel/`). Where none can be had, jaxlib 0.5.3's
//! MLIR C API library (artifact `mlir-capi`) is linked dynamically: it carries MLIR, StableHLO,
//! CHLO and Shardy, not the distributed runtime. Each group of functions the crate declares
//! (`src/generated/symbols.rs`) becomes the cfg `xla_core_<group>` when the library defines all
//! of them; a required group it lacks fails the build.

#[allow(dead_code)]
#[rustfmt::skip]
#[path = "src/generated/symbols.rs"]
mod symbols;

use xla_artifacts::build::{Requirement, SymbolGroup};

const USE_THE_ARCHIVE: &str = "link the XLA core archive, which carries every group: build it in the repository's \
    bazel/ folder (`bazel build //:xla_core_archive`), or get a published one, and set RYFT_XLA_SYS_ARCHIVE to it \
    (the archive, or the folder holding its lib/ and include/)";

const GROUPS: &[SymbolGroup] = &[
    SymbolGroup {
        name: "mlir",
        cfg: "xla_core_mlir",
        required: Requirement::Always,
        functions: symbols::MLIR,
        help: USE_THE_ARCHIVE,
    },
    SymbolGroup {
        name: "stablehlo",
        cfg: "xla_core_stablehlo",
        required: Requirement::Always,
        functions: symbols::STABLEHLO,
        help: USE_THE_ARCHIVE,
    },
    SymbolGroup {
        name: "chlo",
        cfg: "xla_core_chlo",
        required: Requirement::Always,
        functions: symbols::CHLO,
        help: USE_THE_ARCHIVE,
    },
    SymbolGroup {
        name: "sdy",
        cfg: "xla_core_sdy",
        required: Requirement::Always,
        functions: symbols::SDY,
        help: USE_THE_ARCHIVE,
    },
    SymbolGroup {
        name: "distributed",
        cfg: "xla_core_distributed",
        required: Requirement::Feature("distributed"),
        functions: symbols::DISTRIBUTED,
        help: "link the XLA core archive, the only library with the distributed runtime: build it in the \
            repository's bazel/ folder (`bazel build //:xla_core_archive`), or get a published one, and set \
            RYFT_XLA_SYS_ARCHIVE to it (the archive, or the folder holding its lib/ and include/); or build \
            without the `distributed` feature",
    },
];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/generated/symbols.rs");
    xla_artifacts::build::run(|build| {
        let linked = build.link_first(&["xla-core", "mlir-capi"])?;
        build.expose_symbol_groups(linked.as_ref(), GROUPS)
    });
}
