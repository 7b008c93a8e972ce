//! Getting bytes from somewhere else: pip, HTTP(S) or a `file://` mirror, and Bazel.

pub(crate) mod bazel;
pub(crate) mod http;
pub(crate) mod pip;

use std::process::Command;

/// A command line as a user would type it, for logs and errors.
pub(crate) fn describe(command: &Command) -> String {
    let mut parts = vec![command.get_program().to_string_lossy().into_owned()];
    parts.extend(command.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}

/// The last `n` lines of a tool's output: where its error usually is.
pub(crate) fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
