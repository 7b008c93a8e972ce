//! The PJRT Metal plugin (Apple GPUs, macOS arm64): resolved at build time, found and loaded at run time.
//!
//! Filled in by the issue that builds this crate; see the workspace README.
