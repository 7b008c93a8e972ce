//! What a bump prints, and its CHANGELOG entry: the release set old → new, every artifact's new
//! wheels with their checksums (or why it stays), what could not be found, the changes in the
//! bindings and the protos, each file's changed lines, and what is left to do by hand.

use std::fmt::Write as _;

use super::api::HeadersPlan;
use super::find::platform_tag;
use super::plan::{Fate, Plan, SourceOutcome};

/// The whole report.
pub fn render(plan: &Plan, dry_run: bool) -> String {
    let mut out = String::new();
    let (old_jax, new_jax) = &plan.jax;
    let mode = if dry_run { " (dry run: nothing is written)" } else { "" };
    let _ = writeln!(out, "bump-xla: jax {old_jax} → {new_jax}{mode}\n\nRelease set");
    let _ = writeln!(out, "  jax           {old_jax} → {new_jax}");
    let commit = &plan.commit;
    let new_commit = commit.new.as_deref().unwrap_or("UNKNOWN");
    let _ = writeln!(out, "  XLA commit    {} → {new_commit}\n                {}", commit.old, commit.how);
    let api = &plan.api;
    let new_api = api.new.map_or_else(|| "UNKNOWN".to_owned(), |v| v.to_string());
    let _ = writeln!(out, "  PJRT C API    {} → {new_api}\n                {}", api.old, api.how);
    if let Some(jax) = &plan.jax_release
        && let Some(hash) = &jax.commit
    {
        let _ = writeln!(out, "  jax commit    {hash} (jax {}'s version.py)", jax.version);
    }

    out.push_str("\nArtifacts\n");
    for artifact in &plan.artifacts {
        match &artifact.fate {
            Fate::Kept { reason } => {
                let _ = writeln!(out, "  {}: kept: {reason}", artifact.name);
            }
            Fate::Moves { version, why, sources } => {
                let _ = writeln!(out, "  {} → {version} ({why})", artifact.name);
                for source in sources {
                    let targets = source.targets.join(", ");
                    match &source.outcome {
                        SourceOutcome::Unchanged => {
                            let _ = writeln!(out, "    {targets}: already {} {version}", source.package);
                        }
                        SourceOutcome::New(new) => {
                            let _ = writeln!(out, "    {targets}: {}", new.wheel.file);
                            let _ = writeln!(out, "      sha256 {}  size {}", new.wheel.sha256, new.wheel.size);
                            if new.tags_changed {
                                let (old, now) = (platform_tag(&source.old_file), platform_tag(&new.wheel.file));
                                let _ = writeln!(out, "      platform tag changed: {old} → {now}");
                            }
                            if !new.also_published.is_empty() {
                                let also = new.also_published.join(", ");
                                let _ = writeln!(out, "      also published, not taken: {also}");
                            }
                        }
                        SourceOutcome::NotFound { tried } => {
                            let _ = writeln!(
                                out,
                                "    {targets}: NOT FOUND: no {}=={version} wheel for {}; stays at {}",
                                source.package,
                                tried.join(" or "),
                                source.old_version
                            );
                        }
                        SourceOutcome::MemberMissing { file, member } => {
                            let _ = writeln!(
                                out,
                                "    {targets}: NOT USABLE: {file} has no {member}; stays at {}",
                                source.old_version
                            );
                        }
                    }
                }
                if let Some(reported) = api.per_artifact.get(&artifact.name) {
                    match reported {
                        Ok(version) => drop(writeln!(out, "    PJRT C API {version}, reported when loaded here")),
                        Err(why) => drop(writeln!(out, "    PJRT C API not read: {why}")),
                    }
                }
            }
        }
    }
    match &plan.headers {
        HeadersPlan::New { artifact, old_version, wheel, api, how, .. } => {
            let _ = writeln!(out, "  {artifact} → {} (declares PJRT C API {api}; was {old_version})", wheel.version);
            let _ = writeln!(out, "    {how}");
            let _ = writeln!(
                out,
                "    *: {}\n      sha256 {}  size {}",
                wheel.wheel.file, wheel.wheel.sha256, wheel.wheel.size
            );
        }
        HeadersPlan::Kept { reason } => drop(writeln!(out, "  pjrt-headers: kept: {reason}")),
        HeadersPlan::Unavailable { reason } => drop(writeln!(out, "  pjrt-headers: NOT CHOSEN: {reason}")),
    }

    let missing = not_found(plan);
    out.push_str("\nNot found for the new release (kept as they were)\n");
    if missing.is_empty() {
        out.push_str("  none\n");
    }
    for line in &missing {
        let _ = writeln!(out, "  {line}");
    }

    out.push_str("\nPJRT bindings (pjrt-sys)\n");
    match &plan.bindings {
        Ok(Some(diff)) => out.push_str(&diff.to_string()),
        Ok(None) => out.push_str("  unchanged: the headers stay\n"),
        Err(why) => drop(writeln!(out, "  NOT GENERATED: {why}")),
    }
    out.push_str("\nProtos (xla-protos)\n");
    match &plan.protos {
        Ok((diff, from)) => {
            let _ = writeln!(out, "  {from}");
            out.push_str(&diff.to_string());
        }
        Err(why) => drop(writeln!(out, "  NOT READ: {why}")),
    }

    out.push_str("\nFiles\n");
    for (path, old, new) in &plan.files {
        let lines = line_diff(old, new);
        if lines.is_empty() {
            let _ = writeln!(out, "  {path}: unchanged");
            continue;
        }
        let _ = writeln!(out, "  {path}:");
        for line in lines {
            let _ = writeln!(out, "    {line}");
        }
    }
    if !plan.notes.is_empty() {
        out.push_str("\nLeft to do by hand, and warnings\n");
        for note in &plan.notes {
            let _ = writeln!(out, "  - {note}");
        }
    }
    if !plan.blockers.is_empty() {
        let what = if dry_run { "A real run would refuse to write" } else { "Refusing to write" };
        let _ = writeln!(out, "\n{what}:");
        for blocker in &plan.blockers {
            let _ = writeln!(out, "  - {blocker}");
        }
    }
    out
}

/// One line per source that stays behind: `artifact (targets): package==version`.
pub fn not_found(plan: &Plan) -> Vec<String> {
    let mut lines = Vec::new();
    for artifact in &plan.artifacts {
        let Fate::Moves { version, .. } = &artifact.fate else { continue };
        for source in artifact.sources() {
            let why = match &source.outcome {
                SourceOutcome::NotFound { .. } => "no wheel".to_owned(),
                SourceOutcome::MemberMissing { member, .. } => format!("its wheel lacks {member}"),
                _ => continue,
            };
            lines.push(format!(
                "{} ({}): {}=={version} ({why}); stays at {}",
                artifact.name,
                source.targets.join(", "),
                source.package,
                source.old_version
            ));
        }
    }
    lines
}

/// The CHANGELOG entry: the new release set and the report's highlights, in one paragraph.
pub fn changelog_entry(plan: &Plan) -> String {
    let (_, new_jax) = &plan.jax;
    let commit = plan.commit.new.as_deref().unwrap_or("unknown");
    let api = match plan.api.new {
        Some(new) if new != plan.api.old => format!("PJRT C API {} → {new}", plan.api.old),
        Some(same) => format!("PJRT C API {same}"),
        None => "PJRT C API unknown".into(),
    };
    let mut moved = Vec::new();
    for artifact in &plan.artifacts {
        if let Some(new) = artifact.sources().iter().find_map(|s| s.new_wheel()) {
            let package = &artifact.sources().iter().find(|s| s.new_wheel().is_some()).expect("found").package;
            moved.push(format!("{package} {}", new.version));
        }
    }
    if let HeadersPlan::New { wheel, .. } = &plan.headers {
        moved.push(format!("the PJRT headers of tf-nightly {}", wheel.version));
    }
    let mut entry = format!("The release set is jax {new_jax} (XLA {commit}, {api}), by `cargo xtask bump-xla`");
    if !moved.is_empty() {
        let _ = write!(entry, ": {}", moved.join(", "));
    }
    entry.push('.');
    match &plan.bindings {
        Ok(Some(diff)) => drop(write!(entry, " PJRT bindings: {}.", diff.summary())),
        Ok(None) => entry.push_str(" PJRT bindings: unchanged."),
        Err(_) => {}
    }
    if let Ok((diff, _)) = &plan.protos {
        let _ = write!(entry, " Protos: {}.", diff.summary());
    }
    let missing: Vec<String> = plan
        .artifacts
        .iter()
        .flat_map(|a| a.sources().iter().map(move |s| (a, s)))
        .filter(|(_, s)| matches!(s.outcome, SourceOutcome::NotFound { .. } | SourceOutcome::MemberMissing { .. }))
        .map(|(a, s)| format!("{} {} ({}, {})", s.package, s.old_version, a.name, s.targets.join(", ")))
        .collect();
    if !missing.is_empty() {
        let _ = write!(entry, " Not published for jax {new_jax}, kept: {}.", missing.join("; "));
    }
    if plan.artifacts.iter().any(|a| a.name == "mlir-capi") {
        entry.push_str(" mlir-capi stays jaxlib 0.5.3 on purpose (the last jaxlib exporting the MLIR C API).");
    }
    entry
}

/// The lines `new` removes (`-`) and adds (`+`) to `old`, numbered as in `old` and `new`.
pub fn line_diff(old: &str, new: &str) -> Vec<String> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    // Longest common subsequence, from the ends (the texts are a few hundred lines).
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(format!("-{:>4} {}", i + 1, a[i]));
            i += 1;
        } else {
            out.push(format!("+{:>4} {}", j + 1, b[j]));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_only_the_lines_that_change() {
        let old = "a\nb\nc\nd\n";
        let new = "a\nB\nc\nd\ne\n";
        assert_eq!(line_diff(old, new), ["-   2 b", "+   2 B", "+   5 e"]);
        assert!(line_diff(old, old).is_empty());
    }
}
