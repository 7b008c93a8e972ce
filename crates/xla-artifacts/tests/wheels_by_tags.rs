//! Wheels found and fetched by tags before any checksum is pinned (`Resolver::wheel_versions`,
//! `Resolver::fetch_wheel`), through the real pip and a find-links directory of tiny wheels: no
//! network.

mod support;

use support::{TARGET, env, manifest, wheel};
use xla_artifacts::{Error, Origin, Resolver, Sha256Digest, WheelTags};

fn tags(platforms: &[&str]) -> WheelTags {
    WheelTags {
        python_version: "3".into(),
        implementation: "py".into(),
        abi: "none".into(),
        platforms: platforms.iter().map(|p| (*p).to_owned()).collect(),
    }
}

#[test]
fn lists_versions_by_tags_fetches_the_wheel_pip_picks_and_keeps_it_for_the_pin() {
    let links = tempfile::tempdir().unwrap();
    wheel(links.path(), "demo_pkg-1.0.0-py3-none-manylinux_2_27_x86_64.whl", &[("demo/lib.so", b"one")]);
    let two = wheel(links.path(), "demo_pkg-2.0.0-py3-none-manylinux_2_28_x86_64.whl", &[("demo/lib.so", b"two")]);
    wheel(links.path(), "demo_pkg-2.0.0-py3-none-macosx_11_0_arm64.whl", &[("demo/lib.dylib", b"mac")]);
    let cache = tempfile::tempdir().unwrap();
    let mirror = [("RYFT_XLA_SYS_PIP_FIND_LINKS", links.path().to_str().unwrap())];
    let empty = manifest("");
    let resolver = Resolver::new(&empty, env(cache.path(), &mirror));

    // Only versions with a wheel for the tags are listed.
    assert_eq!(resolver.wheel_versions("demo-pkg", &tags(&["manylinux_2_27_x86_64"])).unwrap(), ["1.0.0"]);
    let family = tags(&["manylinux_2_27_x86_64", "manylinux_2_28_x86_64"]);
    assert_eq!(resolver.wheel_versions("demo-pkg", &family).unwrap(), ["1.0.0", "2.0.0"]);
    assert_eq!(resolver.wheel_versions("no-such-pkg", &family).unwrap(), Vec::<String>::new());

    // The file is whichever pip picked; its checksum and size are computed, and it is kept.
    let fetched = resolver.fetch_wheel("demo-pkg", "2.0.0", &family).unwrap();
    assert_eq!(fetched.file, "demo_pkg-2.0.0-py3-none-manylinux_2_28_x86_64.whl");
    assert_eq!((fetched.sha256, fetched.size), (Sha256Digest::of(&two), two.len() as u64));
    assert_eq!(fetched.path, cache.path().join("v1/downloads").join(fetched.sha256.to_hex()).join(&fetched.file));
    assert_eq!(std::fs::read(&fetched.path).unwrap(), two);

    // Pinned with what was computed, it resolves from the kept download, with no mirror at all.
    let pinned = manifest(&format!(
        "[artifact.demo]\ndescription = \"demo\"\nkind = \"headers\"\nenv = \"DEMO_LIB\"\n\
         [[artifact.demo.source]]\ntargets = [\"{TARGET}\"]\npypi = \"demo-pkg\"\nversion = \"2.0.0\"\n\
         file = \"{}\"\nsha256 = \"{}\"\nsize = {}\nmember = \"demo/lib.so\"\n",
        fetched.file, fetched.sha256, fetched.size
    ));
    let offline = [("RYFT_XLA_SYS_OFFLINE", "1")];
    let resolved = Resolver::new(&pinned, env(cache.path(), &offline)).resolve("demo", TARGET).unwrap();
    assert_eq!(resolved.origin, Origin::Cache);
    assert_eq!(std::fs::read(&resolved.path).unwrap(), b"two");

    // A second fetch of the same wheel keeps one copy.
    let again = resolver.fetch_wheel("demo-pkg", "2.0.0", &family).unwrap();
    assert_eq!(again, fetched);
}

#[test]
fn an_unreadable_mirror_or_offline_mode_is_an_error_not_an_empty_listing() {
    let cache = tempfile::tempdir().unwrap();
    let missing = cache.path().join("no-such-dir");
    let mirror = [("RYFT_XLA_SYS_PIP_FIND_LINKS", missing.to_str().unwrap())];
    let empty = manifest("");
    let error =
        Resolver::new(&empty, env(cache.path(), &mirror)).wheel_versions("demo-pkg", &tags(&["any"])).unwrap_err();
    assert!(matches!(error, Error::PipFailed { .. }), "{error}");
    // An index that is down, with no retry to warn about it.
    let dead = [("RYFT_XLA_SYS_PIP_INDEX_URL", "http://127.0.0.1:9/simple"), ("PIP_RETRIES", "0")];
    let error =
        Resolver::new(&empty, env(cache.path(), &dead)).wheel_versions("demo-pkg", &tags(&["any"])).unwrap_err();
    assert!(error.to_string().contains("Could not fetch URL http://127.0.0.1:9/simple/demo-pkg/"), "{error}");

    let offline = [("RYFT_XLA_SYS_OFFLINE", "1")];
    let resolver = Resolver::new(&empty, env(cache.path(), &offline));
    assert!(matches!(resolver.wheel_versions("demo-pkg", &tags(&["any"])), Err(Error::Offline { .. })));
    assert!(matches!(resolver.fetch_wheel("demo-pkg", "1.0.0", &tags(&["any"])), Err(Error::Offline { .. })));
}
