//! Choosing the PJRT headers: the newest tf-nightly whose `pjrt_c_api.h` declares the PJRT C API
//! version of the release set's plugins.
//!
//! Each nightly is a ~640 MB wheel, so the nightlies are searched by date, fetching as few as
//! possible: the API version only grows with time, so a binary search between a nightly known to
//! be old enough (the one pinned now) and the newest finds the last one that is not newer than
//! the plugins'; it must then be exactly theirs.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use anyhow::Context as _;
use xla_artifacts::manifest::ApiVersion;

use super::find;

/// The date of a nightly version, `2.22.0.dev20260924` → 20260924; `None` for other versions.
pub fn date(version: &str) -> Option<u32> {
    let (_, date) = version.rsplit_once(".dev")?;
    (date.len() == 8).then(|| date.parse().ok()).flatten()
}

/// The PJRT C API version a nightly wheel's headers declare: `pjrt/c/pjrt_c_api.h` below
/// `xla_dir`, the member holding `xla/` (`tensorflow/include/xla/`).
pub fn api_of_wheel(wheel: &Path, xla_dir: &str) -> anyhow::Result<ApiVersion> {
    let member = format!("{}/pjrt/c/pjrt_c_api.h", xla_dir.trim_end_matches('/'));
    let text = find::read_member(wheel, &member)?.with_context(|| format!("{} has no {member}", wheel.display()))?;
    api_of_header(&text).with_context(|| format!("{member} of {}", wheel.display()))
}

/// `PJRT_API_MAJOR.PJRT_API_MINOR` of `pjrt_c_api.h`.
pub fn api_of_header(text: &str) -> anyhow::Result<ApiVersion> {
    let define = |name: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix("#define ")?.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse::<u32>().ok())
            .with_context(|| format!("no `#define {name} <number>`"))
    };
    Ok(ApiVersion { major: define("PJRT_API_MAJOR")?, minor: define("PJRT_API_MINOR")? })
}

/// The outcome of a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    /// The newest nightly declaring the wanted version.
    pub version: String,
    /// Every nightly fetched to decide, with what it declares, in the order fetched.
    pub probed: Vec<(String, ApiVersion)>,
}

/// Why no nightly fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoNightly {
    /// Every nightly declares a newer version than wanted (or none is listed).
    AllNewer {
        /// The oldest nightly, and what it declares, when one was probed.
        oldest: Option<(String, ApiVersion)>,
    },
    /// The versions jump over the wanted one between two consecutive nightlies.
    Skipped {
        /// The last nightly before the jump.
        before: (String, ApiVersion),
        /// The first one after it, when there is one.
        after: Option<(String, ApiVersion)>,
    },
}

impl fmt::Display for NoNightly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |(v, api): &(String, ApiVersion)| format!("{v} declares {api}");
        match self {
            Self::AllNewer { oldest: Some(oldest) } => write!(f, "every nightly is newer ({})", show(oldest)),
            Self::AllNewer { oldest: None } => write!(f, "no tf-nightly is listed for these tags"),
            Self::Skipped { before, after: Some(after) } => {
                write!(f, "the nightlies jump over it: {}, the next {}", show(before), show(after))
            }
            Self::Skipped { before, after: None } => write!(f, "the newest nightly is older: {}", show(before)),
        }
    }
}

/// The newest of `versions` (nightlies, in any order; others are ignored) whose headers declare
/// `wanted`, asking `probe` for as few as it can. `known` are versions whose declaration is known
/// without fetching them (the pinned one).
pub fn search(
    versions: &[String],
    wanted: ApiVersion,
    known: &[(String, ApiVersion)],
    mut probe: impl FnMut(&str) -> anyhow::Result<ApiVersion>,
) -> anyhow::Result<Result<Chosen, NoNightly>> {
    let mut nightlies: Vec<(u32, &String)> = versions.iter().filter_map(|v| Some((date(v)?, v))).collect();
    nightlies.sort();
    let nightlies: Vec<&String> = nightlies.into_iter().map(|(_, v)| v).collect();
    let mut seen: BTreeMap<usize, ApiVersion> = BTreeMap::new();
    for (version, api) in known {
        if let Some(index) = nightlies.iter().position(|v| *v == version) {
            seen.insert(index, *api);
        }
    }
    // Invariant: every nightly at or before `low` declares at most `wanted`, every one at or
    // after `high` declares more (-1 and len: none known yet).
    let mut low = seen.iter().filter(|(_, api)| **api <= wanted).map(|(i, _)| *i as isize).max().unwrap_or(-1);
    let mut high = seen
        .iter()
        .filter(|(_, api)| **api > wanted)
        .map(|(i, _)| *i as isize)
        .min()
        .unwrap_or(nightlies.len() as isize);
    let mut probed = Vec::new();
    while high - low > 1 {
        let middle = ((low + high) / 2) as usize;
        let api = probe(nightlies[middle])?;
        probed.push((nightlies[middle].clone(), api));
        seen.insert(middle, api);
        if api <= wanted {
            low = middle as isize;
        } else {
            high = middle as isize;
        }
    }
    let at = |i: isize| -> Option<(String, ApiVersion)> {
        let i = usize::try_from(i).ok()?;
        Some((nightlies.get(i)?.to_string(), *seen.get(&i)?))
    };
    Ok(match at(low) {
        Some((version, api)) if api == wanted => Ok(Chosen { version, probed }),
        Some(before) => Err(NoNightly::Skipped { before, after: at(high) }),
        None => Err(NoNightly::AllNewer { oldest: at(high) }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(minor: u32) -> ApiVersion {
        ApiVersion { major: 0, minor }
    }

    /// Nightlies 20270101..=20270116 declaring 0.115 until the 5th, 0.116 until the 9th, then 0.118.
    fn table() -> Vec<(String, ApiVersion)> {
        (1..=16)
            .map(|day| {
                let minor = match day {
                    ..=5 => 115,
                    6..=9 => 116,
                    _ => 118,
                };
                (format!("2.30.0.dev202701{day:02}"), api(minor))
            })
            .collect()
    }

    fn run(wanted: u32, known: &[(String, ApiVersion)]) -> (Result<Chosen, NoNightly>, usize) {
        let table = table();
        let mut versions: Vec<String> = table.iter().map(|(v, _)| v.clone()).collect();
        versions.reverse();
        versions.push("2.29.0".into());
        let mut fetched = 0;
        let outcome = search(&versions, api(wanted), known, |v| {
            fetched += 1;
            Ok(table.iter().find(|(n, _)| n == v).unwrap().1)
        })
        .unwrap();
        (outcome, fetched)
    }

    #[test]
    fn finds_the_newest_nightly_of_a_version_with_few_fetches() {
        let (chosen, fetched) = run(116, &[]);
        assert_eq!(chosen.unwrap().version, "2.30.0.dev20270109");
        assert!(fetched <= 5, "{fetched} fetches for 16 nightlies");
        // Starting from a known pin narrows the search.
        let known = [("2.30.0.dev20270105".to_owned(), api(115))];
        let (chosen, fetched_from_pin) = run(116, &known);
        let chosen = chosen.unwrap();
        assert_eq!(chosen.version, "2.30.0.dev20270109");
        assert_eq!(chosen.probed.len(), fetched_from_pin);
        assert!(fetched_from_pin <= 4);
        // The pin itself, when nothing newer has its version.
        assert_eq!(run(115, &known).0.unwrap().version, "2.30.0.dev20270105");
    }

    #[test]
    fn says_why_no_nightly_fits() {
        let (outcome, _) = run(117, &[]);
        let skipped = outcome.unwrap_err();
        assert_eq!(
            skipped,
            NoNightly::Skipped {
                before: ("2.30.0.dev20270109".into(), api(116)),
                after: Some(("2.30.0.dev20270110".into(), api(118)))
            }
        );
        assert!(skipped.to_string().contains("2.30.0.dev20270110 declares 0.118"), "{skipped}");
        assert!(matches!(run(114, &[]).0, Err(NoNightly::AllNewer { oldest: Some(_) })));
        assert!(matches!(run(119, &[]).0, Err(NoNightly::Skipped { after: None, .. })));
    }

    #[test]
    fn reads_the_declared_version_of_a_header() {
        let header = "#define PJRT_API_MAJOR 0\n\n// Minor.\n#define PJRT_API_MINOR 117\n#define PJRT_API_MINOR_X 1\n";
        assert_eq!(api_of_header(header).unwrap(), api(117));
        assert!(api_of_header("#define PJRT_API_MAJOR 0\n").is_err());
        assert_eq!(date("2.22.0.dev20260924"), Some(20260924));
        assert_eq!(date("2.22.0"), None);
    }
}
