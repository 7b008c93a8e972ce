//! The PJRT CUDA 12 plugin of the ryft-xla-sys release set: resolved at build time, found and loaded at run time.
//!
//! Filled in by the issue that builds this crate; see the workspace README.
