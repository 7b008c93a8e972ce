//! Fetching a pinned wheel with pip.
//!
//! pip is called with `--no-deps --only-binary=:all:`, so it never builds a source distribution and
//! never runs third-party code; the wheel's tags pick the platform, so any host can fetch any
//! target's wheel. What pip saves is then hashed like any other download.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::env::{self, Env};
use crate::error::{Error, Result};
use crate::fetch::{describe, last_lines};

/// A running `pip download` of one wheel.
pub(crate) struct PipRun {
    child: std::process::Child,
    python: String,
    shown: String,
    dest: PathBuf,
    /// The file pip must save; `None` when any one wheel will do (see [`start_unpinned`]).
    file: Option<String>,
    temp: PathBuf,
    output: Option<std::thread::JoinHandle<String>>,
}

/// Starts downloading `package==version` into `dest` (an empty directory); the wheel it must save
/// is `file`. pip's own temporary files go below `dest/pip-tmp`, where [`PipRun::in_progress`]
/// finds the wheel while pip is still writing it.
pub(crate) fn start(
    package: &str,
    version: &str,
    file: &str,
    dest: &Path,
    env: &Env,
    progress: bool,
) -> Result<PipRun> {
    let tags = WheelTags::parse(file).ok_or_else(|| Error::PipUnexpectedFile {
        expected: file.into(),
        found: "(a file name without wheel tags)".into(),
    })?;
    spawn(&format!("{package}=={version}"), &tags, Some(file), dest, env, progress)
}

/// Starts downloading whichever wheel of `package==version` pip picks for `tags`, into `dest` (an
/// empty directory): for a version whose files are not pinned yet.
pub(crate) fn start_unpinned(
    package: &str,
    version: &str,
    tags: &WheelTags,
    dest: &Path,
    env: &Env,
    progress: bool,
) -> Result<PipRun> {
    spawn(&format!("{package}=={version}"), tags, None, dest, env, progress)
}

fn spawn(
    requirement: &str,
    tags: &WheelTags,
    file: Option<&str>,
    dest: &Path,
    env: &Env,
    progress: bool,
) -> Result<PipRun> {
    let python = python(env);
    let saved = dest.join("saved");
    let temp = dest.join("pip-tmp");
    for dir in [&saved, &temp] {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir, e))?;
    }
    let mut command = command(&python, requirement, tags, &saved, env);
    for name in ["TMPDIR", "TMP", "TEMP"] {
        command.env(name, &temp);
    }
    if !progress {
        // Drawing a bar nobody sees costs pip CPU on every 10 KiB it receives.
        command.args(["--progress-bar", "off"]);
        // One pipe for both streams, read on a thread: pip's last lines explain a failure.
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
    }
    let shown = describe(&command);
    crate::log!("running {shown}");
    command.stdin(Stdio::null());
    let mut child = command.spawn().map_err(|e| unavailable(&python, e))?;
    let output = if progress {
        None
    } else {
        let (mut out, mut err) = (child.stdout.take().expect("piped"), child.stderr.take().expect("piped"));
        Some(std::thread::spawn(move || {
            use std::io::Read;
            let errors = std::thread::spawn(move || {
                let mut text = String::new();
                let _ = err.read_to_string(&mut text);
                text
            });
            let mut text = String::new();
            let _ = out.read_to_string(&mut text);
            text.push_str(&errors.join().unwrap_or_default());
            text
        }))
    };
    Ok(PipRun { child, python, shown, dest: saved, file: file.map(str::to_owned), temp, output })
}

/// `pip download` of `requirement` for `tags` into `saved`, through the configured index or
/// find-links mirror: never a source distribution, never a dependency.
fn command(python: &str, requirement: &str, tags: &WheelTags, saved: &Path, env: &Env) -> Command {
    let mut command = Command::new(python);
    command.args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--ignore-requires-python"]);
    command.args(["--disable-pip-version-check", "--no-input", "--no-cache-dir", "--dest"]).arg(saved);
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
    command.arg(requirement);
    env.note_read(env::PIP_VARS);
    env.note_read(env::PROXY_VARS);
    for (name, value) in env.child_overrides() {
        command.env(name, value);
    }
    command
}

/// The versions of `package` that have a wheel for `tags`, in pip's order (oldest first).
///
/// pip has no stable command for this: `pip download` of a requirement no version satisfies
/// (`<0`) fails listing every candidate it found for the tags (`from versions: ...`), the words
/// pip has printed since version 10. A listing that followed a network failure is an error, not
/// an empty list. `scratch` is an empty directory (nothing is saved there).
pub(crate) fn versions(package: &str, tags: &WheelTags, scratch: &Path, env: &Env) -> Result<Vec<String>> {
    let python = python(env);
    let mut command = command(&python, &format!("{package}<0"), tags, scratch, env);
    // `-vv`: pip reports a page it could not read only at debug level.
    command.arg("-vv").stdin(Stdio::null());
    let shown = describe(&command);
    crate::log!("running {shown}");
    let output = command.output().map_err(|e| unavailable(&python, e))?;
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let failed = |detail: &str| Error::PipFailed {
        command: shown.clone(),
        status: format!("{} ({detail})", output.status),
        output: last_lines(&text, 25),
    };
    if text.contains("No module named pip") {
        return Err(Error::PipUnavailable { python, detail: "pip is not installed for this interpreter".into() });
    }
    if let Some(line) = text.lines().find(|line| unreadable(line)) {
        return Err(failed(&format!("the listing is incomplete: {}", line.trim())));
    }
    parse_versions(&text).ok_or_else(|| failed("no `from versions:` listing in pip's output"))
}

/// Whether a line of pip's output says an index page or a find-links location could not be read
/// (a 404 only says the index has no such project).
fn unreadable(line: &str) -> bool {
    (line.contains("Could not fetch URL") && !line.contains(" 404 "))
        || line.contains("Retrying (Retry(")
        || line.contains("' is ignored: it is")
}

/// The versions of pip's `(from versions: a, b, c)`; `none` is the empty list.
fn parse_versions(text: &str) -> Option<Vec<String>> {
    let start = text.find("(from versions: ")? + "(from versions: ".len();
    let list = &text[start..start + text[start..].find(')')?];
    if list.trim() == "none" {
        return Some(Vec::new());
    }
    Some(list.split(',').map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect())
}

impl PipRun {
    /// Where pip writes the wheel while downloading it: see [`InProgress`].
    pub(crate) fn in_progress(&self) -> InProgress {
        InProgress { temp: self.temp.clone(), file: self.file.clone().expect("followed for pinned files only") }
    }

    /// Waits for pip and returns the path of the saved wheel, which must be the pinned file (or,
    /// unpinned, one wheel).
    pub(crate) fn wait(mut self) -> Result<PathBuf> {
        let status = self.child.wait().map_err(|e| unavailable(&self.python, e))?;
        let text = self.output.take().map(|t| t.join().unwrap_or_default()).unwrap_or_default();
        if !status.success() {
            if text.contains("No module named pip") {
                return Err(Error::PipUnavailable {
                    python: self.python,
                    detail: "pip is not installed for this interpreter".into(),
                });
            }
            return Err(Error::PipFailed {
                command: self.shown,
                status: status.to_string(),
                output: last_lines(&text, 25),
            });
        }
        let dest = &self.dest;
        let saved: Vec<String> = std::fs::read_dir(dest)
            .map_err(|e| Error::io("listing", dest, e))?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        match (saved.as_slice(), &self.file) {
            ([one], Some(file)) if one == file => Ok(dest.join(one)),
            ([one], None) if one.ends_with(".whl") => Ok(dest.join(one)),
            _ => Err(Error::PipUnexpectedFile {
                expected: self.file.clone().unwrap_or_else(|| "one wheel".into()),
                found: saved.join(", "),
            }),
        }
    }
}

/// The wheel as pip writes it: pip downloads into `<TMPDIR>/pip-unpack-*/<file>`, then copies it
/// to `--dest`. Reading it while it grows lets extraction overlap the download. An optimisation
/// only: pip's layout is its own, so whatever is read there is trusted only once the saved wheel
/// has the pinned checksum too.
pub(crate) struct InProgress {
    temp: PathBuf,
    file: String,
}

impl InProgress {
    /// Opens the growing file, waiting for it to appear until `done` (pip has exited).
    pub(crate) fn open<'a>(&self, done: &'a AtomicBool) -> Option<Following<'a>> {
        loop {
            let found = std::fs::read_dir(&self.temp)
                .ok()
                .and_then(|dirs| dirs.flatten().map(|d| d.path().join(&self.file)).find(|c| c.is_file()));
            if let Some(file) = found.and_then(|path| std::fs::File::open(path).ok()) {
                return Some(Following { file, done });
            }
            if done.load(Ordering::Acquire) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Reads a file another process is still writing: at its current end, waits for more until the
/// writer is done.
pub(crate) struct Following<'a> {
    file: std::fs::File,
    done: &'a AtomicBool,
}

impl std::io::Read for Following<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            // Read the flag first: after the writer is done, one more read sees its last bytes.
            let done = self.done.load(Ordering::Acquire);
            let n = self.file.read(buf)?;
            if n > 0 || done {
                return Ok(n);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Downloads `package==version` into `dest` and returns the saved wheel (see [`start`]).
pub(crate) fn download(
    package: &str,
    version: &str,
    file: &str,
    dest: &Path,
    env: &Env,
    progress: bool,
) -> Result<PathBuf> {
    start(package, version, file, dest, env, progress)?.wait()
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelTags {
    /// `--python-version`: `3`, `3.12`.
    pub python_version: String,
    /// `--implementation`: `py`, `cp`.
    pub implementation: String,
    /// `--abi`: `none`, `cp312`.
    pub abi: String,
    /// `--platform`, one or more (pip takes a wheel matching any): `manylinux_2_27_x86_64`.
    pub platforms: Vec<String>,
}

impl WheelTags {
    /// The tags of wheel file name `file`, or `None` when it is no wheel name.
    pub fn parse(file: &str) -> Option<Self> {
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

    #[test]
    fn reads_the_versions_pip_lists_when_none_satisfies() {
        let text = "Looking in links: /w\nERROR: Could not find a version that satisfies the requirement \
                    jax-cuda12-pjrt<0 (from versions: 0.11.2, 0.12.0, 0.12.0.1)\nERROR: No matching distribution\n";
        assert_eq!(parse_versions(text).unwrap(), ["0.11.2", "0.12.0", "0.12.0.1"]);
        let none = "ERROR: Could not find a version that satisfies the requirement x<0 (from versions: none)";
        assert_eq!(parse_versions(none).unwrap(), Vec::<String>::new());
        assert_eq!(parse_versions("ERROR: something else"), None);
    }

    #[test]
    fn tells_an_unreadable_index_from_a_missing_project() {
        assert!(unreadable("Could not fetch URL http://127.0.0.1:9/simple/x/: connection error: ... - skipping"));
        assert!(unreadable(
            "WARNING: Location '/no/dir' is ignored: it is either a non-existing path or lacks a scheme."
        ));
        assert!(!unreadable("Could not fetch URL https://pypi.org/simple/x/: 404 Client Error: Not Found - skipping"));
        assert!(!unreadable("Skipping link: not a file: https://pypi.org/simple/x/"));
    }
}
