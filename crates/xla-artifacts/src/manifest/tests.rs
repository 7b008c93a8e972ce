use super::*;

const RELEASE: &str = r#"
schema = 1

[release]
jax = "0.11.2"
xla-commit = "91888df6ce85102c30220e41d952065925e10886"
pjrt-api = "0.115"
"#;

fn with_artifact(body: &str) -> String {
    format!("{RELEASE}\n[artifact.demo]\ndescription = \"demo\"\nkind = \"pjrt-plugin\"\nenv = \"DEMO_LIB\"\n{body}")
}

fn error_of(text: &str) -> ManifestError {
    Manifest::parse(text, "test.toml").expect_err("the manifest should be refused")
}

const PYPI_SOURCE: &str = r#"
[[artifact.demo.source]]
targets = ["x86_64-unknown-linux-gnu"]
pypi = "demo-pkg"
version = "1.0"
file = "demo_pkg-1.0-py3-none-manylinux_2_27_x86_64.whl"
sha256 = "1319390d948b39f69f7dade496b7c385149d9ca6097a6b62114da113216d9ad1"
size = 10
member = "demo/libdemo.so"
"#;

#[test]
fn the_embedded_manifest_is_valid_and_pins_the_release_set() {
    let manifest = Manifest::embedded().unwrap();
    assert_eq!(manifest.release.jax, "0.11.2");
    assert_eq!(manifest.release.xla_commit, "91888df6ce85102c30220e41d952065925e10886");
    assert_eq!(manifest.release.pjrt_api, ApiVersion { major: 0, minor: 115 });
    let cpu = manifest.artifact("pjrt-cpu").unwrap();
    assert_eq!(cpu.env, "PJRT_PLUGIN_CPU_LIB");
    assert_eq!(cpu.file_name("x86_64-unknown-linux-gnu").as_deref(), Some("pjrt_c_api_cpu_plugin.so"));
    let first = cpu.sources_for("x86_64-unknown-linux-gnu").next().unwrap();
    assert!(matches!(&first.location, SourceLocation::PypiWheel { package, .. } if package == "lammps-jax-pjrt-cpu"));
    // The seed's override names are kept.
    for (artifact, var) in [
        ("pjrt-cuda12", "PJRT_PLUGIN_CUDA_12_LIB"),
        ("pjrt-cuda13", "PJRT_PLUGIN_CUDA_13_LIB"),
        ("pjrt-rocm7", "PJRT_PLUGIN_ROCM_7_LIB"),
        ("pjrt-tpu", "PJRT_PLUGIN_TPU_LIB"),
        ("pjrt-neuron", "PJRT_PLUGIN_NEURON_LIB"),
        ("pjrt-metal", "PJRT_PLUGIN_METAL_LIB"),
        ("xla-core", "RYFT_XLA_SYS_ARCHIVE"),
    ] {
        assert_eq!(manifest.artifact(artifact).unwrap().env, var);
    }
    assert!(manifest.artifact("pjrt-metal").unwrap().supports("aarch64-apple-darwin"));
    assert!(!manifest.artifact("pjrt-metal").unwrap().supports("x86_64-unknown-linux-gnu"));
}

#[test]
fn a_valid_source_parses_with_its_line() {
    let manifest = Manifest::parse(&with_artifact(PYPI_SOURCE), "test.toml").unwrap();
    let demo = manifest.artifact("demo").unwrap();
    let source = &demo.sources[0];
    assert_eq!(source.size, Some(10));
    assert_eq!(source.member.as_ref().unwrap().file_name(), "libdemo.so");
    assert_eq!(
        source.line,
        with_artifact(PYPI_SOURCE).lines().position(|l| l.starts_with("[[artifact.demo.source]]")).unwrap() + 1
    );
}

#[test]
fn unknown_keys_are_refused_with_their_line() {
    let text = with_artifact(&PYPI_SOURCE.replace("size = 10", "size = 10\nsha265 = \"x\""));
    let error = error_of(&text);
    let line = text.lines().position(|l| l.starts_with("sha265")).unwrap() + 1;
    assert_eq!(error.line, line, "{error}");
    assert!(error.message.contains("sha265"), "{error}");
}

#[test]
fn a_missing_checksum_is_refused_with_the_source_line() {
    let text = with_artifact(
        &PYPI_SOURCE.replace("sha256 = \"1319390d948b39f69f7dade496b7c385149d9ca6097a6b62114da113216d9ad1\"\n", ""),
    );
    let error = error_of(&text);
    let line = text.lines().position(|l| l.starts_with("[[artifact.demo.source]]")).unwrap() + 1;
    assert_eq!(error.line, line, "{error}");
    assert!(error.message.contains("missing `sha256`"), "{error}");
}

#[test]
fn a_malformed_checksum_is_refused_with_its_line() {
    for bad in ["1319390d", "1319390D948B39F69F7DADE496B7C385149D9CA6097A6B62114DA113216D9AD1", &"z".repeat(64)] {
        let text = with_artifact(
            &PYPI_SOURCE.replace("1319390d948b39f69f7dade496b7c385149d9ca6097a6b62114da113216d9ad1", bad),
        );
        let error = error_of(&text);
        let line = text.lines().position(|l| l.starts_with("sha256")).unwrap() + 1;
        assert_eq!(error.line, line, "{error}");
        assert!(error.message.contains("SHA-256"), "{error}");
        assert!(error.to_string().starts_with(&format!("test.toml:{line}:")), "{error}");
    }
}

#[test]
fn sources_need_exactly_one_location() {
    let two = with_artifact(&PYPI_SOURCE.replace("member", "url = \"https://example.org/x.whl\"\nmember"));
    assert!(error_of(&two).message.contains("exactly one of"));
    let none = with_artifact("[[artifact.demo.source]]\ntargets = [\"*\"]\n");
    assert!(error_of(&none).message.contains("exactly one of"));
}

#[test]
fn urls_must_be_https_except_on_loopback() {
    let url = |u: &str| {
        with_artifact(&format!(
            "[[artifact.demo.source]]\ntargets = [\"*\"]\nurl = \"{u}\"\nsha256 = \"{}\"\nsize = 1\n",
            "a".repeat(64)
        ))
    };
    assert!(Manifest::parse(&url("https://example.org/libdemo.so"), "t").is_ok());
    assert!(Manifest::parse(&url("http://127.0.0.1:8080/libdemo.so"), "t").is_ok());
    assert!(error_of(&url("http://example.org/libdemo.so")).message.contains("https://"));
    assert!(error_of(&url("http://127.0.0.1.evil.example/libdemo.so")).message.contains("https://"));
    assert!(error_of(&url("https://example.org/dir/")).message.contains("file ="));
}

#[test]
fn members_and_paths_are_checked() {
    for bad in ["/abs/lib.so", "a/../../lib.so", "a//b", "./a"] {
        let text = with_artifact(&PYPI_SOURCE.replace("demo/libdemo.so", bad));
        assert!(error_of(&text).message.contains("member"), "{bad} accepted");
    }
    let relative = with_artifact("[[artifact.demo.source]]\ntargets = [\"*\"]\npath = \"lib/libdemo.so\"\n");
    assert!(error_of(&relative).message.contains("absolute"));
    let bazel_with_sum = with_artifact(&format!(
        "[[artifact.demo.source]]\ntargets = [\"*\"]\nbazel = \"//:demo\"\nsha256 = \"{}\"\n",
        "a".repeat(64)
    ));
    assert!(error_of(&bazel_with_sum).message.contains("no `sha256`"));
}

#[test]
fn wheel_names_must_match_their_package() {
    let text = with_artifact(&PYPI_SOURCE.replace("demo_pkg-1.0-py3", "other-1.0-py3"));
    assert!(error_of(&text).message.contains("wheel named demo_pkg-1.0-"));
}

#[test]
fn env_vars_are_unique_and_well_formed() {
    let twice = format!(
        "{}\n[artifact.other]\ndescription = \"o\"\nkind = \"headers\"\nenv = \"DEMO_LIB\"\n",
        with_artifact("")
    );
    assert!(error_of(&twice).message.contains("used by two artifacts"));
    let lower = with_artifact("").replace("DEMO_LIB", "demo_lib");
    assert!(error_of(&lower).message.contains("environment variable"));
}

#[test]
fn declared_targets_cover_the_sources() {
    let text = with_artifact(&format!("targets = [\"aarch64-apple-darwin\"]\n{PYPI_SOURCE}"));
    assert!(error_of(&text).message.contains("not among the artifact's `targets`"));
}

#[test]
fn the_schema_version_is_checked() {
    let text = RELEASE.replace("schema = 1", "schema = 2");
    assert!(error_of(&text).message.contains("unsupported schema 2"));
}
