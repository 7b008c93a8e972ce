//! The PJRT Metal plugin (Apple GPUs) of the ryft-xla-sys release set.
//!
//! macOS on Apple silicon only (aarch64-apple-darwin); jax-metal 0.1.1 is its only release.
//!
//! The build resolves the plugin through `artifacts.toml` (override `PJRT_PLUGIN_METAL_LIB`, the cache, a vendor
//! directory, or its source); at run time [`load`] finds it in this order: an explicit path
//! ([`load_from`]), `PJRT_PLUGIN_METAL_LIB`, the build-time path, the executable's directory.
//!
//! ```no_run
//! let plugin = pjrt_metal_sys::load()?;
//! println!("PJRT C API {}", plugin.version());
//! # Ok::<(), pjrt_sys::LoadError>(())
//! ```

pjrt_sys::plugin_crate!("pjrt-metal");
