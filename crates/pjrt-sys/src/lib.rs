//! Raw bindings to the whole PJRT C API and its extensions, and run-time loading of PJRT plugins.
//!
//! Filled in by the issue that builds this crate; see the workspace README.
