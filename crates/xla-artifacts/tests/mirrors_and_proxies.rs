//! Mirrors and proxies for URL sources, with the FAKE loopback server standing in for a company
//! mirror and a proxy (no real one is reachable here); pip mirrors with a real wheel served from a
//! local `--find-links` directory.

mod support;

use support::fake_http_server::{Behavior, FakeHttpServer};
use support::{TARGET, env, manifest, noise, tar_gz, url_artifact};
use xla_artifacts::{Origin, Resolver};

const MEMBER: &str = "lib/libdemo.so";
/// A source no one can reach: only a mirror can serve it.
const UNREACHABLE: &str = "https://unreachable.invalid/releases/demo.tar.gz";

#[test]
fn a_mirror_served_over_http_replaces_the_source() {
    let mirror = FakeHttpServer::start();
    let payload = noise(50_000);
    let archive = tar_gz(MEMBER, &payload);
    mirror.set("/mirror/demo.tar.gz", Behavior::Serve(archive.clone()));
    let cache = tempfile::tempdir().unwrap();
    let manifest = manifest(&url_artifact(UNREACHABLE, &archive, Some(MEMBER)));
    let base = mirror.url("/mirror/");
    let resolved = Resolver::new(&manifest, env(cache.path(), &[("RYFT_XLA_SYS_URL_MIRROR", &base)]))
        .resolve("demo", TARGET)
        .unwrap();
    assert!(matches!(resolved.origin, Origin::Download { .. }));
    assert_eq!(std::fs::read(resolved.path).unwrap(), payload);
    assert_eq!(mirror.requests("/mirror/demo.tar.gz"), 1);
}

#[test]
fn a_mirror_directory_is_read_as_a_file_url() {
    let payload = noise(50_000);
    let archive = tar_gz(MEMBER, &payload);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("demo.tar.gz"), &archive).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let manifest = manifest(&url_artifact(UNREACHABLE, &archive, Some(MEMBER)));
    let base = format!("file://{}", dir.path().display());
    let resolved = Resolver::new(&manifest, env(cache.path(), &[("RYFT_XLA_SYS_URL_MIRROR", &base)]))
        .resolve("demo", TARGET)
        .unwrap();
    assert_eq!(std::fs::read(&resolved.path).unwrap(), payload);

    assert!(matches!(&resolved.origin, Origin::Download { source } if source.contains("via mirror file://")));

    // A corrupt mirror is caught by the checksum, like any download.
    let mut tampered = archive.clone();
    tampered[100] ^= 0xff;
    std::fs::write(dir.path().join("demo.tar.gz"), tampered).unwrap();
    let other_cache = tempfile::tempdir().unwrap();
    let error = Resolver::new(&manifest, env(other_cache.path(), &[("RYFT_XLA_SYS_URL_MIRROR", &base)]))
        .resolve("demo", TARGET)
        .unwrap_err()
        .to_string();
    assert!(error.contains("checksum mismatch"), "{error}");
}

#[test]
fn url_sources_go_through_the_proxy_unless_no_proxy_names_the_host() {
    let origin = FakeHttpServer::start();
    let proxy = FakeHttpServer::start();
    let payload = noise(40_000);
    let archive = tar_gz(MEMBER, &payload);
    origin.set("/demo.tar.gz", Behavior::Serve(archive.clone()));
    let manifest = manifest(&url_artifact(&origin.url("/demo.tar.gz"), &archive, Some(MEMBER)));

    let cache = tempfile::tempdir().unwrap();
    let through = Resolver::new(&manifest, env(cache.path(), &[("HTTP_PROXY", &proxy.address())]))
        .resolve("demo", TARGET)
        .unwrap();
    assert_eq!(std::fs::read(through.path).unwrap(), payload);
    assert_eq!(proxy.tunnels(), 1, "the download went through the proxy");
    assert_eq!(origin.requests("/demo.tar.gz"), 1);

    let cache = tempfile::tempdir().unwrap();
    Resolver::new(&manifest, env(cache.path(), &[("HTTP_PROXY", &proxy.address()), ("NO_PROXY", "127.0.0.1")]))
        .resolve("demo", TARGET)
        .unwrap();
    assert_eq!(proxy.tunnels(), 1, "NO_PROXY bypassed the proxy");
    assert_eq!(origin.requests("/demo.tar.gz"), 2);
}

#[test]
fn real_pip_resolves_from_a_find_links_mirror_without_an_index() {
    // Fill a local wheel directory once (real pip, real index), then resolve from it alone.
    let wheels = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("python3")
        .args(["-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "--dest"])
        .arg(wheels.path())
        .arg("six==1.16.0")
        .status()
        .unwrap();
    assert!(status.success());
    let six = manifest(
        "[artifact.demo]\ndescription = \"a tiny real wheel\"\nkind = \"headers\"\nenv = \"DEMO_LIB\"\n\
         [[artifact.demo.source]]\ntargets = [\"*\"]\npypi = \"six\"\nversion = \"1.16.0\"\n\
         file = \"six-1.16.0-py2.py3-none-any.whl\"\n\
         sha256 = \"8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254\"\nsize = 11053\nmember = \"six.py\"\n",
    );
    let cache = tempfile::tempdir().unwrap();
    let links = wheels.path().to_str().unwrap();
    // A dead index proves pip did not fall back to the network: `--no-index` goes with find-links.
    let extra = [("RYFT_XLA_SYS_PIP_FIND_LINKS", links), ("PIP_INDEX_URL", "http://127.0.0.1:9/simple")];
    let resolved = Resolver::new(&six, env(cache.path(), &extra)).resolve("demo", TARGET).unwrap();
    assert!(resolved.path.ends_with("six.py"));

    // An index mirror that is down fails with pip's words, naming the index.
    let cache = tempfile::tempdir().unwrap();
    let dead = [("RYFT_XLA_SYS_PIP_INDEX_URL", "http://127.0.0.1:9/simple"), ("PIP_RETRIES", "0")];
    let error = Resolver::new(&six, env(cache.path(), &dead)).resolve("demo", TARGET).unwrap_err().to_string();
    assert!(error.contains("--index-url http://127.0.0.1:9/simple"), "{error}");
}
