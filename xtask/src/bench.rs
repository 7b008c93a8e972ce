//! `cargo xtask bench`: every benchmark, each printing its ratios against a baseline measured in
//! the same run: resolution (cold vs pip, warm, peak RSS), execute latency (bindings vs C), and
//! whether a second, no-op `cargo build` of the workspace reruns any build script.

use std::ffi::OsString;
use std::process::Command;

use anyhow::{Context, bail};

use crate::workspace;

pub fn run(args: Vec<OsString>) -> anyhow::Result<()> {
    if let Some(arg) = args.first() {
        bail!("`cargo xtask bench` takes no arguments, found {arg:?}");
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    for (package, bench) in [("xla-artifacts", "resolution"), ("pjrt-sys", "execute_latency")] {
        println!("\n==> cargo bench -p {package} --bench {bench}");
        let status = Command::new(&cargo)
            .current_dir(workspace::root())
            .args(["bench", "-p", package, "--bench", bench])
            .status()
            .context("starting cargo bench")?;
        anyhow::ensure!(status.success(), "the {bench} benchmark failed");
    }
    no_op_build(&cargo)
}

/// Builds the workspace twice; the second build must run no build script.
fn no_op_build(cargo: &OsString) -> anyhow::Result<()> {
    let build = |verbose: bool| -> anyhow::Result<String> {
        let mut command = Command::new(cargo);
        command.current_dir(workspace::root()).args(["build", "--workspace", "--exclude", "pjrt-metal-sys"]);
        if verbose {
            command.arg("-v");
        }
        let output = command.output().context("starting cargo build")?;
        let text = String::from_utf8_lossy(&output.stderr).into_owned();
        anyhow::ensure!(output.status.success(), "cargo build failed:\n{text}");
        Ok(text)
    };
    println!("\n==> cargo build --workspace, twice");
    build(false)?;
    let started = std::time::Instant::now();
    let second = build(true)?;
    let elapsed = started.elapsed();
    let reruns: Vec<&str> =
        second.lines().filter(|l| l.contains("build-script-build") && l.contains("Running")).collect();
    let dirty: Vec<&str> = second.lines().filter(|l| l.trim_start().starts_with("Dirty")).collect();
    println!(
        "no-op build: {:.2} s, {} build scripts rerun, {} crates dirty",
        elapsed.as_secs_f64(),
        reruns.len(),
        dirty.len()
    );
    for line in reruns.iter().chain(&dirty) {
        println!("  {line}");
    }
    anyhow::ensure!(reruns.is_empty() && dirty.is_empty(), "a no-op build must rerun nothing");
    Ok(())
}
