//! `cargo xtask test`: the whole test suite, as CI runs it: formatting, the MSRV, lints, every test against
//! the real artifacts, every facade feature alone and together, and the generated code's freshness.
//! Tests that could not run (no GPU, say) are listed at the end: a skip is never a pass.

use std::ffi::OsString;
use std::process::Command;

use anyhow::{Context, bail};

use crate::workspace;

/// Crates that build only for other platforms than Linux x86-64 / aarch64.
const NOT_HERE: &[&str] = &["pjrt-metal-sys"];

/// Every facade feature, each checked alone and all together.
/// (`distributed` is checked by the offline step below: the library linked here lacks it, so only a
/// build that links nothing, or defers its link error, can compile it.)
const FACADE_FEATURES: &[&str] = &["cpu", "cuda-12", "cuda-13", "rocm-7", "tpu", "neuron", "metal", "core", "protos"];

pub fn run(args: Vec<OsString>) -> anyhow::Result<()> {
    if let Some(arg) = args.first() {
        bail!("`cargo xtask test` takes no arguments, found {arg:?}");
    }
    let root = workspace::root();
    let skip_log = root.join("target/skipped-tests.log");
    std::fs::create_dir_all(root.join("target"))?;
    let _ = std::fs::remove_file(&skip_log);
    let exclude: Vec<String> = NOT_HERE.iter().flat_map(|c| ["--exclude".to_owned(), (*c).to_owned()]).collect();

    cargo(&["fmt", "--all", "--check"])?;
    msrv_check(&root, &exclude, &skip_log)?;
    let mut clippy = vec!["clippy", "--workspace", "--all-targets"];
    clippy.extend(exclude.iter().map(String::as_str));
    clippy.extend(["--", "-D", "warnings"]);
    cargo(&clippy)?;
    for feature in FACADE_FEATURES {
        cargo(&["check", "-p", "ryft-xla-sys", "--no-default-features", "--features", feature])?;
    }
    let together = FACADE_FEATURES.join(",");
    cargo(&["check", "-p", "ryft-xla-sys", "--no-default-features", "--features", &together])?;
    offline_checks(&root)?;
    let mut test = vec!["test", "--workspace", "--no-fail-fast"];
    test.extend(exclude.iter().map(String::as_str));
    let mut command = cargo_command(&test);
    command.env(SKIP_LOG_VAR, &skip_log);
    run_command(command)?;
    crate::check::run(Vec::new()).context("cargo xtask check")?;
    // The README's main job, exactly as written there.
    cargo(&["run", "--release", "--example", "quickstart"])?;
    offline_end_to_end(&root)?;
    bundle_moves(&root)?;

    let skipped = std::fs::read_to_string(&skip_log).unwrap_or_default();
    if skipped.trim().is_empty() {
        println!("\nAll tests ran; none was skipped.");
    } else {
        println!("\n*** NOT RUN (skips are not passes) ***");
        for line in skipped.lines() {
            println!("  - {line}");
        }
    }
    Ok(())
}

/// `cargo check` of every crate and target with the workspace's `rust-version` toolchain, which
/// rustup installs if it can. Without rustup, or where its server is out of reach, the check is
/// listed as not run; a compile error with that toolchain fails the suite.
fn msrv_check(root: &std::path::Path, exclude: &[String], skip_log: &std::path::Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(root.join("Cargo.toml"))?;
    let parsed: toml::Table = toml::from_str(&text)?;
    let msrv = parsed
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("rust-version"))
        .and_then(|v| v.as_str())
        .context("the workspace's Cargo.toml declares no workspace.package.rust-version")?;
    println!("\n==> rustup toolchain install {msrv} --profile minimal");
    let installed = Command::new("rustup").args(["toolchain", "install", msrv, "--profile", "minimal"]).status();
    if !installed.is_ok_and(|s| s.success()) {
        let why = format!("MSRV check with Rust {msrv}: rustup could not install that toolchain here");
        println!("*** NOT RUN: {why} ***");
        let mut log = std::fs::OpenOptions::new().create(true).append(true).open(skip_log)?;
        std::io::Write::write_all(&mut log, format!("{why}\n").as_bytes())?;
        return Ok(());
    }
    let mut check = Command::new("rustup");
    check.current_dir(root).args(["run", msrv, "cargo", "check", "--workspace", "--all-targets", "--locked"]);
    check.args(exclude).arg("--target-dir").arg(root.join("target/xtask-msrv"));
    // The outer cargo's own toolchain must not leak into the inner one.
    for var in ["CARGO", "RUSTC", "RUSTDOC", "RUSTUP_TOOLCHAIN"] {
        check.env_remove(var);
    }
    run_command(check).with_context(|| format!("the workspace does not build with its rust-version, {msrv}"))
}

/// The variable xla-test-support's `fixtures::skip` appends to.
const SKIP_LOG_VAR: &str = "XLA_TEST_SKIP_LOG";

fn cargo_command(args: &[&str]) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(workspace::root()).args(args);
    command
}

fn cargo(args: &[&str]) -> anyhow::Result<()> {
    run_command(cargo_command(args))
}

fn run_command(mut command: Command) -> anyhow::Result<()> {
    let shown = format!("{command:?}");
    println!("\n==> {}", shown.replace('"', ""));
    let status = command.status().with_context(|| format!("starting {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

/// Issue-level promises about builds, each in its own target directory:
/// - with an empty cache and no network, `cargo check` of the facade with every feature succeeds
///   (plugins and libraries are needed only where a binary is linked or a plugin loaded);
/// - asking for the distributed runtime with a library that lacks it fails the build, saying so.
fn offline_checks(root: &std::path::Path) -> anyhow::Result<()> {
    let scratch = root.join("target/xtask-offline");
    let cache = scratch.join("empty-cache");
    let _ = std::fs::remove_dir_all(&cache);
    let target_dir = scratch.join("target");
    let mut offline = cargo_command(&["check", "-p", "ryft-xla-sys", "--all-features", "--target-dir"]);
    offline.arg(&target_dir).env("RYFT_XLA_SYS_CACHE_DIR", &cache).env("RYFT_XLA_SYS_OFFLINE", "1");
    run_command(offline).context("`cargo check --all-features` offline with an empty cache")?;

    let mut distributed = cargo_command(&["check", "-p", "xla-core-sys", "--features", "distributed", "--target-dir"]);
    distributed.arg(scratch.join("distributed"));
    println!("\n==> {distributed:?} (must fail: the MLIR C API library has no distributed runtime)");
    let output = distributed.output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.success() || !stderr.contains("distributed API group") || !stderr.contains("RYFT_XLA_SYS_ARCHIVE")
    {
        bail!("the `distributed` feature must fail clearly without the XLA core archive; it printed:\n{stderr}");
    }
    println!("failed as it should, naming the missing group and RYFT_XLA_SYS_ARCHIVE");
    stand_in_archive(&scratch)
}

/// The static-archive form of xla-core-sys, with a STAND-IN archive (the real one needs a Bazel
/// build of XLA): `RYFT_XLA_SYS_ARCHIVE` names a `.tar.gz` holding `lib/libxla_core.a` (one
/// object defining one C API function), `lib/LINK_LIBS` and `include/`. The build unpacks it,
/// links it statically, reads its symbols, and fails saying which API functions it lacks.
fn stand_in_archive(scratch: &std::path::Path) -> anyhow::Result<()> {
    let dir = scratch.join("stand-in-archive");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tree/lib"))?;
    std::fs::create_dir_all(dir.join("tree/include"))?;
    std::fs::write(dir.join("stand_in.c"), "void *mlirContextCreate(void) { return 0; }\n")?;
    let run = |program: &str, args: &[&str]| -> anyhow::Result<()> {
        let status = Command::new(program)
            .current_dir(&dir)
            .args(args)
            .status()
            .with_context(|| format!("running {program}"))?;
        anyhow::ensure!(status.success(), "{program} {args:?} failed");
        Ok(())
    };
    run("cc", &["-c", "-fPIC", "stand_in.c", "-o", "stand_in.o"])?;
    run("ar", &["rcs", "tree/lib/libxla_core.a", "stand_in.o"])?;
    std::fs::write(dir.join("tree/lib/LINK_LIBS"), "-lstdc++ -lm\n")?;
    run("tar", &["czf", "xla_core_archive.tar.gz", "-C", "tree", "lib", "include"])?;
    let mut build = cargo_command(&["check", "-p", "xla-core-sys", "--target-dir"]);
    build.arg(scratch.join("stand-in-target")).env("RYFT_XLA_SYS_ARCHIVE", dir.join("xla_core_archive.tar.gz"));
    println!("\n==> {build:?} (must fail: the stand-in archive defines one function)");
    let output = build.output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.success() || !stderr.contains("libxla_core.a") || !stderr.contains("lacks") {
        bail!("a stand-in archive must be unpacked, read and refused naming what it lacks; it printed:\n{stderr}");
    }
    println!("refused as it should: the archive was unpacked, linked and its symbols read");
    Ok(())
}

/// Fills a vendor directory, then builds and runs the quickstart with the network off, pip out
/// of reach and an empty user cache: everything comes from the vendor directory, checked by hash.
fn offline_end_to_end(root: &std::path::Path) -> anyhow::Result<()> {
    let scratch = root.join("target/xtask-vendored");
    let vendor = scratch.join("vendor");
    let cache = scratch.join("empty-cache");
    let _ = std::fs::remove_dir_all(&cache);
    crate::fetch::run(vec!["--features".into(), "cpu,core".into(), "--dest".into(), vendor.clone().into()])
        .context("cargo xtask fetch")?;
    let mut run = cargo_command(&["run", "-p", "xla-core-sys", "--example", "quickstart"]);
    run.env("CARGO_NET_OFFLINE", "true")
        .env("RYFT_XLA_SYS_CACHE_DIR", &cache)
        .env("RYFT_XLA_SYS_VENDOR_DIR", &vendor)
        // No interpreter, so no pip: only the vendor directory can serve.
        .env("RYFT_XLA_SYS_PYTHON", "/nonexistent/python3");
    run_command(run).context("the quickstart from a vendor directory, offline")?;
    let _ = std::fs::remove_dir_all(&cache);
    Ok(())
}

/// Builds the quickstart in bundle mode, moves its output folder elsewhere, removes the cache it
/// was resolved into, and runs it there without any library path set.
fn bundle_moves(root: &std::path::Path) -> anyhow::Result<()> {
    let scratch = root.join("target/xtask-bundle");
    let cache = scratch.join("cache");
    let moved = scratch.join("moved");
    let target_dir = scratch.join("target");
    for dir in [&cache, &moved] {
        let _ = std::fs::remove_dir_all(dir);
    }
    let mut build = cargo_command(&["build", "-p", "xla-core-sys", "--example", "quickstart", "--target-dir"]);
    build.arg(&target_dir).env("RYFT_XLA_SYS_BUNDLE", "1").env("RYFT_XLA_SYS_CACHE_DIR", &cache);
    run_command(build)?;
    copy_tree(&target_dir.join("debug/examples"), &moved)?;
    std::fs::remove_dir_all(&cache)?;
    let mut run = Command::new(moved.join("quickstart"));
    run.env_remove("LD_LIBRARY_PATH").env_remove("DYLD_LIBRARY_PATH").env("RYFT_XLA_SYS_CACHE_DIR", &cache);
    run_command(run).context("the bundled quickstart, moved, with its cache removed")?;
    Ok(())
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}
