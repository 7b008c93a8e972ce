//! Raw bindings to the MLIR, StableHLO, CHLO and Shardy C APIs and XLA's distributed runtime, linked to the XLA core library.
//!
//! Filled in by the issue that builds this crate; see the workspace README.
