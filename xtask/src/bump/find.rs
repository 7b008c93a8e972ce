//! Finding what a new release is made of, on the package index: the new wheel of a PyPI source
//! (the old file's tags first, then any tag of its platform family: a release may move from
//! manylinux_2_27 to manylinux_2_28), what a jax release says about the others (the libtpu its
//! `tpu` extra pins, its own commit), and where a wheel records the XLA commit it was built from.

use std::io::Read as _;
use std::path::Path;

use anyhow::Context as _;
use xla_artifacts::{FetchedWheel, Resolver, WheelTags};

/// The new wheel of one source.
#[derive(Debug, Clone)]
pub struct NewWheel {
    /// The version fetched.
    pub version: String,
    /// The file pip saved, its checksum and size.
    pub wheel: FetchedWheel,
    /// The platform tags changed from the old file's (pip found it among the platform family).
    pub tags_changed: bool,
    /// Later releases of the same version (`0.12.0.1` for `0.12.0`), which were not taken.
    pub also_published: Vec<String>,
}

/// What looking for a source's new wheel found.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// The wheel, fetched.
    Found(NewWheel),
    /// No wheel of that version for any of the tags tried (each described).
    NotFound {
        /// The tag sets asked for, described.
        tried: Vec<String>,
    },
}

/// Looks for `package==version` with the tags of `old_file`, then with its platform family.
pub fn wheel(resolver: &Resolver, package: &str, version: &str, old_file: &str) -> anyhow::Result<Lookup> {
    let old = WheelTags::parse(old_file).with_context(|| format!("{old_file} is not a wheel name"))?;
    let mut attempts = vec![old.clone()];
    attempts.extend(family(&old));
    let mut tried = Vec::new();
    for tags in attempts {
        tried.push(describe(&tags));
        let versions = resolver
            .wheel_versions(package, &tags)
            .with_context(|| format!("listing the versions of {package} for {}", describe(&tags)))?;
        if !versions.iter().any(|v| v == version) {
            continue;
        }
        let wheel = resolver.fetch_wheel(package, version, &tags)?;
        let tags_changed = platform_tag(&wheel.file) != platform_tag(old_file);
        let prefix = format!("{version}.");
        let also_published = versions.into_iter().filter(|v| v.starts_with(&prefix)).collect();
        return Ok(Lookup::Found(NewWheel { version: version.to_owned(), wheel, tags_changed, also_published }));
    }
    Ok(Lookup::NotFound { tried })
}

/// The tags of a wheel with its platform broadened to its family: every manylinux glibc version
/// of the architecture (oldest first, so that pip prefers the most compatible wheel), or every
/// macOS version. `None` when the platform has no family (`any`, `win_amd64`).
pub fn family(tags: &WheelTags) -> Option<WheelTags> {
    let mut platforms = Vec::new();
    for platform in &tags.platforms {
        if let Some(arch) = manylinux_arch(platform) {
            platforms.extend((5..=50).map(|minor| format!("manylinux_2_{minor}_{arch}")));
            platforms.extend(["manylinux1", "manylinux2010", "manylinux2014"].map(|legacy| format!("{legacy}_{arch}")));
        } else if let Some(arch) = macos_arch(platform) {
            // pip widens a macOS tag to every older macOS version by itself.
            platforms.push(format!("macosx_30_0_{arch}"));
        }
    }
    platforms.dedup();
    (!platforms.is_empty()).then(|| WheelTags { platforms, ..tags.clone() })
}

fn manylinux_arch(platform: &str) -> Option<&str> {
    let rest = platform.strip_prefix("manylinux")?;
    let arch = match rest.strip_prefix('_') {
        // PEP 600: manylinux_<glibc major>_<glibc minor>_<arch>
        Some(rest) => rest.splitn(3, '_').nth(2)?,
        // manylinux1_<arch>, manylinux2010_<arch>, manylinux2014_<arch>
        None => rest.split_once('_')?.1,
    };
    (!arch.is_empty()).then_some(arch)
}

fn macos_arch(platform: &str) -> Option<&str> {
    platform.strip_prefix("macosx_")?.splitn(3, '_').nth(2)
}

/// The platform tag of a wheel file name.
pub fn platform_tag(file: &str) -> &str {
    file.strip_suffix(".whl").and_then(|stem| stem.rsplit('-').next()).unwrap_or(file)
}

fn describe(tags: &WheelTags) -> String {
    let platforms = match tags.platforms.as_slice() {
        [one] => one.clone(),
        [first, .., last] => format!("{first} … {last} ({} platforms)", tags.platforms.len()),
        [] => "no platform".into(),
    };
    format!("{}{}-{}-{platforms}", tags.implementation, tags.python_version.replace('.', ""), tags.abi)
}

/// What a jax release's own wheel says about the release set.
#[derive(Debug, Clone)]
pub struct JaxRelease {
    /// The jax version.
    pub version: String,
    /// The libtpu version its `tpu` extra pins, or why none could be read.
    pub libtpu: Result<String, String>,
    /// The jax commit it was built from (`jax/version.py`'s `_git_hash`): where XLA's commit can be
    /// read by hand, in jax's `third_party/xla/revision.bzl` at that commit.
    pub commit: Option<String>,
}

/// Fetches jax==`version`'s wheel and reads it, or `None` when the index has no such jax.
pub fn jax_release(resolver: &Resolver, version: &str) -> anyhow::Result<Option<JaxRelease>> {
    let tags = WheelTags::parse("jax-0-py3-none-any.whl").expect("a wheel name");
    if !resolver.wheel_versions("jax", &tags)?.iter().any(|v| v == version) {
        return Ok(None);
    }
    let wheel = resolver.fetch_wheel("jax", version, &tags)?;
    let metadata = read_member(&wheel.path, &format!("jax-{version}.dist-info/METADATA"))?
        .with_context(|| format!("{} has no METADATA", wheel.file))?;
    let version_py = read_member(&wheel.path, "jax/version.py")?.unwrap_or_default();
    Ok(Some(JaxRelease {
        version: version.to_owned(),
        libtpu: tpu_extra_pin(&metadata),
        commit: quoted_after(&version_py, "_git_hash: str = ").filter(|c| is_commit(c)),
    }))
}

/// The version of `Requires-Dist: libtpu==X ; extra == "tpu"` (`X.*` pins the release `X`, the
/// way the manifest has always taken it), or why there is none.
pub fn tpu_extra_pin(metadata: &str) -> Result<String, String> {
    let requirement = metadata
        .lines()
        .filter_map(|line| line.strip_prefix("Requires-Dist:"))
        .map(str::trim)
        .find(|req| {
            let (spec, marker) = req.split_once(';').unwrap_or((req, ""));
            spec.trim_start().starts_with("libtpu")
                && marker.replace(' ', "").replace('\'', "\"").contains("extra==\"tpu\"")
        })
        .ok_or("jax's METADATA has no `Requires-Dist: libtpu...; extra == \"tpu\"`")?;
    let spec = requirement.split(';').next().unwrap_or_default().trim();
    let pinned = spec.strip_prefix("libtpu").map(|s| s.trim().trim_start_matches('(').trim_end_matches(')').trim());
    match pinned.and_then(|s| s.strip_prefix("==")) {
        Some(version) if !version.contains(',') => Ok(version.trim().trim_end_matches(".*").to_owned()),
        _ => Err(format!("jax's `tpu` extra does not pin one libtpu version ({spec})")),
    }
}

/// A member of a zip archive as text, or `None` when absent.
pub fn read_member(archive: &Path, member: &str) -> anyhow::Result<Option<String>> {
    let file = std::fs::File::open(archive).with_context(|| format!("opening {}", archive.display()))?;
    let mut zip = zip::ZipArchive::new(file).with_context(|| format!("reading {}", archive.display()))?;
    let Ok(mut entry) = zip.by_name(member) else { return Ok(None) };
    let mut text = String::new();
    entry.read_to_string(&mut text).with_context(|| format!("reading {member} of {}", archive.display()))?;
    Ok(Some(text))
}

/// Whether a zip archive holds `member` (a subtree when it ends with `/`).
pub fn has_member(archive: &Path, member: &str) -> anyhow::Result<bool> {
    let file = std::fs::File::open(archive).with_context(|| format!("opening {}", archive.display()))?;
    let zip = zip::ZipArchive::new(file).with_context(|| format!("reading {}", archive.display()))?;
    let mut names = zip.file_names().filter_map(Result::ok);
    Ok(names.any(|name| if member.ends_with('/') { name.starts_with(member) } else { name == member }))
}

/// Where a wheel says which XLA commit it was built from: `XLA commit <40 hex digits>` in one of
/// its text files (lammps-jax-pjrt-cpu's THIRD_PARTY_NOTICES says "built from XLA commit ...").
/// Returns the commit and the member saying so. jax's own wheels record only jax's commit.
pub fn xla_commit_in_wheel(archive: &Path) -> anyhow::Result<Option<(String, String)>> {
    let file = std::fs::File::open(archive).with_context(|| format!("opening {}", archive.display()))?;
    let mut zip = zip::ZipArchive::new(file).with_context(|| format!("reading {}", archive.display()))?;
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index)?;
        let name = entry.name()?.into_owned();
        let binary = [".so", ".dylib", ".dll", ".pyd", ".a"].iter().any(|ext| name.contains(ext));
        if binary || entry.size() > 4 << 20 || entry.is_dir() {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        if let Some(commit) = xla_commit_in_text(&String::from_utf8_lossy(&bytes)) {
            return Ok(Some((commit, name)));
        }
    }
    Ok(None)
}

/// The 40 hex digits after `XLA commit` (any case, any white space between).
pub fn xla_commit_in_text(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    lower.match_indices("xla commit").find_map(|(at, phrase)| {
        let rest = lower[at + phrase.len()..].trim_start();
        let candidate = rest.get(..40)?;
        let boundary = rest[40..].chars().next().is_none_or(|c| !c.is_ascii_hexdigit());
        (is_commit(candidate) && boundary).then(|| candidate.to_owned())
    })
}

/// Whether `s` is a full commit hash.
pub fn is_commit(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn quoted_after(text: &str, prefix: &str) -> Option<String> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    Some(rest[1..].split(quote).next()?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widens_platforms_to_their_family() {
        let old = WheelTags::parse("jax_cuda12_pjrt-0.11.2-py3-none-manylinux_2_27_x86_64.whl").unwrap();
        let wide = family(&old).unwrap();
        assert_eq!((wide.python_version.as_str(), wide.abi.as_str()), ("3", "none"));
        assert_eq!(wide.platforms.first().unwrap(), "manylinux_2_5_x86_64");
        assert!(wide.platforms.contains(&"manylinux_2_28_x86_64".to_owned()));
        assert!(wide.platforms.contains(&"manylinux2014_x86_64".to_owned()));
        assert!(wide.platforms.iter().all(|p| p.ends_with("_x86_64")));
        let legacy = WheelTags::parse("x-1-cp312-cp312-manylinux2014_aarch64.whl").unwrap();
        assert!(family(&legacy).unwrap().platforms.iter().all(|p| p.ends_with("_aarch64")));
        let mac = WheelTags::parse("jax_metal-0.1.1-py3-none-macosx_13_0_arm64.whl").unwrap();
        assert_eq!(family(&mac).unwrap().platforms, ["macosx_30_0_arm64"]);
        assert!(family(&WheelTags::parse("jax-0.12.0-py3-none-any.whl").unwrap()).is_none());
        assert_eq!(platform_tag("libtpu-0.0.48-cp312-cp312-manylinux_2_31_x86_64.whl"), "manylinux_2_31_x86_64");
    }

    #[test]
    fn reads_the_libtpu_pin_of_jax_tpu_extra() {
        // As jax 0.11.2 and 0.12.0 write it.
        let metadata = "Name: jax\nVersion: 0.12.0\nRequires-Dist: jaxlib<=0.12.0,>=0.12.0; extra == \"tpu\"\n\
                        Requires-Dist: libtpu==0.0.50.*; extra == \"tpu\"\nRequires-Dist: requests; extra == \"tpu\"\n";
        assert_eq!(tpu_extra_pin(metadata).unwrap(), "0.0.50");
        assert_eq!(tpu_extra_pin("Requires-Dist: libtpu==0.0.48 ; extra == 'tpu'\n").unwrap(), "0.0.48");
        assert!(tpu_extra_pin("Requires-Dist: libtpu>=0.0.48; extra == \"tpu\"\n").unwrap_err().contains(">=0.0.48"));
        assert!(tpu_extra_pin("Requires-Dist: libtpu==0.0.48; extra == \"tpu2\"\n").is_err());
    }

    #[test]
    fn finds_the_xla_commit_in_text_across_a_line_break() {
        let notice = "pjrt_c_api_cpu_plugin.so in this package is the OpenXLA CPU PJRT plugin,\n\
                      //xla/pjrt/c:pjrt_c_api_cpu_plugin.so, built from XLA commit\n\
                      91888df6ce85102c30220e41d952065925e10886 (the XLA of jaxlib 0.11.2). XLA is";
        assert_eq!(xla_commit_in_text(notice).unwrap(), "91888df6ce85102c30220e41d952065925e10886");
        assert_eq!(xla_commit_in_text("XLA commit 91888df6ce85102c30220e41d952065925e10886ab"), None);
        assert_eq!(xla_commit_in_text("jax commit 91888df6ce85102c30220e41d952065925e10886"), None);
        assert_eq!(quoted_after("_git_hash: str = '8dcb7ae'\n", "_git_hash: str = ").unwrap(), "8dcb7ae");
    }

    #[test]
    fn real_cpu_plugin_wheel_0_11_2_records_the_pinned_xla_commit() {
        // The release set's own CPU plugin wheel (fetched or cached by the engine).
        let manifest = crate::workspace::manifest().unwrap();
        let resolver = Resolver::new(&manifest, xla_artifacts::Env::process());
        let source = &manifest.artifact("pjrt-cpu").unwrap().sources[0];
        let wheel = resolver.fetch_archive(source).unwrap();
        let (commit, member) = xla_commit_in_wheel(&wheel).unwrap().unwrap();
        assert_eq!(commit, "91888df6ce85102c30220e41d952065925e10886");
        assert_eq!(commit, manifest.release.xla_commit);
        assert_eq!(member, "lammps_jax_pjrt_cpu-0.11.2.dist-info/licenses/THIRD_PARTY_NOTICES");
    }
}
