//! What the engine's integration tests share: manifests written on the fly, isolated environments
//! and caches, small archives, and running a resolution in a child process.

#![allow(dead_code)]

pub mod fake_http_server;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use xla_artifacts::{Env, Manifest, Sha256Digest};

pub const TARGET: &str = "x86_64-unknown-linux-gnu";

/// A manifest with the release header and `artifacts` (TOML tables).
pub fn manifest(artifacts: &str) -> Manifest {
    Manifest::parse(&manifest_text(artifacts), "test-artifacts.toml").unwrap()
}

pub fn manifest_text(artifacts: &str) -> String {
    format!(
        "schema = 1\n[release]\njax = \"0.11.2\"\nxla-commit = \"91888df6ce85102c30220e41d952065925e10886\"\npjrt-api = \"0.115\"\n{artifacts}"
    )
}

/// An artifact `demo` served by `url`, pinned to `bytes`.
pub fn url_artifact(url: &str, bytes: &[u8], member: Option<&str>) -> String {
    let member = member.map(|m| format!("member = \"{m}\"\n")).unwrap_or_default();
    format!(
        "[artifact.demo]\ndescription = \"demo library\"\nkind = \"headers\"\nenv = \"DEMO_LIB\"\n\
         [[artifact.demo.source]]\ntargets = [\"{TARGET}\"]\nurl = \"{url}\"\nsha256 = \"{}\"\nsize = {}\n{member}",
        Sha256Digest::of(bytes),
        bytes.len()
    )
}

/// An isolated environment: its own cache, pip reachable, no proxies, fast retries.
pub fn env(cache: &Path, extra: &[(&str, &str)]) -> Env {
    let mut vars: Vec<(String, OsString)> = vec![
        ("RYFT_XLA_SYS_CACHE_DIR".into(), cache.into()),
        ("RYFT_XLA_SYS_HTTP_TIMEOUT".into(), "2".into()),
        ("RYFT_XLA_SYS_HTTP_ATTEMPTS".into(), "2".into()),
    ];
    for name in ["PATH", "HOME"] {
        if let Some(value) = std::env::var_os(name) {
            vars.push((name.into(), value));
        }
    }
    vars.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), OsString::from(v))));
    Env::fixed(vars)
}

/// A `.tar.gz` holding one file.
pub fn tar_gz(name: &str, content: &[u8]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    let mut header = tar::Header::new_gnu();
    header.set_size(content.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder.append_data(&mut header, name, content).unwrap();
    builder.into_inner().unwrap().finish().unwrap()
}

/// Writes a wheel `file` into `dir`: `members`, plus the `.dist-info/METADATA` and `WHEEL` pip
/// reads to check the name and version. Returns its bytes.
pub fn wheel(dir: &Path, file: &str, members: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Cursor;
    let mut fields = file.trim_end_matches(".whl").split('-');
    let (name, version) = (fields.next().unwrap(), fields.next().unwrap());
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
    let (metadata_path, wheel_path) =
        (format!("{name}-{version}.dist-info/METADATA"), format!("{name}-{version}.dist-info/WHEEL"));
    let wheel_info = "Wheel-Version: 1.0\nGenerator: xla-artifacts tests\nRoot-Is-Purelib: false\n";
    let info = [(metadata_path.as_str(), metadata.as_bytes()), (wheel_path.as_str(), wheel_info.as_bytes())];
    for (member, content) in members.iter().copied().chain(info) {
        writer.start_file(member, options).unwrap();
        writer.write_all(content).unwrap();
    }
    let bytes = writer.finish().unwrap().into_inner();
    std::fs::write(dir.join(file), &bytes).unwrap();
    bytes
}

/// Deterministic bytes that do not compress to nothing.
pub fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// Every path below `dir`.
pub fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(read) = std::fs::read_dir(dir) {
        for entry in read.flatten() {
            out.push(entry.path());
            out.extend(tree(&entry.path()));
        }
    }
    out
}

/// Where the child-process resolution is asked to write its manifest and read its settings.
pub const CHILD_SPEC: &str = "XLA_ARTIFACTS_TEST_CHILD_SPEC";

/// Starts this test binary again, running only the ignored test `child_resolves`, which resolves
/// `demo` from the manifest in `spec_dir` with the cache `cache`.
pub fn spawn_child(spec_dir: &Path, cache: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["child_resolves", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_SPEC, spec_dir)
        .env("RYFT_XLA_SYS_CACHE_DIR", cache)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Writes the manifest a child reads.
pub fn write_spec(spec_dir: &Path, manifest_text: &str) {
    std::fs::create_dir_all(spec_dir).unwrap();
    std::fs::File::create(spec_dir.join("artifacts.toml")).unwrap().write_all(manifest_text.as_bytes()).unwrap();
}

/// The body of the child: resolve and print one `RESOLVED <path>` or `FAILED <error>` line.
pub fn child_body() {
    let spec = std::env::var_os(CHILD_SPEC).expect("run only by tests that spawn children (spawn_child)");
    let text = std::fs::read_to_string(Path::new(&spec).join("artifacts.toml")).unwrap();
    let manifest = Manifest::parse(&text, "child").unwrap();
    let resolver = xla_artifacts::Resolver::new(&manifest, Env::process());
    match resolver.resolve("demo", TARGET) {
        // Leading newline: libtest prints the test name on the same line first.
        Ok(resolved) => println!("\nRESOLVED {}", resolved.path.display()),
        Err(error) => println!("\nFAILED {}", error.to_string().replace('\n', " | ")),
    }
}
