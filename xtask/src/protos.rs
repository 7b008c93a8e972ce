//! `cargo xtask protos`: regenerates xla-protos's prost code from the protobuf schemas that the
//! release set's plugins embed, or checks that the committed code is current.
//!
//! No `.proto` file and no protoc are involved: the plugins carry every schema they were built
//! with as serialized `FileDescriptorProto`s ([`extract`]); the files the crate offers and all they
//! import are gathered from them ([`select`]), those written in protobuf editions are restated in
//! proto3 ([`editions`]), and the set is fed to prost-build ([`generate`]).

mod editions;
pub(crate) mod extract;
mod generate;
mod select;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use xla_artifacts::{Sha256Digest, SourceLocation};

use crate::workspace;

/// The `.proto` files xla-protos offers; everything they import comes along.
const ROOTS: &[&str] = &[
    // Shapes, literals, HLO, compiler and debug options.
    "xla/xla_data.proto",
    "xla/xla.proto",
    "xla/service/hlo.proto",
    // What PJRT's C API takes and returns as serialized protos.
    "xla/pjrt/proto/compile_options.proto",
    "xla/pjrt/proto/execute_options.proto",
    "xla/pjrt/proto/executable_metadata.proto",
    "xla/pjrt/proto/topology_description.proto",
    "xla/pjrt/proto/pjrt_abi_version.proto",
    "xla/pjrt/proto/pjrt_value_type.proto",
    "xla/pjrt/proto/pjrt_device_dimensions.proto",
    "xla/pjrt/proto/pjrt_partial_program.proto",
    // Autotuning caches.
    "xla/autotune_results.proto",
    "xla/autotuning.proto",
    // The distributed runtime (coordination service) and its status payloads.
    "xla/pjrt/distributed/protocol.proto",
    "xla/tsl/protobuf/coordination_service.proto",
    "xla/tsl/protobuf/coordination_config.proto",
    "xla/tsl/protobuf/status.proto",
    "xla/tsl/protobuf/error_codes.proto",
    // Device and topology descriptions of the GPU plugins.
    "xla/service/gpu_topology.proto",
    "xla/stream_executor/device_description.proto",
    // What the plugins hand out: the CPU topology, and the executable inside a serialized one.
    "xla/pjrt/plugin/xla_cpu/cpu_topology.proto",
    "xla/service/cpu/executable.proto",
    "xla/pjrt/se/stream_executor_executable.proto",
];

/// The binaries searched for schemas, in order; a later one is fetched only for a file that the
/// ones before it lack.
const SOURCES: &[&str] = &["pjrt-cpu", "pjrt-cuda13", "pjrt-cuda12"];

/// Where the committed code lives.
pub fn output_dir() -> PathBuf {
    workspace::root().join("crates/xla-protos/src/generated")
}

pub fn run(args: Vec<OsString>) -> anyhow::Result<()> {
    let mut check = false;
    let mut list = false;
    let mut from = SOURCES[0].to_owned();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            lexopt::Arg::Long("check") => check = true,
            lexopt::Arg::Long("list") => list = true,
            lexopt::Arg::Long("from") => from = parser.value()?.to_string_lossy().into_owned(),
            other => bail!(other.unexpected()),
        }
    }
    let manifest = workspace::manifest()?;
    if list {
        return list_embedded(&manifest, &from);
    }
    let files = generate_all(&manifest)?;
    let dir = output_dir();
    for (name, content) in &files {
        workspace::write_or_check(&dir.join(name), content, check)?;
    }
    remove_or_report_stale(&dir, &files, check)
}

/// Every generated file, by name, made from the release set's binaries.
fn generate_all(manifest: &xla_artifacts::Manifest) -> anyhow::Result<BTreeMap<String, String>> {
    let selection = select::select(ROOTS, SOURCES, |artifact| load_source(manifest, artifact));
    if !selection.missing.is_empty() {
        let mut message = String::from("some .proto files are embedded in no binary of the release set:\n");
        for (name, importers) in &selection.missing {
            let importers: Vec<_> = importers.iter().map(String::as_str).collect();
            let by =
                if importers.is_empty() { "requested".into() } else { format!("imported by {}", importers.join(", ")) };
            message.push_str(&format!("  {name} ({by})\n"));
            for source in &selection.sources {
                for conflict in source.conflicts.iter().filter(|c| c.name == *name) {
                    message.push_str(&format!("    {}: {conflict}\n", source.artifact));
                }
            }
        }
        for (artifact, reason) in &selection.unavailable {
            message.push_str(&format!("  (could not search {artifact}: {reason})\n"));
        }
        message.push_str("searched: ");
        message.push_str(&selection.sources.iter().map(|s| s.artifact.as_str()).collect::<Vec<_>>().join(", "));
        bail!(message);
    }
    let release = format!("jax {}, XLA {}", manifest.release.jax, manifest.release.xla_commit);
    generate::generate(&selection, &release)
}

/// Prints every file `artifact` embeds, and whether it would be generated from it alone (requested,
/// or imported).
fn list_embedded(manifest: &xla_artifacts::Manifest, artifact: &str) -> anyhow::Result<()> {
    let mut source = Some(load_source(manifest, artifact)?);
    let selection = select::select(ROOTS, &[artifact], |_| Ok(source.take().expect("loaded once")));
    let source = &selection.sources[0];
    println!("{}: {} embedded .proto files ({})", source.artifact, source.files.len(), source.provenance);
    for (name, file) in &source.files {
        let well_known = file.descriptor.package() == generate::WELL_KNOWN_PACKAGE;
        let role = match (ROOTS.contains(&name.as_str()), selection.files.contains_key(name)) {
            (true, _) => "generated (requested)",
            (false, true) if well_known => "imported (prost-types provides it)",
            (false, true) => "generated (imported)",
            (false, false) => "",
        };
        println!(
            "  {name:<66} {:<30} {:#010x} {:>6} bytes  {role}",
            file.descriptor.package(),
            file.offset,
            file.bytes.len()
        );
    }
    for conflict in &source.conflicts {
        println!("  left out: {conflict}");
    }
    Ok(())
}

/// Reads the descriptors one artifact of the release set embeds.
fn load_source(manifest: &xla_artifacts::Manifest, artifact: &str) -> anyhow::Result<select::Source> {
    let resolved = workspace::resolve(manifest, artifact).with_context(|| format!("resolving {artifact}"))?;
    let binary = std::fs::read(&resolved.path).with_context(|| format!("reading {}", resolved.path.display()))?;
    let extract::Embedded { files, conflicts } = extract::embedded_files(&binary);
    let member = manifest
        .artifact(artifact)
        .and_then(|a| {
            a.sources_for(workspace::host_target()).find(|s| !matches!(s.location, SourceLocation::Bazel { .. }))
        })
        .and_then(|s| s.member.as_ref())
        .map_or_else(String::new, |m| format!(", member {}", m.as_str()));
    let provenance = format!(
        "{}{member}; the binary's SHA-256 is {}",
        workspace::provenance(manifest, artifact, &resolved),
        Sha256Digest::of(&binary)
    );
    Ok(select::Source { artifact: artifact.into(), provenance, files, conflicts })
}

/// Files of the output directory that generation no longer produces: removed, or with `check`,
/// reported.
fn remove_or_report_stale(dir: &Path, files: &BTreeMap<String, String>, check: bool) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if files.contains_key(&name) {
            continue;
        }
        if check {
            bail!("{} is not generated any more; remove it (`cargo xtask protos`)", entry.path().display());
        }
        std::fs::remove_file(entry.path()).with_context(|| format!("removing {}", entry.path().display()))?;
        println!("{}: removed", entry.path().display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `0a <len> "<name>.proto"` start in the CPU plugin, by name.
    fn candidate_names(binary: &[u8]) -> BTreeMap<String, usize> {
        let mut names = BTreeMap::new();
        for start in extract::candidate_starts(binary) {
            let mut rest = &binary[start + 1..];
            let len = prost::encoding::decode_varint(&mut rest).unwrap() as usize;
            *names.entry(String::from_utf8_lossy(&rest[..len]).into_owned()).or_insert(0) += 1;
        }
        names
    }

    #[test]
    fn real_cpu_plugin_embeds_every_schema_decodable_and_closed_under_imports() {
        let manifest = workspace::manifest().unwrap();
        let resolved = workspace::resolve(&manifest, "pjrt-cpu").unwrap();
        let binary = std::fs::read(&resolved.path).unwrap();
        let extract::Embedded { files, conflicts } = extract::embedded_files(&binary);
        assert_eq!(conflicts, []);
        // Every place that looks like the start of a descriptor is one, and decodes.
        let candidates = candidate_names(&binary);
        let undecoded: Vec<_> = candidates.keys().filter(|name| !files.contains_key(*name)).collect();
        assert!(undecoded.is_empty(), "candidates that do not decode: {undecoded:?}");
        assert!(files.len() >= ROOTS.len(), "only {} files", files.len());
        // The set is closed under imports, and every file lowers to what prost-build takes.
        for file in files.values() {
            for dependency in &file.descriptor.dependency {
                assert!(files.contains_key(dependency), "{} imports {dependency}, which is not embedded", file.name());
            }
            editions::lower(&file.descriptor, &file.bytes).unwrap();
        }
        for root in ROOTS {
            assert!(files.contains_key(*root), "{root} is not embedded");
        }
    }

    #[test]
    fn real_committed_code_is_what_the_release_set_generates() {
        let manifest = workspace::manifest().unwrap();
        let files = generate_all(&manifest).unwrap();
        for (name, content) in &files {
            workspace::write_or_check(&output_dir().join(name), content, true).unwrap();
        }
        remove_or_report_stale(&output_dir(), &files, true).unwrap();
    }
}
