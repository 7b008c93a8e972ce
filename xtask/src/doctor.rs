//! `cargo xtask doctor`: for each artifact the enabled features need, where it was resolved from,
//! its version and SHA-256, whether it loads, its PJRT C API version and devices; for CUDA, the
//! driver version and every runtime library it will look for, found or missing by name.
//!
//! Each plugin is probed in a child process (`cargo xtask doctor --probe ARTIFACT PATH`): two
//! plugins in one process can share global state, and a crashing plugin must not end the report.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use lexopt::ValueExt as _;
use xla_artifacts::{ArtifactKind, Env, Manifest, Resolver, library};

use crate::workspace;

pub fn run(args: Vec<OsString>) -> anyhow::Result<()> {
    let mut features: Option<Vec<String>> = None;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            lexopt::Arg::Long("probe") => {
                let artifact = parser.value()?.string()?;
                let path: PathBuf = parser.value()?.into();
                return probe(&artifact, &path);
            }
            lexopt::Arg::Long("features") => workspace::add_features(&parser.value()?.string()?, &mut features),
            lexopt::Arg::Long("all-features") => features = Some(workspace::all_features()?),
            other => bail!(other.unexpected()),
        }
    }
    let features = features.unwrap_or_else(|| vec!["default".to_owned()]);
    let manifest = workspace::manifest()?;
    let target = workspace::host_target();
    println!(
        "ryft-xla-sys doctor: release set jax {} (XLA {}), target {target}",
        manifest.release.jax,
        &manifest.release.xla_commit[..12]
    );
    println!("features: {}", features.join(", "));
    for name in workspace::artifacts_for_features(&features)? {
        let krate = manifest.artifact(&name).and_then(|a| a.crate_name.clone()).unwrap_or_default();
        let with_runtime = workspace::runtime_requested(&features, &krate)?;
        report(&manifest, &name, target, with_runtime)?;
    }
    Ok(())
}

fn report(manifest: &Manifest, name: &str, target: &str, with_runtime: bool) -> anyhow::Result<()> {
    let artifact = manifest.artifact(name).expect("features name manifest artifacts");
    println!("\n{name}: {}", artifact.description);
    if !artifact.supports(target) && std::env::var_os(&artifact.env).is_none() {
        println!("  not available for {target}");
        return Ok(());
    }
    let resolver = Resolver::new(manifest, Env::process());
    let resolved =
        if with_runtime { resolver.resolve_with_runtime(name, target) } else { resolver.resolve(name, target) };
    let resolved = match resolved {
        Ok(resolved) => resolved,
        Err(error) => {
            println!("  NOT RESOLVED:\n    {}", error.to_string().replace('\n', "\n    "));
            return Ok(());
        }
    };
    println!("  path      {}", resolved.path.display());
    println!("  from      {}", resolved.origin);
    if let Some(version) = &resolved.version {
        println!("  version   {version}");
    }
    if let Some(sha) = resolved.sha256 {
        println!("  sha256    {sha} (file)");
    }
    if let Some(sha) = resolved.archive_sha256 {
        println!("  archive   {sha}");
    }
    match artifact.kind {
        ArtifactKind::PjrtPlugin => {
            if let Some(expected) = artifact.pjrt_api {
                println!("  pins      PJRT C API {expected}");
            }
            probe_in_child(name, &resolved.path)?;
            if !artifact.needs.is_empty() {
                libraries(&resolved.path, &artifact.needs);
            }
        }
        ArtifactKind::SharedLibrary => match library::check_for_target(&resolved.path, target) {
            Ok(kind) => {
                let symbols = library::exported_symbols(&resolved.path).map(|s| s.len()).unwrap_or(0);
                println!("  library   {kind}, {symbols} exported symbols");
            }
            Err(error) => println!("  NOT A LIBRARY FOR {target}: {error}"),
        },
        _ => {}
    }
    Ok(())
}

/// How long a plugin may take to load and create a client before the probe gives up on it.
const PROBE_TIMEOUT: Duration = Duration::from_secs(60);

fn probe_in_child(name: &str, path: &Path) -> anyhow::Result<()> {
    let out = tempfile::NamedTempFile::new()?;
    let err = tempfile::NamedTempFile::new()?;
    let mut child = Command::new(std::env::current_exe()?)
        .args(["doctor", "--probe", name])
        .arg(path)
        .stdout(out.reopen()?)
        .stderr(err.reopen()?)
        .spawn()
        .context("starting the probe")?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if started.elapsed() > PROBE_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    for line in std::fs::read_to_string(out.path())?.lines() {
        println!("  {line}");
    }
    match status {
        Some(status) if status.success() => {}
        Some(status) => println!("  PROBE FAILED ({status}): {}", last_line(&std::fs::read(err.path())?)),
        None => {
            println!(
                "  PROBE TIMED OUT after {}s: the plugin did not finish loading or creating a client.",
                PROBE_TIMEOUT.as_secs()
            );
            if name == "pjrt-tpu" {
                println!(
                    "  libtpu asks the cloud metadata server about the machine; off a TPU VM, set TPU_SKIP_MDS_QUERY=1."
                );
            }
        }
    }
    Ok(())
}

fn last_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").to_owned()
}

/// Where each library the plugin opens at run time would be found: its own search paths, then
/// `LD_LIBRARY_PATH`, then the system's loader cache.
fn libraries(plugin: &Path, needs: &[String]) {
    let mut dirs: Vec<(PathBuf, &str)> =
        library::search_paths(plugin).unwrap_or_default().into_iter().map(|d| (d, "the plugin's RPATH")).collect();
    if let Some(paths) = std::env::var_os("LD_LIBRARY_PATH") {
        dirs.extend(std::env::split_paths(&paths).map(|d| (d, "LD_LIBRARY_PATH")));
    }
    let system = Command::new("ldconfig")
        .arg("-p")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    println!("  run-time libraries:");
    for name in needs {
        let found = dirs
            .iter()
            .find(|(dir, _)| dir.join(name).exists())
            .map(|(dir, how)| format!("{} ({how})", dir.join(name).display()));
        let found = found.or_else(|| {
            system
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{name} ")))
                .and_then(|l| l.split("=> ").nth(1))
                .map(|p| format!("{} (system)", p.trim()))
        });
        match found {
            Some(place) => println!("    found    {name}: {place}"),
            None => println!("    MISSING  {name}"),
        }
    }
}

/// The child side: load, report the API version and, except for libtpu (which blocks for minutes
/// without a TPU), create a client and list its devices. For CUDA plugins, the driver's version.
fn probe(artifact: &str, path: &Path) -> anyhow::Result<()> {
    use pjrt_sys::*;
    if artifact.contains("cuda") {
        println!("driver    {}", cuda_driver());
    }
    let plugin = match Plugin::load(path) {
        Ok(plugin) => plugin,
        Err(error) => {
            println!("LOAD FAILED: {error}");
            return Ok(());
        }
    };
    println!("loads     yes, PJRT C API {} (PJRT_Api of {} bytes)", plugin.version(), plugin.api().struct_size());
    let extensions: Vec<String> = plugin.extensions().map(|(ty, _)| ty.0.to_string()).collect();
    println!("extension types {}", extensions.join(", "));
    if artifact == "pjrt-tpu" {
        println!("client    not created: libtpu retries the cloud metadata server for minutes without a TPU");
        return Ok(());
    }
    let Some(create) = plugin.api().PJRT_Client_Create() else {
        println!("client    the plugin has no PJRT_Client_Create");
        return Ok(());
    };
    let mut args = PJRT_Client_Create_Args::new();
    // SAFETY: valid arguments for this plugin's function.
    if let Some(error) = unsafe { plugin.take_error(create(&mut args)) } {
        println!("client    NOT CREATED: {error}");
        return Ok(());
    }
    let mut devices = PJRT_Client_AddressableDevices_Args::new();
    devices.client = args.client;
    let function = plugin.api().PJRT_Client_AddressableDevices().context("no PJRT_Client_AddressableDevices")?;
    // SAFETY: a live client of this plugin.
    if let Some(error) = unsafe { plugin.take_error(function(&mut devices)) } {
        println!("devices   NOT LISTED: {error}");
        return Ok(());
    }
    println!("devices   {}", devices.num_addressable_devices);
    Ok(())
}

/// The CUDA driver's version, read from libcuda.so.1 (`cuDriverGetVersion`), or why not.
fn cuda_driver() -> String {
    // SAFETY: loading the NVIDIA driver library runs its initializers, as any CUDA program does.
    let library = match unsafe { libloading::Library::new("libcuda.so.1") } {
        Ok(library) => library,
        Err(_) => return "no NVIDIA driver (libcuda.so.1 is not installed)".into(),
    };
    // SAFETY: `cuDriverGetVersion(int*)` is the driver API's version query.
    let get = match unsafe { library.get::<unsafe extern "C" fn(*mut i32) -> i32>(b"cuDriverGetVersion\0") } {
        Ok(get) => get,
        Err(_) => return "libcuda.so.1 has no cuDriverGetVersion".into(),
    };
    let mut version = 0;
    // SAFETY: writes one int.
    match unsafe { get(&mut version) } {
        0 => format!("CUDA driver {}.{} ({version})", version / 1000, version % 1000 / 10),
        code => format!("cuDriverGetVersion failed with CUresult {code}"),
    }
}
