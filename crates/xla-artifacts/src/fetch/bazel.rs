//! Building a `bazel` source in the repository's Bazel workspace, when Bazel is on `PATH`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::env::{self, Env};
use crate::error::{Error, Result};
use crate::fetch::{describe, last_lines};

/// Why a Bazel source cannot even be tried here.
pub(crate) enum Unavailable {
    NoBazel,
    NoWorkspace(PathBuf),
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoBazel => write!(f, "bazel is not on PATH (set {} to its binary)", env::BAZEL),
            Self::NoWorkspace(dir) => {
                write!(
                    f,
                    "no Bazel workspace at {} (set {} to a checkout's bazel/ folder)",
                    dir.display(),
                    env::BAZEL_WORKSPACE
                )
            }
        }
    }
}

/// The Bazel binary and workspace to use, if both exist.
pub(crate) fn locate(env: &Env) -> std::result::Result<(PathBuf, PathBuf), Unavailable> {
    let bazel = match env.get(env::BAZEL) {
        Some(path) => PathBuf::from(path),
        None => find_on_path(env, if cfg!(windows) { "bazel.exe" } else { "bazel" }).ok_or(Unavailable::NoBazel)?,
    };
    let workspace = env
        .get(env::BAZEL_WORKSPACE)
        .map(PathBuf::from)
        // In a checkout of the repository, the workspace sits two levels above this crate.
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bazel"));
    if !workspace.join("MODULE.bazel").is_file() {
        return Err(Unavailable::NoWorkspace(workspace));
    }
    Ok((bazel, workspace))
}

fn find_on_path(env: &Env, name: &str) -> Option<PathBuf> {
    let path = env.get("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
}

/// The `--config` of `bazel/.bazelrc` for a Rust target triple.
pub(crate) fn config_for(target: &str) -> Option<&'static str> {
    Some(match target {
        "x86_64-unknown-linux-gnu" => "linux_x86_64",
        "aarch64-unknown-linux-gnu" => "linux_aarch64",
        "aarch64-apple-darwin" => "macos_arm64",
        _ => return None,
    })
}

/// Builds `label` for `target` and returns the path of its single output file.
pub(crate) fn build(bazel: &Path, workspace: &Path, label: &str, target: &str, env: &Env) -> Result<PathBuf> {
    let mut build = Command::new(bazel);
    build.current_dir(workspace).arg("build");
    if let Some(config) = config_for(target) {
        build.arg(format!("--config={config}"));
    }
    build.arg(label);
    run(&mut build, env)?;
    let mut query = Command::new(bazel);
    query.current_dir(workspace).args(["cquery", "--output=files"]);
    if let Some(config) = config_for(target) {
        query.arg(format!("--config={config}"));
    }
    query.arg(label);
    let output = run(&mut query, env)?;
    let outputs: Vec<&str> = output.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let [file] = outputs.as_slice() else {
        return Err(Error::BazelFailed {
            command: describe(&query),
            status: "unexpected outputs".into(),
            output: format!("expected one output file for {label}, found {}: {}", outputs.len(), outputs.join(", ")),
        });
    };
    let path = workspace.join(file);
    if !path.is_file() {
        return Err(Error::BazelFailed {
            command: describe(&query),
            status: "missing output".into(),
            output: format!("{label} names {}, which does not exist", path.display()),
        });
    }
    Ok(path)
}

fn run(command: &mut Command, env: &Env) -> Result<String> {
    for (name, value) in env.child_overrides() {
        command.env(name, value);
    }
    crate::log!("running {}", describe(command));
    let output = command.stdin(Stdio::null()).output().map_err(|e| Error::BazelFailed {
        command: describe(command),
        status: "could not start".into(),
        output: e.to_string(),
    })?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(Error::BazelFailed {
            command: describe(command),
            status: output.status.to_string(),
            output: last_lines(&String::from_utf8_lossy(&output.stderr), 25),
        });
    }
    Ok(stdout)
}
