//! The PJRT C API version of the new release set and the headers that declare it. The version is
//! what the new plugins report when loaded (the CPU plugin first); where none can be loaded here,
//! the headers named with `--pjrt-headers` decide it. The headers are then the newest tf-nightly
//! declaring that version ([`nightly`]), unless named.

use std::collections::BTreeMap;

use anyhow::{Context as _, bail};
use xla_artifacts::manifest::ApiVersion;
use xla_artifacts::{ArtifactKind, Manifest, Resolver, SourceLocation, WheelTags};

use super::find::{self, NewWheel};
use super::plan::{self, ArtifactPlan, Options, Settings, SourceOutcome};
use super::policy::{self, Rule};
use super::rewrite::{ArtifactEdit, SourceEdit};
use super::{nightly, probe};

/// The plugins whose report decides the release set's version, in order of trust: the CPU plugin
/// loads anywhere; the others load without their device, except where their libraries are missing.
const PROBE_ORDER: &[&str] = &["pjrt-cpu", "pjrt-cuda13", "pjrt-cuda12", "pjrt-tpu", "pjrt-rocm7"];

/// The release set's PJRT C API version.
#[derive(Debug)]
pub struct ApiPlan {
    /// The pinned one.
    pub old: ApiVersion,
    /// The new one, when known.
    pub new: Option<ApiVersion>,
    /// How it was decided.
    pub how: String,
    /// What each moved plugin reported when loaded here, or why it could not be.
    pub per_artifact: BTreeMap<String, Result<ApiVersion, String>>,
}

/// The PJRT headers of the new release set.
#[derive(Debug)]
#[allow(clippy::large_enum_variant, reason = "one per run")]
pub enum HeadersPlan {
    /// The pinned headers stay.
    Kept {
        /// Why.
        reason: String,
    },
    /// A new tf-nightly.
    New {
        /// The artifact (`pjrt-headers`).
        artifact: String,
        /// Its source's position.
        index: usize,
        /// The pinned version.
        old_version: String,
        /// The new wheel.
        wheel: NewWheel,
        /// What its headers declare.
        api: ApiVersion,
        /// How it was chosen.
        how: String,
    },
    /// None could be chosen (a blocker says why).
    Unavailable {
        /// Why.
        reason: String,
    },
}

impl HeadersPlan {
    /// The manifest edit of new headers.
    pub fn edit(&self, old: &Manifest) -> anyhow::Result<Option<ArtifactEdit>> {
        let Self::New { artifact, index, wheel, api, .. } = self else { return Ok(None) };
        let old_api = old.artifact(artifact).and_then(|a| a.pjrt_api);
        Ok(Some(ArtifactEdit {
            name: artifact.clone(),
            pjrt_api: old_api.filter(|o| o != api).map(|o| (o, *api)),
            sources: vec![SourceEdit {
                index: *index,
                version: wheel.version.clone(),
                file: wheel.wheel.file.clone(),
                sha256: wheel.wheel.sha256,
                size: wheel.wheel.size,
            }],
        }))
    }
}

/// Decides the version and the headers. `moved` is the manifest with the new plugins pinned.
pub fn decide(
    old: &Manifest,
    moved: &Manifest,
    artifacts: &[ArtifactPlan],
    options: &Options,
    settings: &Settings,
    blockers: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> anyhow::Result<(ApiPlan, HeadersPlan)> {
    let per_artifact = probe_moved_plugins(moved, artifacts, settings);
    let mut order: Vec<&String> = PROBE_ORDER.iter().filter_map(|n| per_artifact.keys().find(|k| *k == n)).collect();
    order.extend(per_artifact.keys().filter(|k| !PROBE_ORDER.contains(&k.as_str())));
    let reported = order.iter().find_map(|name| Some((*name, per_artifact[*name].as_ref().ok()?)));
    let mut api = ApiPlan { old: old.release.pjrt_api, new: None, how: String::new(), per_artifact: BTreeMap::new() };
    match reported {
        Some((name, version)) => {
            api.new = Some(*version);
            api.how = format!("reported by the new {name} plugin, loaded here");
            let others: Vec<String> = per_artifact
                .iter()
                .filter_map(|(n, r)| r.as_ref().ok().filter(|v| *v != version).map(|v| format!("{n} reports {v}")))
                .collect();
            if !others.is_empty() {
                notes.push(format!(
                    "the new plugins disagree about the PJRT C API: {name} reports {version}, {}",
                    others.join(", ")
                ));
            }
        }
        None if per_artifact.is_empty() => {
            api.new = Some(api.old);
            api.how = "unchanged: no plugin moved".into();
        }
        None => {
            let why: Vec<String> =
                per_artifact.iter().map(|(n, r)| format!("{n}: {}", r.as_ref().unwrap_err())).collect();
            api.how = format!("no new plugin could be loaded here ({})", why.join("; "));
        }
    }
    api.per_artifact = per_artifact;

    let headers = headers(old, &mut api, options, settings, blockers)?;
    if let (HeadersPlan::New { api: declared, wheel, .. }, Some(reported)) = (&headers, api.new)
        && *declared != reported
    {
        notes.push(format!(
            "the headers of tf-nightly {} declare PJRT C API {declared}, the plugins report {reported}",
            wheel.version
        ));
    }
    Ok((api, headers))
}

/// Loads each moved plugin's new library for the host, in a child process each.
fn probe_moved_plugins(
    moved: &Manifest,
    artifacts: &[ArtifactPlan],
    settings: &Settings,
) -> BTreeMap<String, Result<ApiVersion, String>> {
    let resolver = settings.resolver(moved);
    let mut out = BTreeMap::new();
    for artifact in artifacts {
        let Some(entry) = moved.artifact(&artifact.name).filter(|a| a.kind == ArtifactKind::PjrtPlugin) else {
            continue;
        };
        let serves_host = artifact.sources().iter().any(|s| {
            matches!(s.outcome, SourceOutcome::New(_)) && s.targets.iter().any(|t| t == &settings.host || t == "*")
        });
        if !serves_host {
            continue;
        }
        let reported = resolver
            .resolve(&entry.name, &settings.host)
            .map_err(|e| e.to_string())
            .and_then(|resolved| probe::api_version(&resolved.path, &settings.host));
        out.insert(artifact.name.clone(), reported);
    }
    out
}

fn headers(
    old: &Manifest,
    api: &mut ApiPlan,
    options: &Options,
    settings: &Settings,
    blockers: &mut Vec<String>,
) -> anyhow::Result<HeadersPlan> {
    let Some(artifact) = old.artifacts.iter().find(|a| policy::rule(a) == Rule::PjrtHeaders) else {
        return Ok(HeadersPlan::Kept { reason: "the manifest has no PJRT headers artifact".into() });
    };
    let Some((index, package, old_version, old_file, member)) =
        artifact.sources.iter().enumerate().find_map(|(i, s)| match &s.location {
            SourceLocation::PypiWheel { package, version, file } => {
                Some((i, package.clone(), version.clone(), file.clone(), s.member.as_ref()?.as_str().to_owned()))
            }
            _ => None,
        })
    else {
        return Ok(HeadersPlan::Kept { reason: format!("{} has no PyPI source with a member", artifact.name) });
    };
    let resolver = settings.resolver(old);
    let old_api = artifact.pjrt_api.unwrap_or(old.release.pjrt_api);
    let new = |wheel: NewWheel, api: ApiVersion, how: String| HeadersPlan::New {
        artifact: artifact.name.clone(),
        index,
        old_version: old_version.clone(),
        wheel,
        api,
        how,
    };
    let explicit = options.pjrt_headers.as_ref().or(options.versions.get(&artifact.name));
    if let Some(version) = explicit {
        let wheel = match plan::look_up(&resolver, &package, version, &old_file, Some(&member))? {
            SourceOutcome::New(wheel) => wheel,
            SourceOutcome::NotFound { tried } => {
                bail!("--pjrt-headers {version}: {package} {version} has no wheel for {}", tried.join(" or "))
            }
            SourceOutcome::MemberMissing { file, member } => bail!("--pjrt-headers {version}: {file} has no {member}"),
            SourceOutcome::Unchanged => unreachable!("a look-up finds a wheel or says why not"),
        };
        let declared = nightly::api_of_wheel(&wheel.wheel.path, &member)?;
        if api.new.is_none() {
            api.new = Some(declared);
            api.how = format!("declared by the headers given with --pjrt-headers: {}", api.how);
        }
        return Ok(new(wheel, declared, "given with --pjrt-headers".into()));
    }
    let Some(wanted) = api.new else {
        let reason =
            "the PJRT C API version of the new plugins is unknown: name the headers with --pjrt-headers VERSION";
        blockers.push(format!("{} ({})", reason, api.how));
        return Ok(HeadersPlan::Unavailable { reason: reason.into() });
    };
    if wanted == old_api {
        return Ok(HeadersPlan::Kept { reason: format!("{old_version}'s headers already declare {wanted}") });
    }
    let pinned = Pinned { package: &package, version: &old_version, file: &old_file, member: &member, api: old_api };
    match newest_nightly(&resolver, &pinned, wanted)? {
        Ok((Some(wheel), how)) => Ok(new(wheel, wanted, how)),
        Ok((None, how)) => Ok(HeadersPlan::Kept { reason: how }),
        Err(reason) => {
            blockers.push(format!("{reason}; name the headers with --pjrt-headers VERSION"));
            Ok(HeadersPlan::Unavailable { reason })
        }
    }
}

/// The pinned headers wheel.
pub struct Pinned<'a> {
    /// Its package (`tf-nightly`).
    pub package: &'a str,
    /// Its version.
    pub version: &'a str,
    /// Its file.
    pub file: &'a str,
    /// The member holding `xla/`.
    pub member: &'a str,
    /// The version its headers declare.
    pub api: ApiVersion,
}

/// The newest nightly declaring `wanted`, fetched (`None` when it is the pinned one), and how it
/// was chosen; or why none fits.
pub fn newest_nightly(
    resolver: &Resolver,
    pinned: &Pinned,
    wanted: ApiVersion,
) -> anyhow::Result<Result<(Option<NewWheel>, String), String>> {
    let old_tags = WheelTags::parse(pinned.file).with_context(|| format!("{} is no wheel name", pinned.file))?;
    let tags = find::family(&old_tags).unwrap_or(old_tags);
    let versions = resolver.wheel_versions(pinned.package, &tags)?;
    let mut fetched = BTreeMap::new();
    let searched = nightly::search(&versions, wanted, &[(pinned.version.to_owned(), pinned.api)], |version| {
        let wheel = resolver.fetch_wheel(pinned.package, version, &tags)?;
        let declared = nightly::api_of_wheel(&wheel.path, pinned.member)?;
        fetched.insert(version.to_owned(), wheel);
        Ok(declared)
    })?;
    let chosen = match searched {
        Ok(chosen) => chosen,
        Err(none) => return Ok(Err(format!("no {} declares PJRT C API {wanted}: {none}", pinned.package))),
    };
    let probed: Vec<String> = chosen.probed.iter().map(|(v, a)| format!("{v}: {a}")).collect();
    let how = format!(
        "the newest {} declaring {wanted}; fetched {} of {} to decide ({})",
        pinned.package,
        probed.len(),
        versions.len(),
        probed.join(", ")
    );
    if chosen.version == pinned.version {
        return Ok(Ok((None, how)));
    }
    let wheel = fetched.remove(&chosen.version).expect("the chosen nightly was fetched");
    if !find::has_member(&wheel.path, pinned.member)? {
        bail!("{} has no {}", wheel.file, pinned.member);
    }
    let tags_changed = find::platform_tag(&wheel.file) != find::platform_tag(pinned.file);
    Ok(Ok((Some(NewWheel { version: chosen.version, wheel, tags_changed, also_published: Vec::new() }), how)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bump::fixtures;
    use xla_artifacts::Manifest;

    #[test]
    fn fetches_few_nightlies_of_a_local_index_to_find_the_newest_declaring_a_version() {
        let links = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        // Eight nightlies: 0.1 for two days, 0.2 for three, then 0.3.
        for (day, minor) in [1, 1, 2, 2, 2, 3, 3, 3].into_iter().enumerate() {
            let file = format!("tf_nightly-2.30.0.dev202701{:02}-cp312-cp312-manylinux_2_27_x86_64.whl", day + 1);
            let header = format!("#define PJRT_API_MAJOR 0\n#define PJRT_API_MINOR {minor}\n");
            fixtures::wheel(
                links.path(),
                &file,
                &[("tensorflow/include/xla/pjrt/c/pjrt_c_api.h", header.as_bytes())],
                "",
            );
        }
        let settings = fixtures::settings(cache.path(), links.path());
        let manifest = Manifest::parse("schema = 1\n[release]\njax = \"0\"\nxla-commit = \"0123456789abcdef0123456789abcdef01234567\"\npjrt-api = \"0.1\"\n", "test").unwrap();
        let resolver = settings.resolver(&manifest);
        let pinned = Pinned {
            package: "tf-nightly",
            version: "2.30.0.dev20270101",
            file: "tf_nightly-2.30.0.dev20270101-cp312-cp312-manylinux_2_27_x86_64.whl",
            member: "tensorflow/include/xla/",
            api: ApiVersion { major: 0, minor: 1 },
        };
        let (wheel, how) = newest_nightly(&resolver, &pinned, ApiVersion { major: 0, minor: 2 }).unwrap().unwrap();
        let wheel = wheel.unwrap();
        assert_eq!(wheel.version, "2.30.0.dev20270105");
        assert_eq!(wheel.wheel.file, "tf_nightly-2.30.0.dev20270105-cp312-cp312-manylinux_2_27_x86_64.whl");
        // A binary search from the pin: three of the seven newer nightlies fetched, no more.
        let fetched = fixtures::downloads(cache.path());
        assert_eq!(fetched.len(), 3, "{fetched:?}");
        assert!(how.contains("fetched 3 of 8"), "{how}");

        let none = newest_nightly(&resolver, &pinned, ApiVersion { major: 0, minor: 4 }).unwrap().unwrap_err();
        assert!(none.contains("the newest nightly is older: 2.30.0.dev20270108 declares 0.3"), "{none}");
        // The same version moves to its newest nightly, or stays when the pin is that one.
        let (newer, _) = newest_nightly(&resolver, &pinned, ApiVersion { major: 0, minor: 1 }).unwrap().unwrap();
        assert_eq!(newer.unwrap().version, "2.30.0.dev20270102");
        let newest = Pinned {
            version: "2.30.0.dev20270102",
            file: "tf_nightly-2.30.0.dev20270102-cp312-cp312-manylinux_2_27_x86_64.whl",
            ..pinned
        };
        let (same, _) = newest_nightly(&resolver, &newest, ApiVersion { major: 0, minor: 1 }).unwrap().unwrap();
        assert!(same.is_none());
    }
}
