//! The PJRT ROCm 7 plugin of the ryft-xla-sys release set.
//!
//! Linux x86_64. The plugin links against the ROCm 7 libraries (librocprofiler-sdk, libamdhip64, librccl, hipBLASLt, MIOpen...), which must be installed.
//!
//! The build resolves the plugin through `artifacts.toml` (override `PJRT_PLUGIN_ROCM_7_LIB`, the cache, a vendor
//! directory, or its source); at run time [`load`] finds it in this order: an explicit path
//! ([`load_from`]), `PJRT_PLUGIN_ROCM_7_LIB`, the build-time path, the executable's directory.
//!
//! ```no_run
//! let plugin = pjrt_rocm7_sys::load()?;
//! println!("PJRT C API {}", plugin.version());
//! # Ok::<(), pjrt_sys::LoadError>(())
//! ```

pjrt_sys::plugin_crate!("pjrt-rocm7");
