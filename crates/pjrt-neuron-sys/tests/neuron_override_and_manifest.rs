//! The Neuron plugin cannot be fetched here (AWS's index is unreachable), so its manifest entry and
//! its override are tested with local files: a file in a vendor directory is checked against the
//! pinned checksum, and `PJRT_PLUGIN_NEURON_LIB` is obeyed at run time.

use xla_artifacts::{Env, Manifest, Resolver};

#[test]
fn the_manifest_entry_is_wired_to_a_checksum_and_a_member() {
    let manifest = Manifest::embedded().unwrap();
    let neuron = manifest.artifact("pjrt-neuron").unwrap();
    assert_eq!(neuron.env, "PJRT_PLUGIN_NEURON_LIB");
    assert_eq!(neuron.file_name("x86_64-unknown-linux-gnu").as_deref(), Some("libneuronpjrt.so"));

    // A local file named as the pinned wheel, in a vendor directory, offline: refused by checksum.
    let vendor = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let file = "libneuronxla-2.2.14584.0+06ac23d1-py3-none-linux_x86_64.whl";
    std::fs::write(vendor.path().join(file), b"not the wheel").unwrap();
    let env = Env::fixed([
        ("RYFT_XLA_SYS_CACHE_DIR", cache.path().as_os_str()),
        ("RYFT_XLA_SYS_VENDOR_DIR", vendor.path().as_os_str()),
        ("RYFT_XLA_SYS_OFFLINE", "1".as_ref()),
    ]);
    let error =
        Resolver::new(manifest, env).resolve("pjrt-neuron", "x86_64-unknown-linux-gnu").unwrap_err().to_string();
    assert!(error.contains("d1e594b27716bc59b937ccd8f40e7f2b74f6c309643e83dcf511b7ea392924f2"), "{error}");
    assert!(error.contains("checksum mismatch"), "{error}");
    assert!(error.contains("PJRT_PLUGIN_NEURON_LIB"), "{error}");
}

#[test]
fn the_override_variable_is_obeyed_at_run_time() {
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("libneuronpjrt.so");
    std::fs::write(&local, b"a local file standing in for the plugin").unwrap();
    // SAFETY: the only test in this binary that touches the environment runs before any reader.
    unsafe { std::env::set_var(pjrt_neuron_sys::ENV_VAR, &local) };
    assert_eq!(pjrt_neuron_sys::plugin_path().unwrap(), local);
    // Loading it tells it is not a plugin, naming the path.
    let error = pjrt_neuron_sys::load().unwrap_err().to_string();
    assert!(error.contains(&local.display().to_string()) && error.contains("not a PJRT plugin"), "{error}");
    // SAFETY: as above.
    unsafe { std::env::remove_var(pjrt_neuron_sys::ENV_VAR) };
}
