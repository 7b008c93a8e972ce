//! The Bazel fallback, with a STAND-IN `bazel` on PATH (Bazel and XLA's sources cannot be had
//! here): it "builds" by copying a prepared stand-in archive and answers `cquery --output=files`
//! as Bazel does. What is tested is the engine's side: when Bazel is tried, with which config, how
//! its output is found, verified into the cache and extracted, and how failures read.

mod support;

use std::path::Path;

use support::{TARGET, env, manifest, tar_gz};
use xla_artifacts::{Origin, Resolver};

const ARTIFACT: &str = "[artifact.core]\ndescription = \"a core archive\"\nkind = \"static-archive\"\nenv = \"CORE_ARCHIVE\"\n\
[[artifact.core.source]]\ntargets = [\"x86_64-unknown-linux-gnu\"]\nbazel = \"//:xla_core_archive\"\n";

/// A workspace with `MODULE.bazel`, a prepared output, and a stand-in `bazel` script that logs its
/// arguments. With `fail`, `bazel build` fails like a compile error.
fn stand_in(dir: &Path, fail: bool) -> std::path::PathBuf {
    let workspace = dir.join("bazel");
    std::fs::create_dir_all(workspace.join("prepared")).unwrap();
    std::fs::write(workspace.join("MODULE.bazel"), "module(name = \"stand_in\")\n").unwrap();
    std::fs::write(workspace.join("prepared/xla_core_archive.tar.gz"), tar_gz("lib/libxla_core.a", b"!<arch>\n"))
        .unwrap();
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = format!(
        "#!/bin/sh\necho \"$@\" >> \"{log}\"\ncase \"$1\" in\n  build)\n    {fail}\n    mkdir -p bazel-bin && cp prepared/xla_core_archive.tar.gz bazel-bin/ ;;\n  cquery)\n    echo bazel-bin/xla_core_archive.tar.gz ;;\nesac\n",
        log = dir.join("bazel.log").display(),
        fail = if fail { "echo 'ERROR: compilation of //:xla_core_archive failed' >&2; exit 1" } else { ":" },
    );
    let path = bin.join("bazel");
    std::fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn a_bazel_source_is_built_verified_and_extracted_when_bazel_is_on_path() {
    let dir = tempfile::tempdir().unwrap();
    let bin = stand_in(dir.path(), false);
    let cache = dir.path().join("cache");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let workspace = dir.path().join("bazel");
    let manifest = manifest(ARTIFACT);
    let extra = [("PATH", path.as_str()), ("RYFT_XLA_SYS_BAZEL_WORKSPACE", workspace.to_str().unwrap())];
    let resolved = Resolver::new(&manifest, env(&cache, &extra)).resolve("core", TARGET).unwrap();
    assert_eq!(resolved.origin, Origin::Bazel { label: "//:xla_core_archive".into() });
    assert!(resolved.path.join("lib/libxla_core.a").is_file(), "{}", resolved.path.display());
    assert!(resolved.path.starts_with(&cache), "the output is extracted into the cache");
    let log = std::fs::read_to_string(dir.path().join("bazel.log")).unwrap();
    assert!(log.contains("build --config=linux_x86_64 //:xla_core_archive"), "{log}");
    assert!(log.contains("cquery --output=files --config=linux_x86_64 //:xla_core_archive"), "{log}");
}

#[test]
fn without_bazel_or_offline_the_source_is_skipped_and_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let manifest = manifest(ARTIFACT);
    let no_bazel =
        Resolver::new(&manifest, env(&cache, &[("PATH", "/nonexistent")])).resolve("core", TARGET).unwrap_err();
    let text = no_bazel.to_string();
    assert!(text.contains("skipped: bazel is not on PATH"), "{text}");
    assert!(text.contains("set CORE_ARCHIVE"), "{text}");

    let bin = stand_in(dir.path(), false);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let offline = Resolver::new(&manifest, env(&cache, &[("PATH", path.as_str()), ("CARGO_NET_OFFLINE", "1")]))
        .resolve("core", TARGET)
        .unwrap_err()
        .to_string();
    assert!(offline.contains("skipped: offline"), "{offline}");
    assert!(!dir.path().join("bazel.log").exists(), "bazel must not run offline");
}

#[test]
fn a_failing_bazel_build_reports_its_own_words() {
    let dir = tempfile::tempdir().unwrap();
    let bin = stand_in(dir.path(), true);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let workspace = dir.path().join("bazel");
    let manifest = manifest(ARTIFACT);
    let extra = [("PATH", path.as_str()), ("RYFT_XLA_SYS_BAZEL_WORKSPACE", workspace.to_str().unwrap())];
    let text = Resolver::new(&manifest, env(&dir.path().join("cache"), &extra))
        .resolve("core", TARGET)
        .unwrap_err()
        .to_string();
    assert!(text.contains("ERROR: compilation of //:xla_core_archive failed"), "{text}");
    assert!(text.contains("build --config=linux_x86_64 //:xla_core_archive"), "the command is shown: {text}");
}
