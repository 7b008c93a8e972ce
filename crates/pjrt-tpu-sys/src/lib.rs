//! The PJRT TPU plugin (libtpu) of the ryft-xla-sys release set.
//!
//! Linux x86_64. On a machine that is not a Cloud TPU VM, libtpu's initialization (run by [`load`])
//! and its client creation query the cloud metadata server and retry for minutes when it does not
//! answer; set `TPU_SKIP_MDS_QUERY=1` there so that loading returns at once.
//!
//! The build resolves the plugin through `artifacts.toml` (override `PJRT_PLUGIN_TPU_LIB`, the cache, a vendor
//! directory, or its source); at run time [`load`] finds it in this order: an explicit path
//! ([`load_from`]), `PJRT_PLUGIN_TPU_LIB`, the build-time path, the executable's directory.
//!
//! ```no_run
//! let plugin = pjrt_tpu_sys::load()?;
//! println!("PJRT C API {}", plugin.version());
//! # Ok::<(), pjrt_sys::LoadError>(())
//! ```

pjrt_sys::plugin_crate!("pjrt-tpu");
