//! The PJRT AWS Neuron plugin (libneuronxla) of the ryft-xla-sys release set.
//!
//! Linux x86_64. libneuronxla is published on AWS's own pip index; it needs the Neuron runtime (libnrt) and compiler installed.
//!
//! The build resolves the plugin through `artifacts.toml` (override `PJRT_PLUGIN_NEURON_LIB`, the cache, a vendor
//! directory, or its source); at run time [`load`] finds it in this order: an explicit path
//! ([`load_from`]), `PJRT_PLUGIN_NEURON_LIB`, the build-time path, the executable's directory.
//!
//! ```no_run
//! let plugin = pjrt_neuron_sys::load()?;
//! println!("PJRT C API {}", plugin.version());
//! # Ok::<(), pjrt_sys::LoadError>(())
//! ```

pjrt_sys::plugin_crate!("pjrt-neuron");
