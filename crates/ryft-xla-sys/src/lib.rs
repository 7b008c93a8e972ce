//! XLA for Rust, raw: the PJRT plugins, the PJRT C API, XLA's protobufs and the MLIR/StableHLO C APIs, behind features.
//!
//! Filled in by the issue that builds this crate; see the workspace README.
