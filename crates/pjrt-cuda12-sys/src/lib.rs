//! The PJRT CUDA 12 plugin of the ryft-xla-sys release set.
//!
//! Linux x86_64 and aarch64. The plugin loads its CUDA libraries at run time, relative to itself (the layout of a Python site-packages with the `nvidia-*` wheels) or from the system: see the README's CUDA section. With the `cuda-runtime` feature,
//! the build lays the release set's `nvidia-*` wheels out beside the plugin, so that only the NVIDIA
//! driver is needed.
//!
//! The build resolves the plugin through `artifacts.toml` (override `PJRT_PLUGIN_CUDA_12_LIB`, the cache, a vendor
//! directory, or its source); at run time [`load`] finds it in this order: an explicit path
//! ([`load_from`]), `PJRT_PLUGIN_CUDA_12_LIB`, the build-time path, the executable's directory.
//!
//! ```no_run
//! let plugin = pjrt_cuda12_sys::load()?;
//! println!("PJRT C API {}", plugin.version());
//! # Ok::<(), pjrt_sys::LoadError>(())
//! ```

pjrt_sys::plugin_crate!("pjrt-cuda12");
