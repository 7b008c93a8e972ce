//! Resolution through the real pip and the real package index: the release set's CPU plugin wheel,
//! and a tiny wheel (six 1.16.0) for the failure paths. These tests need the network.

mod support;

use std::path::Path;

use support::{TARGET, env, manifest};
use xla_artifacts::{Error, Manifest, Origin, Resolver, Sha256Digest, library};

const SIX_SHA256: &str = "8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254";

fn six(sha256: &str, version: &str) -> Manifest {
    manifest(&format!(
        "[artifact.demo]\ndescription = \"a tiny real wheel\"\nkind = \"headers\"\nenv = \"DEMO_LIB\"\n\
         [[artifact.demo.source]]\ntargets = [\"*\"]\npypi = \"six\"\nversion = \"{version}\"\n\
         file = \"six-{version}-py2.py3-none-any.whl\"\nsha256 = \"{sha256}\"\nsize = 11053\nmember = \"six.py\"\n"
    ))
}

#[test]
fn real_cpu_plugin_wheel_cold_then_warm() {
    let cache = tempfile::tempdir().unwrap();
    let manifest = Manifest::embedded().unwrap();
    let cold = Resolver::new(manifest, env(cache.path(), &[])).resolve("pjrt-cpu", TARGET).unwrap();
    assert!(
        matches!(&cold.origin, Origin::Download { source } if source.contains("lammps-jax-pjrt-cpu==0.11.2")),
        "{:?}",
        cold.origin
    );
    assert!(cold.path.ends_with("lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so"));
    assert_eq!(cold.version.as_deref(), Some("0.11.2"));

    // The kept wheel is the pinned one, and the extracted file is what the stamp says.
    let pinned = manifest.artifact("pjrt-cpu").unwrap().sources[0].sha256.unwrap();
    assert_eq!(cold.archive_sha256, Some(pinned));
    let wheel = cache
        .path()
        .join("v1/downloads")
        .join(pinned.to_hex())
        .join("lammps_jax_pjrt_cpu-0.11.2-py3-none-manylinux_2_27_x86_64.whl");
    assert_eq!(Sha256Digest::of_file(&wheel).unwrap(), pinned);
    assert_eq!(Some(Sha256Digest::of_file(&cold.path).unwrap()), cold.sha256);
    assert_eq!(std::fs::metadata(&cold.path).unwrap().len(), 201_600_336);
    library::check_for_target(&cold.path, TARGET).unwrap();
    assert!(library::exported_symbols(&cold.path).unwrap().contains("GetPjrtApi"));

    let warm = Resolver::new(manifest, env(cache.path(), &[])).resolve("pjrt-cpu", TARGET).unwrap();
    assert_eq!(warm.origin, Origin::Cache);
    assert_eq!(warm.path, cold.path);
    assert_eq!(warm.sha256, cold.sha256);
}

#[test]
fn real_tiny_wheel_with_a_wrong_checksum_is_removed_and_reported() {
    let cache = tempfile::tempdir().unwrap();
    let wrong = "0".repeat(64);
    let error = Resolver::new(&six(&wrong, "1.16.0"), env(cache.path(), &[])).resolve("demo", TARGET).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("checksum mismatch"), "{text}");
    assert!(text.contains(&wrong) && text.contains(SIX_SHA256), "expected and actual are named: {text}");
    let files: Vec<_> = support::tree(cache.path())
        .into_iter()
        .filter(|p| p.is_file() && !p.to_string_lossy().ends_with(".lock"))
        .collect();
    assert!(files.is_empty(), "a mismatching wheel was kept: {files:?}");
}

#[test]
fn real_tiny_wheel_resolves() {
    let cache = tempfile::tempdir().unwrap();
    let resolved = Resolver::new(&six(SIX_SHA256, "1.16.0"), env(cache.path(), &[])).resolve("demo", TARGET).unwrap();
    assert!(resolved.path.ends_with("six.py"));
    assert!(
        std::fs::read_to_string(&resolved.path)
            .unwrap()
            .contains("Utilities for writing code that runs on Python 2 and 3")
    );
}

#[test]
fn real_pip_failing_is_reported_with_its_own_words() {
    let cache = tempfile::tempdir().unwrap();
    let error = Resolver::new(&six(SIX_SHA256, "0.0.0"), env(cache.path(), &[])).resolve("demo", TARGET).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("pip download --no-deps --only-binary=:all:"), "the command is shown: {text}");
    assert!(text.contains("six==0.0.0"), "{text}");
    assert!(
        text.contains("No matching distribution") || text.contains("Could not find a version"),
        "pip's message is kept: {text}"
    );
}

#[test]
fn a_missing_python_or_pip_is_reported_with_what_to_install() {
    let cache = tempfile::tempdir().unwrap();
    let missing = Resolver::new(
        &six(SIX_SHA256, "1.16.0"),
        env(cache.path(), &[("RYFT_XLA_SYS_PYTHON", "/nonexistent/python3")]),
    )
    .resolve("demo", TARGET)
    .unwrap_err()
    .to_string();
    assert!(missing.contains("/nonexistent/python3 was not found"), "{missing}");
    assert!(missing.contains("RYFT_XLA_SYS_PYTHON"), "{missing}");

    // A FAKE interpreter standing in for a Python without pip (fault injection).
    let fake = cache.path().join("python-without-pip");
    std::fs::write(&fake, "#!/bin/sh\necho \"/usr/bin/python3: No module named pip\" >&2\nexit 1\n").unwrap();
    set_executable(&fake);
    let no_pip = Resolver::new(
        &six(SIX_SHA256, "1.16.0"),
        env(cache.path(), &[("RYFT_XLA_SYS_PYTHON", fake.to_str().unwrap())]),
    )
    .resolve("demo", TARGET)
    .unwrap_err()
    .to_string();
    assert!(no_pip.contains("pip is not installed for this interpreter"), "{no_pip}");
    assert!(no_pip.contains("apt-get install python3-pip"), "{no_pip}");
}

#[test]
fn real_overrides_take_a_file_a_directory_or_an_archive() {
    let cache = tempfile::tempdir().unwrap();
    let manifest = six(SIX_SHA256, "1.16.0");
    let fetched = Resolver::new(&manifest, env(cache.path(), &[])).resolve("demo", TARGET).unwrap();
    let wheel = cache.path().join("v1/downloads").join(SIX_SHA256).join("six-1.16.0-py2.py3-none-any.whl");
    let other_cache = tempfile::tempdir().unwrap();
    let with = |value: &Path| {
        Resolver::new(&manifest, env(other_cache.path(), &[("DEMO_LIB", value.to_str().unwrap())]))
            .resolve("demo", TARGET)
    };

    let as_file = with(&fetched.path).unwrap();
    assert_eq!(
        (as_file.path.as_path(), &as_file.origin),
        (fetched.path.as_path(), &Origin::Override { var: "DEMO_LIB".into() })
    );
    let as_dir = with(fetched.path.parent().unwrap()).unwrap();
    assert_eq!(as_dir.path, fetched.path);
    let as_archive = with(&wheel).unwrap();
    assert_eq!(as_archive.origin, Origin::Override { var: "DEMO_LIB".into() });
    assert_eq!(std::fs::read(&as_archive.path).unwrap(), std::fs::read(&fetched.path).unwrap());
    assert!(as_archive.path.starts_with(other_cache.path()), "an archive override is extracted into the cache");

    let missing = with(Path::new("/nonexistent/six.py")).unwrap_err();
    assert!(matches!(missing, Error::OverrideUnusable { .. }));
    let text = missing.to_string();
    assert!(text.contains("DEMO_LIB is set to /nonexistent/six.py") && text.contains("or unset it"), "{text}");
    let empty_dir = tempfile::tempdir().unwrap();
    let text = with(empty_dir.path()).unwrap_err().to_string();
    assert!(text.contains("neither of"), "{text}");
}

#[test]
fn a_plugin_override_must_be_a_library_for_the_target() {
    let cache = tempfile::tempdir().unwrap();
    let manifest = Manifest::embedded().unwrap();
    let text_file = cache.path().join("not-a-plugin.so");
    std::fs::write(&text_file, "hello").unwrap();
    let with = |value: &Path| {
        Resolver::new(manifest, env(cache.path(), &[("PJRT_PLUGIN_CPU_LIB", value.to_str().unwrap())]))
            .resolve("pjrt-cpu", TARGET)
    };
    let text = with(&text_file).unwrap_err().to_string();
    assert!(text.contains("PJRT_PLUGIN_CPU_LIB is set to") && text.contains("not an object file"), "{text}");
    // A real shared library of this machine is accepted by the build-time check (format only).
    let libc = Path::new("/lib/x86_64-linux-gnu/libc.so.6");
    assert_eq!(with(libc).unwrap().path, libc);
    // Asking for another target's plugin with this machine's library is refused.
    let wrong_arch = Resolver::new(manifest, env(cache.path(), &[("PJRT_PLUGIN_METAL_LIB", libc.to_str().unwrap())]))
        .resolve("pjrt-metal", "aarch64-apple-darwin")
        .unwrap_err()
        .to_string();
    assert!(wrong_arch.contains("Mach-O arm64 shared library") && wrong_arch.contains("ELF x86-64"), "{wrong_arch}");
}

fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn real_pip_whose_download_cannot_be_followed_is_extracted_from_the_saved_wheel() {
    // A wrapper around the real interpreter that moves pip's temporary files out of the engine's
    // sight, so the overlapped extraction cannot follow the download and the saved wheel is used.
    let cache = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let wrapper = cache.path().join("python-elsewhere");
    std::fs::write(&wrapper, format!("#!/bin/sh\nexport TMPDIR={}\nexec python3 \"$@\"\n", elsewhere.path().display()))
        .unwrap();
    set_executable(&wrapper);
    let manifest = six(SIX_SHA256, "1.16.0");
    let resolved = Resolver::new(&manifest, env(cache.path(), &[("RYFT_XLA_SYS_PYTHON", wrapper.to_str().unwrap())]))
        .resolve("demo", TARGET)
        .unwrap();
    assert!(matches!(resolved.origin, Origin::Download { .. }));
    assert_eq!(resolved.sha256, Some(Sha256Digest::of_file(&resolved.path).unwrap()));
    assert!(std::fs::read_to_string(&resolved.path).unwrap().contains("Utilities for writing code"));
}
