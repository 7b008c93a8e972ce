//! What the workspace's tests, benchmarks and examples share (never published):
//!
//! - [`fixtures`]: real artifacts of the release set, resolved through the engine into the
//!   user's cache, and the one way to skip a test loudly.
//! - [`pjrt`]: a small PJRT driver over pjrt-sys (clients, compilation, buffers, execution), so
//!   that each test is about what it tests. Not a safe API for users.
//! - [`programs`]: the StableHLO programs tests run.
//! - `mlir` (feature `mlir`): building and reading MLIR through xla-core-sys's C APIs.

pub mod fixtures;
#[cfg(feature = "mlir")]
pub mod mlir;
pub mod pjrt;
pub mod programs;
