//! The CHANGELOG entry of a bump, in Keep a Changelog's form: a bullet under `## [Unreleased]` →
//! `### Changed`, a subsection made where there is none yet, in the order Keep a Changelog gives
//! (Added, Changed, Deprecated, Removed, Fixed, Security).

use anyhow::Context as _;

/// Where the changelog is, relative to the repository root.
pub const PATH: &str = "CHANGELOG.md";

/// The subsections of a release, in Keep a Changelog's order.
const ORDER: &[&str] = &["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"];

/// `text` with `entry` (one paragraph, unwrapped) appended as a bullet of Unreleased → Changed.
pub fn append(text: &str, entry: &str) -> anyhow::Result<String> {
    let lines: Vec<&str> = text.lines().collect();
    let unreleased = lines
        .iter()
        .position(|l| l.trim_start().starts_with("## [Unreleased]"))
        .context("CHANGELOG.md has no `## [Unreleased]` section")?;
    let section_end = (unreleased + 1..lines.len()).find(|&i| lines[i].starts_with("## ")).unwrap_or(lines.len());
    let heading = |i: usize| lines[i].strip_prefix("### ").map(str::trim);
    let bullet = wrap(&format!("- {entry}"), 100);
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let changed = (unreleased + 1..section_end).find(|&i| heading(i) == Some("Changed"));
    match changed {
        Some(at) => {
            let end = (at + 1..section_end).find(|&i| heading(i).is_some()).unwrap_or(section_end);
            // After the subsection's last non-blank line.
            let last = (at..end).rev().find(|&i| !lines[i].trim().is_empty()).unwrap_or(at);
            out.splice(last + 1..last + 1, bullet);
        }
        None => {
            // Before the first subsection that comes after Changed (one of the project's own, like
            // "Known gaps", comes after the standard ones), else at the section's end.
            let later = |i: usize| heading(i).is_some_and(|h| ORDER.iter().position(|o| *o == h).is_none_or(|p| p > 1));
            let at = (unreleased + 1..section_end).find(|&i| later(i)).unwrap_or_else(|| {
                (unreleased..section_end).rev().find(|&i| !lines[i].trim().is_empty()).unwrap_or(unreleased) + 1
            });
            let mut block = vec![String::new(), "### Changed".to_owned()];
            block.extend(bullet);
            if at < section_end {
                block.push(String::new());
                block.remove(0);
            }
            out.splice(at..at, block);
        }
    }
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    Ok(joined)
}

/// `text` broken into lines of at most `width` characters, continuations indented by two spaces
/// (a Markdown list item's).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::replace(&mut line, "  ".to_owned()));
        }
        if !line.is_empty() && line != "  " {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_a_changed_subsection_after_added() {
        let text = "# Changelog\n\n## [Unreleased]\n\n### Added\n- The workspace.\n";
        let new = append(text, "The release set moves to jax 0.12.0.").unwrap();
        assert!(new.starts_with(text), "the existing entries are kept as they are");
        assert_eq!(&new[text.len()..], "\n### Changed\n- The release set moves to jax 0.12.0.\n");
        // A second bump adds a bullet to the same subsection.
        let again = append(&new, "And then to jax 0.13.0.").unwrap();
        assert_eq!(&again[new.len()..], "- And then to jax 0.13.0.\n");
    }

    #[test]
    fn the_real_changelog_takes_an_entry_under_unreleased() {
        let text = std::fs::read_to_string(crate::workspace::root().join(PATH)).unwrap();
        let new = append(&text, "The release set moves to jax 0.12.0.").unwrap();
        let unreleased = &new[new.find("## [Unreleased]").unwrap()..];
        let section = &unreleased[..unreleased[3..].find("\n## ").map_or(unreleased.len(), |i| i + 3)];
        assert!(section.contains("\n- The release set moves to jax 0.12.0.\n"), "{section}");
        // Every existing line is kept, in order.
        let mut kept = new.lines();
        assert!(text.lines().all(|line| kept.any(|l| l == line)), "an existing line was lost or moved");
    }

    #[test]
    fn keeps_keep_a_changelog_order_and_wraps_long_entries() {
        let text = "# Changelog\n\n## [Unreleased]\n\n### Added\n- a\n\n### Fixed\n- b\n\n## [0.1.0]\n### Added\n- c\n";
        let long = "word ".repeat(30);
        let new = append(text, long.trim()).unwrap();
        let expected_bullet = wrap(&format!("- {}", long.trim()), 100).join("\n");
        assert_eq!(
            new,
            format!(
                "# Changelog\n\n## [Unreleased]\n\n### Added\n- a\n\n### Changed\n{expected_bullet}\n\n### Fixed\n- b\n\n## [0.1.0]\n### Added\n- c\n"
            )
        );
        assert!(expected_bullet.lines().all(|l| l.len() <= 100));
        assert!(expected_bullet.lines().skip(1).all(|l| l.starts_with("  word")));
        assert!(append("# Changelog\n", "x").is_err());
        // A subsection of the project's own comes after the standard ones.
        let own = "## [Unreleased]\n\n### Added\n- a\n\n### Known gaps\n- g\n";
        assert_eq!(
            append(own, "x").unwrap(),
            "## [Unreleased]\n\n### Added\n- a\n\n### Changed\n- x\n\n### Known gaps\n- g\n"
        );
    }
}
