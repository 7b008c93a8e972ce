//! bump-xla end to end, without the network: a copy of the repository's inputs (a manifest shaped
//! like the real one, the real pin file and Cargo.toml, a CHANGELOG, bindings generated from a tiny
//! header set, an xla-protos module list) in a temporary directory, and a local wheel directory
//! served to pip as `--find-links`. The dry run must write nothing; the real run must rewrite the
//! files and then regenerate; a second run must find nothing to do.

use std::collections::BTreeMap;
use std::path::Path;

use xla_artifacts::{Manifest, Sha256Digest};

use super::fixtures::{self, binary_with_descriptors, descriptors, wheel};
use super::plan::{Options, Settings};
use super::repo::{self, Repo};
use super::{execute, pin, surface};

const NEW_COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const X86: &str = "x86_64-unknown-linux-gnu";
/// A changelog whose Unreleased section has subsections before and after Changed.
const CHANGELOG: &str =
    "# Changelog\n\n## [Unreleased]\n\n### Added\n- The workspace.\n\n### Fixed\n- A bug.\n\n## [0.1.0]\n";

/// The fixture: a repository, a wheel directory, a cache, and each wheel's bytes by file name.
struct Fixture {
    repo: tempfile::TempDir,
    links: tempfile::TempDir,
    cache: tempfile::TempDir,
    wheels: BTreeMap<String, Vec<u8>>,
}

impl Fixture {
    fn new() -> Fixture {
        let (repo, links, cache) =
            (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut wheels = BTreeMap::new();
        let mut add = |file: &str, members: &[(&str, &[u8])], metadata: &str| {
            wheels.insert(file.to_owned(), wheel(links.path(), file, members, metadata));
        };
        let cpu = "lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so";
        let notice = format!(
            "pjrt_c_api_cpu_plugin.so is the OpenXLA CPU PJRT plugin, built from XLA commit\n{NEW_COMMIT} (the XLA of jaxlib 0.12.0).\n"
        );
        let (old_binary, new_binary) =
            (binary_with_descriptors(&descriptors(1)), binary_with_descriptors(&descriptors(2)));
        add("lammps_jax_pjrt_cpu-0.11.2-py3-none-manylinux_2_27_x86_64.whl", &[(cpu, &old_binary)], "");
        // The new CPU plugin moved to manylinux_2_28, and records its XLA commit.
        add(
            "lammps_jax_pjrt_cpu-0.12.0-py3-none-manylinux_2_28_x86_64.whl",
            &[
                (cpu, &new_binary),
                ("lammps_jax_pjrt_cpu-0.12.0.dist-info/licenses/THIRD_PARTY_NOTICES", notice.as_bytes()),
            ],
            "",
        );
        let cuda = "jax_plugins/xla_cuda12/xla_cuda_plugin.so";
        add("jax_cuda12_pjrt-0.11.2-py3-none-manylinux_2_27_x86_64.whl", &[(cuda, b"cuda 0.11.2 x86")], "");
        add("jax_cuda12_pjrt-0.11.2-py3-none-manylinux_2_27_aarch64.whl", &[(cuda, b"cuda 0.11.2 arm")], "");
        // No aarch64 wheel of 0.12.0; a post-release beside it.
        add("jax_cuda12_pjrt-0.12.0-py3-none-manylinux_2_27_x86_64.whl", &[(cuda, b"cuda 0.12.0 x86")], "");
        add("jax_cuda12_pjrt-0.12.0.1-py3-none-manylinux_2_27_x86_64.whl", &[(cuda, b"cuda 0.12.0.1 x86")], "");
        add("libtpu-0.0.48-cp312-cp312-manylinux_2_31_x86_64.whl", &[("libtpu/libtpu.so", b"tpu 48")], "");
        add("libtpu-0.0.50-cp312-cp312-manylinux_2_31_x86_64.whl", &[("libtpu/libtpu.so", b"tpu 50")], "");
        add(
            "jax-0.12.0-py3-none-any.whl",
            &[("jax/version.py", b"_git_hash: str = '8dcb7aeced770bd22531b42d0b925c7342787c27'\n")],
            "Requires-Dist: jaxlib<=0.12.0,>=0.12.0; extra == \"tpu\"\nRequires-Dist: libtpu==0.0.50.*; extra == \"tpu\"\n",
        );
        for (day, minor) in [(1, 1), (2, 2), (3, 2)] {
            let file = format!("tf_nightly-2.30.0.dev2027010{day}-cp312-cp312-manylinux_2_27_x86_64.whl");
            let tree: Vec<(String, String)> = fixtures::header_tree(minor)
                .into_iter()
                .map(|(path, text)| (format!("tensorflow/include/{path}"), text))
                .collect();
            let members: Vec<(&str, &[u8])> = tree.iter().map(|(p, t)| (p.as_str(), t.as_bytes())).collect();
            add(&file, &members, "");
        }
        let fixture = Fixture { repo, links, cache, wheels };
        fixture.write_repository();
        fixture
    }

    fn pins(&self, file: &str) -> String {
        let bytes = &self.wheels[file];
        format!("file = \"{file}\"\nsha256 = \"{}\"\nsize = {}\n", Sha256Digest::of(bytes), bytes.len())
    }

    fn write_repository(&self) {
        let root = self.repo.path();
        let manifest = format!(
            "# A manifest shaped like the real one, for bump-xla's tests.\n\nschema = 1\n\n[release]\njax = \"0.11.2\"\n\
             xla-commit = \"91888df6ce85102c30220e41d952065925e10886\"\npjrt-api = \"0.1\"\n\n\
             # PJRT plugins\n\n[artifact.pjrt-cpu]\ndescription = \"PJRT CPU plugin\"\nkind = \"pjrt-plugin\"\nenv = \"T_CPU\"\npjrt-api = \"0.1\"\n\n\
             [[artifact.pjrt-cpu.source]]\ntargets = [\"{X86}\"]\npypi = \"lammps-jax-pjrt-cpu\"\nversion = \"0.11.2\"\n{}member = \"lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so\"\n\n\
             [[artifact.pjrt-cpu.source]]\ntargets = [\"{X86}\", \"aarch64-unknown-linux-gnu\"]\nbazel = \"//:pjrt_c_api_cpu_plugin\"\n\n\
             [artifact.pjrt-cuda12]\ndescription = \"PJRT CUDA 12 plugin\"\nkind = \"pjrt-plugin\"\nenv = \"T_CUDA12\"\npjrt-api = \"0.1\"\n\n\
             [[artifact.pjrt-cuda12.source]]\ntargets = [\"{X86}\"]\npypi = \"jax-cuda12-pjrt\"\nversion = \"0.11.2\"\n{}member = \"jax_plugins/xla_cuda12/xla_cuda_plugin.so\"\n\n\
             [[artifact.pjrt-cuda12.source]]\ntargets = [\"aarch64-unknown-linux-gnu\"]\npypi = \"jax-cuda12-pjrt\"\nversion = \"0.11.2\"\n{}member = \"jax_plugins/xla_cuda12/xla_cuda_plugin.so\"\n\n\
             [artifact.pjrt-tpu]\ndescription = \"PJRT TPU plugin\"\nkind = \"pjrt-plugin\"\nenv = \"T_TPU\"\npjrt-api = \"0.1\"\n\n\
             # libtpu 0.0.48 is the version jax 0.11.2's `tpu` extra pins.\n[[artifact.pjrt-tpu.source]]\ntargets = [\"{X86}\"]\npypi = \"libtpu\"\nversion = \"0.0.48\"\n{}member = \"libtpu/libtpu.so\"\n\n\
             [artifact.mlir-capi]\ndescription = \"MLIR C API (jaxlib 0.5.3)\"\nkind = \"shared-library\"\nenv = \"T_MLIR\"\n\n\
             [[artifact.mlir-capi.source]]\ntargets = [\"{X86}\"]\npypi = \"jaxlib\"\nversion = \"0.5.3\"\nfile = \"jaxlib-0.5.3-cp312-cp312-manylinux2014_x86_64.whl\"\n\
             sha256 = \"5a5e88ab1cd6fdf78d69abe3544e8f09cce200dd339bb85fbe3c2ea67f2a5e68\"\nsize = 105132789\nmember = \"jaxlib/mlir/_mlir_libs/libjaxlib_mlir_capi.so\"\n\n\
             # The last tf-nightly whose headers declare PJRT C API 0.1, the version of the release set.\n\
             [artifact.pjrt-headers]\ndescription = \"PJRT headers\"\nkind = \"headers\"\nenv = \"T_HEADERS\"\nrole = \"generator\"\npjrt-api = \"0.1\"\n\n\
             [[artifact.pjrt-headers.source]]\ntargets = [\"*\"]\npypi = \"tf-nightly\"\nversion = \"2.30.0.dev20270101\"\n{}member = \"tensorflow/include/xla/\"\n",
            self.pins("lammps_jax_pjrt_cpu-0.11.2-py3-none-manylinux_2_27_x86_64.whl"),
            self.pins("jax_cuda12_pjrt-0.11.2-py3-none-manylinux_2_27_x86_64.whl"),
            self.pins("jax_cuda12_pjrt-0.11.2-py3-none-manylinux_2_27_aarch64.whl"),
            self.pins("libtpu-0.0.48-cp312-cp312-manylinux_2_31_x86_64.whl"),
            self.pins("tf_nightly-2.30.0.dev20270101-cp312-cp312-manylinux_2_27_x86_64.whl"),
        );
        Manifest::parse(&manifest, "fixture").unwrap();
        let real = crate::workspace::root();
        let write = |relative: &str, text: &str| {
            let path = root.join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(repo::ARTIFACTS, &manifest);
        for copied in [pin::PATH, repo::CARGO] {
            write(copied, &std::fs::read_to_string(real.join(copied)).unwrap());
        }
        write(super::changelog::PATH, CHANGELOG);
        write("README.md", "# Fixture\n\nThe jax 0.11.2 release set.\n");
        // The committed bindings: generated from the headers of the pinned nightly, listed as
        // `cargo xtask bindings` lists them.
        let include = self.cache.path().join("old-headers");
        fixtures::headers(&include, 1);
        let old = surface::generate(&include).unwrap();
        let listed: String = old.headers.iter().map(|h| format!("//   {h}\n")).collect();
        write(repo::PJRT_BINDINGS, &format!("// Headers:\n{listed}\n{}", old.pjrt));
        write(repo::FFI_BINDINGS, &format!("// Headers:\n{listed}\n{}", old.xla_ffi));
        write(repo::PROTOS_MOD, "// Made from:\n//   demo/api.proto  from pjrt-cpu\n\npub mod demo {}\n");
    }

    fn settings(&self) -> Settings {
        fixtures::settings(self.cache.path(), self.links.path())
    }

    fn repo(&self) -> Repo {
        Repo::at(self.repo.path())
    }

    fn sha(&self, file: &str) -> String {
        Sha256Digest::of(&self.wheels[file]).to_hex()
    }
}

/// Every file below `dir`, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            if entry.path().is_dir() {
                pending.push(entry.path());
            } else {
                files.insert(entry.path().display().to_string(), std::fs::read(entry.path()).unwrap());
            }
        }
    }
    files
}

fn options(dry_run: bool) -> Options {
    Options {
        jax: Some("0.12.0".into()),
        pjrt_headers: Some("2.30.0.dev20270103".into()),
        dry_run,
        ..Options::default()
    }
}

fn no_regeneration(_: &Repo) -> anyhow::Result<()> {
    panic!("a dry run or a refused run must not regenerate anything")
}

#[test]
fn dry_run_prints_the_plan_and_the_new_checksums_and_writes_nothing() {
    let fixture = Fixture::new();
    let before = snapshot(fixture.repo.path());
    let report = execute(&fixture.repo(), &options(true), &fixture.settings(), &mut no_regeneration).unwrap();
    assert_eq!(snapshot(fixture.repo.path()), before, "the dry run wrote into the repository");

    let has = |text: &str| assert!(report.contains(text), "the report lacks {text:?}:\n{report}");
    has("bump-xla: jax 0.11.2 → 0.12.0 (dry run: nothing is written)");
    // Every new wheel, with its checksum and size.
    for file in [
        "lammps_jax_pjrt_cpu-0.12.0-py3-none-manylinux_2_28_x86_64.whl",
        "jax_cuda12_pjrt-0.12.0-py3-none-manylinux_2_27_x86_64.whl",
        "libtpu-0.0.50-cp312-cp312-manylinux_2_31_x86_64.whl",
        "tf_nightly-2.30.0.dev20270103-cp312-cp312-manylinux_2_27_x86_64.whl",
    ] {
        has(file);
        has(&format!("sha256 {}  size {}", fixture.sha(file), fixture.wheels[file].len()));
    }
    has("platform tag changed: manylinux_2_27_x86_64 → manylinux_2_28_x86_64");
    has("also published, not taken: 0.12.0.1");
    has("pjrt-tpu → 0.0.50 (the libtpu jax 0.12.0's `tpu` extra pins)");
    has("mlir-capi: kept: jaxlib 0.5.3 on purpose");
    // The release set.
    has(&format!("XLA commit    91888df6ce85102c30220e41d952065925e10886 → {NEW_COMMIT}"));
    has(
        "read from lammps_jax_pjrt_cpu-0.12.0-py3-none-manylinux_2_28_x86_64.whl (lammps_jax_pjrt_cpu-0.12.0.dist-info/licenses/THIRD_PARTY_NOTICES)",
    );
    has("PJRT C API    0.1 → 0.2");
    has("declared by the headers given with --pjrt-headers");
    has("jax commit    8dcb7aeced770bd22531b42d0b925c7342787c27");
    // What could not be found stays.
    has(
        "Not found for the new release (kept as they were)\n  pjrt-cuda12 (aarch64-unknown-linux-gnu): jax-cuda12-pjrt==0.12.0 (no wheel); stays at 0.11.2\n\n",
    );
    // The bindings and protos diffs.
    has("declared PJRT C API 0.1 → 0.2");
    has("  functions added (2):\n    PJRT_Api.PJRT_Client_Shine\n    PJRT_Sparkle_Extension.PJRT_Sparkle_Glow\n");
    has("  functions removed (1):\n    PJRT_Api.PJRT_Client_Fade\n");
    has("  extensions added (1):\n    PJRT_Sparkle_Extension\n");
    has("  headers added (1):\n    xla/pjrt/c/pjrt_c_api_sparkle_extension.h\n");
    has("the schemas the new pjrt-cpu embeds against the old one's");
    has("  messages added (1):\n    demo.Options.Tuning\n");
    has("    demo.Shape.dims: 1 Repeated Int32 → 1 Repeated Int64\n");
    // Every file's changed lines, and what is left by hand.
    has(&format!(
        "-  16 XLA_COMMIT = \"91888df6ce85102c30220e41d952065925e10886\"\n    +  16 XLA_COMMIT = \"{NEW_COMMIT}\""
    ));
    has("+   8 ### Changed\n    +   9 - The release set is jax 0.12.0");
    has("README.md:3 still names the old release set");
    has("copy rules_ml_toolchain's archive_override from XLA's MODULE.bazel");
    assert!(!report.contains("refuse"), "{report}");
}

#[test]
fn real_run_rewrites_the_files_then_regenerates_and_a_second_run_has_nothing_to_do() {
    let fixture = Fixture::new();
    let repo = fixture.repo();
    let mut regenerated = 0;
    // The generators write into the real workspace: here, a stand-in records that it ran after
    // the manifest was written.
    let mut record = |written: &Repo| {
        let manifest = Manifest::parse(&written.read(repo::ARTIFACTS)?, "written")?;
        assert_eq!(manifest.release.jax, "0.12.0");
        regenerated += 1;
        Ok(())
    };
    execute(&repo, &options(false), &fixture.settings(), &mut record).unwrap();
    assert_eq!(regenerated, 1);

    let text = repo.read(repo::ARTIFACTS).unwrap();
    let manifest = Manifest::parse(&text, "rewritten").unwrap();
    assert_eq!(manifest.release.jax, "0.12.0");
    assert_eq!(manifest.release.xla_commit, NEW_COMMIT);
    assert_eq!(manifest.release.pjrt_api.to_string(), "0.2");
    let source = |artifact: &str, index: usize| manifest.artifact(artifact).unwrap().sources[index].clone();
    let cpu = source("pjrt-cpu", 0);
    assert_eq!(cpu.location.file_name(), "lammps_jax_pjrt_cpu-0.12.0-py3-none-manylinux_2_28_x86_64.whl");
    assert_eq!(
        cpu.sha256.unwrap().to_hex(),
        fixture.sha("lammps_jax_pjrt_cpu-0.12.0-py3-none-manylinux_2_28_x86_64.whl")
    );
    assert_eq!(cpu.targets, [X86]);
    assert_eq!(cpu.member.unwrap().as_str(), "lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so");
    assert_eq!(
        source("pjrt-cuda12", 1).location.file_name(),
        "jax_cuda12_pjrt-0.11.2-py3-none-manylinux_2_27_aarch64.whl"
    );
    assert_eq!(
        source("pjrt-headers", 0).location.file_name(),
        "tf_nightly-2.30.0.dev20270103-cp312-cp312-manylinux_2_27_x86_64.whl"
    );
    assert_eq!(manifest.artifact("pjrt-headers").unwrap().pjrt_api.unwrap().to_string(), "0.2");
    assert_eq!(source("mlir-capi", 0).location.file_name(), "jaxlib-0.5.3-cp312-cp312-manylinux2014_x86_64.whl");
    assert!(text.contains("# libtpu 0.0.50 is the version jax 0.12.0's `tpu` extra pins.\n"));
    assert!(
        text.contains("# The last tf-nightly whose headers declare PJRT C API 0.2, the version of the release set.\n")
    );
    assert!(text.starts_with("# A manifest shaped like the real one, for bump-xla's tests.\n\nschema = 1\n"));

    let pin_text = repo.read(pin::PATH).unwrap();
    assert_eq!(pin::commit(&pin_text).unwrap(), manifest.release.xla_commit);
    assert_eq!(pin::source_sha256(&pin_text).unwrap(), None);
    assert!(repo.read(repo::CARGO).unwrap().contains("version = \"0.1.0+xla.0123456\"\n"));
    let changelog = repo.read(super::changelog::PATH).unwrap();
    let entry = &changelog[changelog.find("### Changed").unwrap()..changelog.find("### Fixed").unwrap()];
    // The bullet, unwrapped.
    let entry = entry.replace("\n  ", " ");
    assert!(
        entry.starts_with(&format!(
            "### Changed\n- The release set is jax 0.12.0 (XLA {NEW_COMMIT}, PJRT C API 0.1 → 0.2)"
        )),
        "{entry}"
    );
    assert!(entry.contains("jax-cuda12-pjrt 0.11.2 (pjrt-cuda12, aarch64-unknown-linux-gnu)"), "{entry}");

    // Again: every wheel is already pinned, so nothing changes and nothing is written.
    let before = snapshot(fixture.repo.path());
    let report = execute(&repo, &options(false), &fixture.settings(), &mut no_regeneration).unwrap();
    assert!(report.contains("jax 0.12.0 → 0.12.0"), "{report}");
    assert_eq!(snapshot(fixture.repo.path()), before);
}

#[test]
fn what_cannot_be_decided_is_printed_by_a_dry_run_and_refused_by_a_real_one() {
    let fixture = Fixture::new();
    // No loadable plugin and no --pjrt-headers: the PJRT C API version is unknown.
    let blocked = Options { pjrt_headers: None, ..options(true) };
    let report = execute(&fixture.repo(), &blocked, &fixture.settings(), &mut no_regeneration).unwrap();
    assert!(
        report.contains("A real run would refuse to write:\n  - the PJRT C API version of the new plugins is unknown"),
        "{report}"
    );
    assert!(report.contains("pjrt-cpu: cannot be loaded on"), "{report}");

    let before = snapshot(fixture.repo.path());
    let refused = Options { dry_run: false, ..blocked };
    let error = execute(&fixture.repo(), &refused, &fixture.settings(), &mut no_regeneration).unwrap_err();
    assert!(error.to_string().starts_with("nothing was written: the PJRT C API version"), "{error}");
    // A given commit that a wheel contradicts is refused too.
    let contradicted = Options { xla_commit: Some("f".repeat(40)), ..options(false) };
    let error = execute(&fixture.repo(), &contradicted, &fixture.settings(), &mut no_regeneration).unwrap_err();
    assert!(error.to_string().contains("disagrees with lammps_jax_pjrt_cpu-0.12.0"), "{error}");
    assert_eq!(snapshot(fixture.repo.path()), before);
}
