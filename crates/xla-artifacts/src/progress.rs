//! Progress lines for the build log (`cargo build -vv` shows them; tools print them).

use std::sync::atomic::{AtomicBool, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Silences progress lines (for tools whose output is itself the product).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

pub(crate) fn line(args: std::fmt::Arguments<'_>) {
    if !QUIET.load(Ordering::Relaxed) {
        // stderr: in a build script, stdout is for cargo's directives.
        eprintln!("[xla-artifacts] {args}");
    }
}
