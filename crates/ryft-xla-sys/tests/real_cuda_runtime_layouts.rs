//! The `cuda-runtime` layouts with the release set's real `nvidia-*` wheels (about 2 GB per CUDA
//! version, fetched once into the cache): every library the plugin opens at run time is where the
//! plugin's own search path (its RPATH, `$ORIGIN` expanded) looks, and loads there with its own
//! dependencies; `ptxas` and libdevice are where XLA looks for a CUDA root beside the plugin.
//!
//! What cannot be checked here: the plugin using them, which needs an NVIDIA GPU and driver
//! (`libcuda.so.1`); the GPU machine's checks cover that when one is lent.

use std::path::{Path, PathBuf};

use xla_artifacts::{Env, Manifest, Resolver, library};
use xla_test_support::fixtures::TARGET;

fn layout(artifact: &str) -> PathBuf {
    let manifest = Manifest::embedded().unwrap();
    Resolver::new(manifest, Env::process()).resolve_with_runtime(artifact, TARGET).unwrap().path
}

/// Checks the layout of `artifact`: returns the directory XLA takes as the CUDA root.
fn check(artifact: &str) {
    let manifest = Manifest::embedded().unwrap();
    let plugin = layout(artifact);
    let search = library::search_paths(&plugin).unwrap();
    assert!(!search.is_empty(), "{artifact} has no RPATH");
    for need in &manifest.artifact(artifact).unwrap().needs {
        if need == "libcuda.so.1" {
            continue; // The NVIDIA driver's, never a wheel's.
        }
        let found = search.iter().map(|dir| dir.join(need)).find(|p| p.exists());
        let found = found.unwrap_or_else(|| panic!("{artifact}: {need} is not on the plugin's search path {search:?}"));
        load(&found);
    }
}

/// Loads a library by path, as the plugin would, so that its own dependencies resolve too.
fn load(path: &Path) {
    // SAFETY: loading a CUDA runtime library runs its initializers, which touch no GPU; it is
    // never unloaded while the test runs (the handle is leaked).
    match unsafe { libloading::Library::new(path) } {
        Ok(library) => std::mem::forget(library),
        Err(error) => {
            let text = std::error::Error::source(&error).map_or_else(|| error.to_string(), |s| s.to_string());
            // Some libraries link the driver itself: that one is the machine's to provide.
            assert!(text.contains("libcuda.so.1"), "{} does not load: {text}", path.display());
        }
    }
}

#[test]
fn real_cuda_13_runtime_is_where_the_plugin_looks() {
    check("pjrt-cuda13");
    let plugin = layout("pjrt-cuda13");
    let root = plugin.parent().unwrap().join("../../nvidia/cu13");
    assert!(root.join("bin/ptxas").is_file(), "ptxas under {}", root.display());
    assert!(root.join("nvvm/libdevice/libdevice.10.bc").is_file(), "libdevice under {}", root.display());
    use std::os::unix::fs::PermissionsExt;
    assert!(std::fs::metadata(root.join("bin/ptxas")).unwrap().permissions().mode() & 0o111 != 0, "ptxas runs");
}

#[test]
fn real_cuda_12_runtime_is_where_the_plugin_looks() {
    // CUDA 12's plugin does not search nvidia/cuda_nvrtc/lib: the layout links nvrtc where it does.
    check("pjrt-cuda12");
    let plugin = layout("pjrt-cuda12");
    let root = plugin.parent().unwrap().join("../../nvidia/cuda_nvcc");
    assert!(root.join("bin/ptxas").is_file(), "ptxas under {}", root.display());
    assert!(root.join("nvvm/libdevice/libdevice.10.bc").is_file(), "libdevice under {}", root.display());
}
