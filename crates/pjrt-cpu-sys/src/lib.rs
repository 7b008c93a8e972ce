//! The PJRT CPU plugin of the ryft-xla-sys release set.
//!
//! The build resolves the plugin through `artifacts.toml` (override `PJRT_PLUGIN_CPU_LIB`, the
//! cache, a vendor directory, or pip); at run time [`load`] finds it in this order: an explicit
//! path ([`load_from`]), `PJRT_PLUGIN_CPU_LIB`, the build-time path, the executable's directory.
//!
//! ```no_run
//! let plugin = pjrt_cpu_sys::load()?;
//! println!("PJRT C API {}", plugin.version());
//! # Ok::<(), pjrt_sys::LoadError>(())
//! ```

pjrt_sys::plugin_crate!("pjrt-cpu");
