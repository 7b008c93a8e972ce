//! Fetching a pinned wheel with pip.
//!
//! pip is called with `--no-deps --only-binary=:all:`, so it never builds a source distribution and
//! never runs third-party code; the wheel's tags pick the platform, so any host can fetch any
//! target's wheel. What pip saves is then hashed like any other download.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::env::{self, Env};
use crate::error::{Error, Result};
use crate::fetch::{describe, last_lines};

/// Downloads `package==version` into `dest` (an empty directory) and returns the path of the saved
/// wheel, which must be `file`.
pub(crate) fn download(
    package: &str,
    version: &str,
    file: &str,
    dest: &Path,
    env: &Env,
    progress: bool,
) -> Result<PathBuf> {
    let tags = WheelTags::parse(file).ok_or_else(|| Error::PipUnexpectedFile {
        expected: file.into(),
        found: "(a file name without wheel tags)".into(),
    })?;
    let python = python(env);
    let mut command = Command::new(&python);
    command.args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--ignore-requires-python"]);
    command.args(["--disable-pip-version-check", "--no-input", "--no-cache-dir", "--dest"]).arg(dest);
    command.args(["--python-version", &tags.python_version, "--implementation", &tags.implementation]);
    command.args(["--abi", &tags.abi]);
    for platform in &tags.platforms {
        command.args(["--platform", platform]);
    }
    let index = env.get_str(env::PIP_INDEX_URL);
    let find_links = env.get_str(env::PIP_FIND_LINKS);
    if let Some(index) = &index {
        command.args(["--index-url", index]);
    }
    if let Some(links) = &find_links {
        command.args(["--find-links", links]);
        if index.is_none() {
            // A find-links mirror alone must be enough: never fall back to the network behind it.
            command.arg("--no-index");
        }
    }
    command.arg(format!("{package}=={version}"));
    env.note_read(env::PIP_VARS);
    env.note_read(env::PROXY_VARS);
    for (name, value) in env.child_overrides() {
        command.env(name, value);
    }
    let shown = describe(&command);
    crate::log!("running {shown}");

    let output = if progress {
        command.stdin(Stdio::null());
        let status = command.status().map_err(|e| unavailable(&python, e))?;
        (status, String::new())
    } else {
        let out = command.stdin(Stdio::null()).output().map_err(|e| unavailable(&python, e))?;
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        (out.status, text)
    };
    let (status, text) = output;
    if !status.success() {
        if text.contains("No module named pip") {
            return Err(Error::PipUnavailable { python, detail: "pip is not installed for this interpreter".into() });
        }
        return Err(Error::PipFailed { command: shown, status: status.to_string(), output: last_lines(&text, 25) });
    }
    let saved: Vec<String> = std::fs::read_dir(dest)
        .map_err(|e| Error::io("listing", dest, e))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    match saved.as_slice() {
        [one] if one == file => Ok(dest.join(one)),
        _ => Err(Error::PipUnexpectedFile { expected: file.into(), found: saved.join(", ") }),
    }
}

fn python(env: &Env) -> String {
    env.get_str(env::PYTHON).unwrap_or_else(|| if cfg!(windows) { "python".into() } else { "python3".into() })
}

fn unavailable(python: &str, e: std::io::Error) -> Error {
    let detail = if e.kind() == std::io::ErrorKind::NotFound {
        format!("{python} was not found on PATH")
    } else {
        e.to_string()
    };
    Error::PipUnavailable { python: python.into(), detail }
}

/// The compatibility tags of a wheel file name (`name-version[-build]-python-abi-platform.whl`),
/// translated into pip's `--python-version`, `--implementation`, `--abi` and `--platform`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct WheelTags {
    pub(crate) python_version: String,
    pub(crate) implementation: String,
    pub(crate) abi: String,
    pub(crate) platforms: Vec<String>,
}

impl WheelTags {
    pub(crate) fn parse(file: &str) -> Option<Self> {
        let stem = file.strip_suffix(".whl")?;
        let mut fields = stem.rsplitn(4, '-');
        let platform = fields.next()?;
        let abi = fields.next()?;
        let python = fields.next()?;
        fields.next()?;
        // A tag may be a dotted set (`py2.py3`, `manylinux_2_17_x86_64.manylinux2014_x86_64`).
        let python = python.split('.').next_back()?;
        let (implementation, digits) = python.split_at(python.find(|c: char| c.is_ascii_digit())?);
        let python_version = match digits.len() {
            0 => return None,
            1 => digits.to_owned(),
            _ => format!("{}.{}", &digits[..1], &digits[1..]),
        };
        Some(Self {
            python_version,
            implementation: implementation.to_owned(),
            abi: abi.split('.').next()?.to_owned(),
            platforms: platform.split('.').map(str::to_owned).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_tags_of_the_release_set_wheels() {
        assert_eq!(
            WheelTags::parse("lammps_jax_pjrt_cpu-0.11.2-py3-none-manylinux_2_27_x86_64.whl").unwrap(),
            WheelTags {
                python_version: "3".into(),
                implementation: "py".into(),
                abi: "none".into(),
                platforms: vec!["manylinux_2_27_x86_64".into()]
            }
        );
        let jaxlib = WheelTags::parse("jaxlib-0.5.3-cp312-cp312-manylinux2014_x86_64.whl").unwrap();
        assert_eq!(
            (jaxlib.python_version.as_str(), jaxlib.implementation.as_str(), jaxlib.abi.as_str()),
            ("3.12", "cp", "cp312")
        );
        let dotted = WheelTags::parse("x-1.0-1-py2.py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl").unwrap();
        assert_eq!(dotted.platforms, ["manylinux_2_17_x86_64", "manylinux2014_x86_64"]);
        assert!(WheelTags::parse("not-a-wheel.tar.gz").is_none());
    }
}
