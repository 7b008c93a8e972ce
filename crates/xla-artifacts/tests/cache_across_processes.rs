//! The cache under parallel builds and killed builds (archives served by the FAKE loopback server,
//! resolutions run in real child processes).

mod support;

use std::io::Read;
use std::time::{Duration, Instant};

use support::fake_http_server::{Behavior, FakeHttpServer};
use support::{TARGET, env, manifest, manifest_text, noise, spawn_child, tar_gz, tree, url_artifact, write_spec};
use xla_artifacts::{Origin, Resolver, Sha256Digest};

const MEMBER: &str = "lib/libdemo.so";

/// Run only as a child of the tests below (see `support::spawn_child`).
#[test]
#[ignore = "a child process of the tests in this file, not a test of its own"]
fn child_resolves() {
    support::child_body();
}

#[test]
fn eight_processes_share_one_download_into_an_empty_cache() {
    let server = FakeHttpServer::start();
    let payload = noise(4_000_000);
    let archive = tar_gz(MEMBER, &payload);
    server.set("/demo.tar.gz", Behavior::Serve(archive.clone()));
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    write_spec(
        &work.path().join("spec"),
        &manifest_text(&url_artifact(&server.url("/demo.tar.gz"), &archive, Some(MEMBER))),
    );

    let children: Vec<_> = (0..8).map(|_| spawn_child(&work.path().join("spec"), &cache)).collect();
    let mut paths = Vec::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line =
            stdout.lines().find(|l| l.starts_with("RESOLVED ") || l.starts_with("FAILED ")).unwrap_or_else(|| {
                panic!("child printed no result:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr))
            });
        let path = line.strip_prefix("RESOLVED ").unwrap_or_else(|| panic!("a child failed: {line}"));
        paths.push(path.to_owned());
    }
    assert_eq!(server.requests("/demo.tar.gz"), 1, "exactly one process downloads");
    paths.dedup();
    assert_eq!(paths.len(), 1, "every process resolves the same file: {paths:?}");
    assert_eq!(
        Sha256Digest::of_file(paths[0].as_ref()).unwrap(),
        Sha256Digest::of(&payload),
        "the shared file is whole"
    );
    let staging: Vec<_> = tree(&cache.join("v1/staging")).into_iter().filter(|p| p.is_file()).collect();
    assert!(staging.is_empty(), "work in progress left behind: {staging:?}");
}

#[test]
fn a_process_killed_mid_download_leaves_nothing_trusted_and_the_next_run_recovers() {
    let server = FakeHttpServer::start();
    let payload = noise(2_000_000);
    let archive = tar_gz(MEMBER, &payload);
    server.set("/demo.tar.gz", Behavior::Stall(archive.clone(), Duration::from_secs(60)));
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let text = manifest_text(&url_artifact(&server.url("/demo.tar.gz"), &archive, Some(MEMBER)));
    write_spec(&work.path().join("spec"), &text);

    let mut child = spawn_child(&work.path().join("spec"), &cache);
    // Wait until the child has written part of the body to its staging area, then kill it.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !tree(&cache.join("v1/staging")).iter().any(|p| p.is_file() && p.metadata().is_ok_and(|m| m.len() > 0)) {
        assert!(Instant::now() < deadline, "the child never started downloading");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    let _ = child.wait();
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    assert!(!out.contains("RESOLVED"), "the child finished before it was killed");
    assert!(tree(&cache.join("v1/entries")).is_empty(), "a killed download must leave no entry");
    assert!(tree(&cache.join("v1/downloads")).is_empty(), "a killed download must leave no trusted archive");

    // The next run (server fixed) takes the lock the dead process held, cleans up and succeeds.
    server.set("/demo.tar.gz", Behavior::Serve(archive.clone()));
    let manifest = manifest(&url_artifact(&server.url("/demo.tar.gz"), &archive, Some(MEMBER)));
    let resolved = Resolver::new(&manifest, env(&cache, &[])).resolve("demo", TARGET).unwrap();
    assert_eq!(std::fs::read(&resolved.path).unwrap(), payload);
    let staging: Vec<_> = tree(&cache.join("v1/staging")).into_iter().filter(|p| p.is_file()).collect();
    assert!(staging.is_empty(), "the interrupted work was not cleaned up: {staging:?}");
}

#[test]
fn a_corrupted_cached_file_is_detected_and_restored_or_refused_offline() {
    let server = FakeHttpServer::start();
    let payload = noise(500_000);
    let archive = tar_gz(MEMBER, &payload);
    server.set("/demo.tar.gz", Behavior::Serve(archive.clone()));
    let cache = tempfile::tempdir().unwrap();
    let manifest = manifest(&url_artifact(&server.url("/demo.tar.gz"), &archive, Some(MEMBER)));
    let resolve = |extra: &[(&str, &str)]| Resolver::new(&manifest, env(cache.path(), extra)).resolve("demo", TARGET);
    let first = resolve(&[]).unwrap();

    // Damage the extracted file: it is re-extracted from the kept download, without the network.
    corrupt(&first.path);
    let second = resolve(&[]).unwrap();
    assert_eq!(std::fs::read(&second.path).unwrap(), payload);
    assert_eq!(second.origin, Origin::Cache);
    assert_eq!(server.requests("/demo.tar.gz"), 1);

    // Damage both the file and the kept download: offline, that is refused...
    corrupt(&second.path);
    let kept = tree(&cache.path().join("v1/downloads")).into_iter().find(|p| p.is_file()).unwrap();
    corrupt(&kept);
    let refused = resolve(&[("RYFT_XLA_SYS_OFFLINE", "1")]).unwrap_err().to_string();
    assert!(refused.contains("network is off limits"), "{refused}");
    // ...and online, fetched again.
    let third = resolve(&[]).unwrap();
    assert!(matches!(third.origin, Origin::Download { .. }), "{:?}", third.origin);
    assert_eq!(std::fs::read(&third.path).unwrap(), payload);
    assert_eq!(server.requests("/demo.tar.gz"), 2);
}

#[test]
fn full_verification_catches_damage_that_keeps_size_and_time() {
    let server = FakeHttpServer::start();
    let payload = noise(100_000);
    let archive = tar_gz(MEMBER, &payload);
    server.set("/demo.tar.gz", Behavior::Serve(archive.clone()));
    let cache = tempfile::tempdir().unwrap();
    let manifest = manifest(&url_artifact(&server.url("/demo.tar.gz"), &archive, Some(MEMBER)));
    let first = Resolver::new(&manifest, env(cache.path(), &[])).resolve("demo", TARGET).unwrap();
    let modified = std::fs::metadata(&first.path).unwrap().modified().unwrap();
    corrupt(&first.path);
    std::fs::File::options().write(true).open(&first.path).unwrap().set_modified(modified).unwrap();
    let quick = Resolver::new(&manifest, env(cache.path(), &[])).resolve("demo", TARGET).unwrap();
    assert_ne!(std::fs::read(&quick.path).unwrap(), payload, "metadata checks cannot see this damage (documented)");
    let full = Resolver::new(&manifest, env(cache.path(), &[("RYFT_XLA_SYS_VERIFY", "full")]))
        .resolve("demo", TARGET)
        .unwrap();
    assert_eq!(std::fs::read(&full.path).unwrap(), payload);
}

#[test]
fn an_unwritable_cache_is_a_clear_error() {
    let server = FakeHttpServer::start();
    let archive = tar_gz(MEMBER, b"x");
    server.set("/demo.tar.gz", Behavior::Serve(archive.clone()));
    let manifest = manifest(&url_artifact(&server.url("/demo.tar.gz"), &archive, Some(MEMBER)));
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("read-only");
    std::fs::create_dir(&locked).unwrap();
    set_mode(&locked, 0o555);
    // Root writes through permission bits; then use a place no one can write: /proc.
    let cache = if std::fs::create_dir(locked.join("probe")).is_ok() {
        "/proc/ryft-xla-sys-cache".into()
    } else {
        locked.clone()
    };
    let error = Resolver::new(&manifest, env(&cache, &[])).resolve("demo", TARGET).unwrap_err().to_string();
    assert!(error.contains("is not writable"), "{error}");
    assert!(error.contains("RYFT_XLA_SYS_CACHE_DIR"), "{error}");
    set_mode(&locked, 0o755);
}

fn corrupt(path: &std::path::Path) {
    set_mode(path, 0o644);
    let mut bytes = std::fs::read(path).unwrap();
    bytes[10] ^= 0x55;
    std::fs::write(path, bytes).unwrap();
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn verify_all_finds_damage_and_clean_keeps_what_is_asked() {
    let server = FakeHttpServer::start();
    let (first, second) = (tar_gz(MEMBER, &noise(10_000)), tar_gz(MEMBER, &noise(20_000)));
    server.set("/first.tar.gz", Behavior::Serve(first.clone()));
    server.set("/second.tar.gz", Behavior::Serve(second.clone()));
    let dir = tempfile::tempdir().unwrap();
    let cache = xla_artifacts::Cache::new(dir.path());
    for (path, bytes) in [("/first.tar.gz", &first), ("/second.tar.gz", &second)] {
        let manifest = manifest(&url_artifact(&server.url(path), bytes, Some(MEMBER)));
        Resolver::new(&manifest, env(dir.path(), &[])).resolve("demo", TARGET).unwrap();
    }
    let report = cache.verify_all().unwrap();
    assert_eq!(report.len(), 4, "two entries and two downloads: {report:?}");
    assert!(report.iter().all(|(_, problem)| problem.is_none()), "{report:?}");

    let damaged = cache.list().unwrap()[0].0.join(MEMBER);
    corrupt(&damaged);
    let report = cache.verify_all().unwrap();
    let problems: Vec<_> = report.iter().filter(|(_, p)| p.is_some()).collect();
    assert_eq!(problems.len(), 1, "{problems:#?}");

    let keep = Sha256Digest::of(&first);
    let freed = cache.clean(|sha| *sha == keep).unwrap();
    assert!(freed > 20_000, "freed {freed} bytes");
    let left: Vec<_> = cache.downloads().unwrap();
    assert_eq!(left.len(), 1);
    assert!(left[0].to_string_lossy().contains(&keep.to_hex()));
}
