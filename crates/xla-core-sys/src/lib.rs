//! Raw bindings to the MLIR, StableHLO, CHLO and Shardy C APIs and XLA's distributed runtime,
//! linked to the XLA core library.
//!
//! # The library
//!
//! The build script links, through the `xla-artifacts` engine:
//!
//! 1. the XLA core static archive (artifact `xla-core`), the official form, which carries every
//!    API below: from `RYFT_XLA_SYS_ARCHIVE` (the archive, or a folder with its `lib/` and
//!    `include/`), a published archive pinned in `artifacts.toml`, or a Bazel build of `bazel/`;
//! 2. where no archive can be had, jaxlib 0.5.3's MLIR C API library (artifact `mlir-capi`,
//!    `RYFT_XLA_SYS_MLIR_CAPI_LIB` or PyPI), linked dynamically with an rpath. It carries MLIR,
//!    StableHLO, CHLO and Shardy, not the distributed runtime.
//!
//! [`linked`] says which one this build linked.
//!
//! # API groups
//!
//! Each group is a module, re-exported at the crate root, compiled when the linked library
//! defines every function of the group (the build script reads its symbol table and sets the cfg
//! `xla_core_<group>`): [`mlir`], [`stablehlo`], [`chlo`], [`sdy`], and `distributed`. The first
//! four are required: a library without them fails the build. The distributed runtime is
//! required by the `distributed` feature. [`symbols`] lists every function of every group.
//!
//! Everything is the C APIs themselves: safe wrappers belong to the crates built on this one.

#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]

#[rustfmt::skip]
#[allow(missing_docs, clippy::all, clippy::undocumented_unsafe_blocks, unsafe_op_in_unsafe_fn)]
// The distributed runtime's comments are C prose: `[::]:8476` is an address, not a link.
#[allow(rustdoc::broken_intra_doc_links)]
mod generated {
    pub mod mlir;
    pub mod symbols;
    #[cfg(xla_core_distributed)]
    pub mod distributed;
}

pub mod mlir;

#[cfg(xla_core_stablehlo)]
pub mod stablehlo;

#[cfg(xla_core_chlo)]
pub mod chlo;

#[cfg(xla_core_sdy)]
pub mod sdy;

/// XLA's distributed runtime (service, client, key-value store) through the C shim that `bazel/`
/// compiles into the XLA core archive. Generated from `bazel/shim/xla_distributed_c_api.h`.
#[cfg(xla_core_distributed)]
pub mod distributed {
    pub use crate::generated::distributed::*;
}

/// The C functions these bindings declare, per API group, and what became of each function the
/// MLIR headers declare (bound, declared by hand, left out and why, written in Rust). Generated
/// by `cargo xtask mlir-bindings`; the build script and the symbol-contract test read it.
pub mod symbols {
    pub use crate::generated::symbols::*;
}

/// The native library this build linked, as the build script resolved it (`None` in a
/// documentation-only build, which links nothing).
pub mod linked {
    /// Its artifact in `artifacts.toml`: `xla-core` (the static archive) or `mlir-capi`.
    pub const ARTIFACT: Option<&str> = option_env!("XLA_ARTIFACTS_LINKED_ARTIFACT");
    /// The library file linked.
    pub const LIBRARY: Option<&str> = option_env!("XLA_ARTIFACTS_LINKED_LIBRARY");
    /// Whether it is a static archive (linked into the final binary) rather than a shared library
    /// (loaded at run time through its rpath). The engine writes `true` or `false`.
    pub const STATIC: bool = matches!(option_env!("XLA_ARTIFACTS_LINKED_STATIC"), Some(v) if v.len() == 4);
    /// The API groups it provides, i.e. the modules compiled.
    pub const GROUPS: &[&str] = &[
        "mlir",
        #[cfg(xla_core_stablehlo)]
        "stablehlo",
        #[cfg(xla_core_chlo)]
        "chlo",
        #[cfg(xla_core_sdy)]
        "sdy",
        #[cfg(xla_core_distributed)]
        "distributed",
    ];
}

#[cfg(xla_core_chlo)]
pub use chlo::*;
#[cfg(xla_core_distributed)]
pub use distributed::*;
pub use mlir::*;
#[cfg(xla_core_sdy)]
pub use sdy::*;
#[cfg(xla_core_stablehlo)]
pub use stablehlo::*;
