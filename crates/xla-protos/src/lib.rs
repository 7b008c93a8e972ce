//! XLA's protobuf messages (compile options, shapes, HLO, topology...) as prost types, generated from the schemas the release set's plugins embed.
//!
//! Filled in by the issue that builds this crate; see the workspace README.
