//! URL sources against a FAKE loopback server (no real host is reachable from here): every fault
//! gives its own clear error, nothing is cached after one, and a retry once it is fixed succeeds.

mod support;

use std::time::Duration;

use support::fake_http_server::{Behavior, FakeHttpServer};
use support::{TARGET, env, manifest, noise, tar_gz, tree, url_artifact};
use xla_artifacts::{Error, Origin, Resolver};

const MEMBER: &str = "lib/libdemo.so";

struct Case {
    server: FakeHttpServer,
    cache: tempfile::TempDir,
    archive: Vec<u8>,
    payload: Vec<u8>,
}

impl Case {
    fn new() -> Self {
        let payload = noise(300_000);
        Self {
            server: FakeHttpServer::start(),
            cache: tempfile::tempdir().unwrap(),
            archive: tar_gz(MEMBER, &payload),
            payload,
        }
    }

    fn resolve(&self, path: &str, extra: &[(&str, &str)]) -> xla_artifacts::Result<xla_artifacts::Resolved> {
        let manifest = manifest(&url_artifact(&self.server.url(path), &self.archive, Some(MEMBER)));
        Resolver::new(&manifest, env(self.cache.path(), extra)).resolve("demo", TARGET)
    }

    /// After a failure, nothing but locks may remain: no entry, no download, no staging file.
    fn assert_nothing_cached(&self) {
        let leftovers: Vec<_> = tree(self.cache.path())
            .into_iter()
            .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "lock"))
            .collect();
        assert!(leftovers.is_empty(), "a failed fetch left files behind: {leftovers:?}");
    }

    /// Serves the right bytes and checks that resolution now succeeds with them.
    fn fix_and_retry(&self, path: &str) {
        self.server.set(path, Behavior::Serve(self.archive.clone()));
        let resolved = self.resolve(path, &[]).expect("a retry after the fault is fixed succeeds");
        assert!(matches!(resolved.origin, Origin::Download { .. }));
        assert_eq!(std::fs::read(&resolved.path).unwrap(), self.payload);
    }
}

#[test]
fn a_served_archive_is_fetched_verified_extracted_then_reused() {
    let case = Case::new();
    case.server.set("/demo.tar.gz", Behavior::Serve(case.archive.clone()));
    let first = case.resolve("/demo.tar.gz", &[]).unwrap();
    assert!(matches!(first.origin, Origin::Download { .. }), "{:?}", first.origin);
    assert_eq!(std::fs::read(&first.path).unwrap(), case.payload);
    assert_eq!(first.sha256, Some(xla_artifacts::Sha256Digest::of(&case.payload)));
    let second = case.resolve("/demo.tar.gz", &[]).unwrap();
    assert_eq!(second.origin, Origin::Cache);
    assert_eq!(second.path, first.path);
    assert_eq!(case.server.requests("/demo.tar.gz"), 1, "the warm resolution must not touch the network");
}

#[test]
fn not_found_is_reported_with_its_status_and_not_retried() {
    let case = Case::new();
    case.server.set("/demo.tar.gz", Behavior::Status(404));
    let error = case.resolve("/demo.tar.gz", &[]).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("answered HTTP 404"), "{text}");
    assert!(text.contains("set DEMO_LIB to libdemo.so"), "the error must say what to set: {text}");
    assert_eq!(case.server.requests("/demo.tar.gz"), 1, "a 404 is final");
    case.assert_nothing_cached();
    case.fix_and_retry("/demo.tar.gz");
}

#[test]
fn server_errors_are_retried_then_reported() {
    let case = Case::new();
    case.server.set("/demo.tar.gz", Behavior::Status(500));
    let text = case.resolve("/demo.tar.gz", &[]).unwrap_err().to_string();
    assert!(text.contains("answered HTTP 500 (after 2 attempts)"), "{text}");
    assert_eq!(case.server.requests("/demo.tar.gz"), 2);
    case.assert_nothing_cached();
    case.fix_and_retry("/demo.tar.gz");
}

#[test]
fn a_truncated_body_is_reported_as_cut_short() {
    let case = Case::new();
    case.server.set("/demo.tar.gz", Behavior::Truncate(case.archive.clone()));
    let text = case.resolve("/demo.tar.gz", &[]).unwrap_err().to_string();
    assert!(text.contains("was cut short") || text.contains("after"), "{text}");
    assert!(text.contains(&format!("{} bytes", case.archive.len())), "{text}");
    case.assert_nothing_cached();
    case.fix_and_retry("/demo.tar.gz");
}

#[test]
fn wrong_bytes_are_a_checksum_mismatch_and_are_removed() {
    let case = Case::new();
    let mut wrong = case.archive.clone();
    let middle = wrong.len() / 2;
    wrong[middle] ^= 0xff;
    case.server.set("/demo.tar.gz", Behavior::Serve(wrong));
    let error = case.resolve("/demo.tar.gz", &[]).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("checksum mismatch"), "{text}");
    assert!(
        text.contains(&xla_artifacts::Sha256Digest::of(&case.archive).to_hex()),
        "the expected digest is named: {text}"
    );
    case.assert_nothing_cached();
    case.fix_and_retry("/demo.tar.gz");
}

#[test]
fn a_stalled_body_times_out() {
    let case = Case::new();
    case.server.set("/demo.tar.gz", Behavior::Stall(case.archive.clone(), Duration::from_secs(8)));
    let started = std::time::Instant::now();
    let text = case.resolve("/demo.tar.gz", &[("RYFT_XLA_SYS_HTTP_ATTEMPTS", "1")]).unwrap_err().to_string();
    assert!(text.to_lowercase().contains("timed out") || text.contains("timeout"), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(7),
        "the 2 s stall timeout was not applied ({:?})",
        started.elapsed()
    );
    case.assert_nothing_cached();
    case.fix_and_retry("/demo.tar.gz");
}

#[test]
fn a_reset_mid_stream_is_reported() {
    let case = Case::new();
    case.server.set("/demo.tar.gz", Behavior::Reset(case.archive.clone()));
    let text = case.resolve("/demo.tar.gz", &[]).unwrap_err().to_string();
    assert!(text.contains("GET http://127.0.0.1"), "{text}");
    assert!(text.contains("reset") || text.contains("cut short"), "{text}");
    case.assert_nothing_cached();
    case.fix_and_retry("/demo.tar.gz");
}

#[test]
fn redirects_are_followed() {
    let case = Case::new();
    case.server.set("/moved.tar.gz", Behavior::Redirect("/demo.tar.gz".into()));
    case.server.set("/demo.tar.gz", Behavior::Serve(case.archive.clone()));
    let resolved = case.resolve("/moved.tar.gz", &[]).unwrap();
    assert_eq!(std::fs::read(resolved.path).unwrap(), case.payload);
    assert_eq!((case.server.requests("/moved.tar.gz"), case.server.requests("/demo.tar.gz")), (1, 1));
}

#[test]
fn offline_never_touches_the_network_and_says_what_to_set() {
    let case = Case::new();
    case.server.set("/demo.tar.gz", Behavior::Serve(case.archive.clone()));
    let error = case.resolve("/demo.tar.gz", &[("CARGO_NET_OFFLINE", "true")]).unwrap_err();
    assert!(matches!(error, Error::Unresolved { .. }));
    let text = error.to_string();
    assert_eq!(case.server.requests("/demo.tar.gz"), 0);
    assert!(text.contains("network is off limits"), "{text}");
    assert!(text.contains("DEMO_LIB") && text.contains("RYFT_XLA_SYS_VENDOR_DIR"), "{text}");
    case.assert_nothing_cached();
}
