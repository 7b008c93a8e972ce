//! XLA for Rust, raw: one dependency for the crates of ryft-xla-sys, each behind a feature and
//! re-exported as a module.
//!
//! | feature | module | crate |
//! |---|---|---|
//! | (always) | [`pjrt`] | `pjrt-sys`: the PJRT C API, plugin loading |
//! | `cpu` (default) | `cpu` | `pjrt-cpu-sys` |
//! | `cuda-12` | `cuda12` | `pjrt-cuda12-sys` (Linux) |
//! | `cuda-13` | `cuda13` | `pjrt-cuda13-sys` (Linux) |
//! | `rocm-7` | `rocm7` | `pjrt-rocm7-sys` (Linux) |
//! | `tpu` | `tpu` | `pjrt-tpu-sys` (Linux) |
//! | `neuron` | `neuron` | `pjrt-neuron-sys` (Linux) |
//! | `metal` | `metal` | `pjrt-metal-sys` (macOS arm64) |
//! | `core` | `xla_core` | `xla-core-sys`: MLIR, StableHLO, CHLO, Shardy C APIs |
//! | `distributed` | `xla_core::distributed` | `xla-core-sys` with XLA's distributed runtime (needs the XLA core archive) |
//! | `protos` | `protos` | `xla-protos`: XLA's protobuf messages |
//!
//! A plugin feature on a platform its plugin does not exist for adds nothing, so one feature list
//! serves every platform. Every plugin module has `load()`, `load_from(path)`, `plugin_path()` and
//! `build_time_path()`.

pub use pjrt_sys as pjrt;

#[cfg(feature = "cpu")]
pub use pjrt_cpu_sys as cpu;

#[cfg(all(feature = "cuda-12", target_os = "linux"))]
pub use pjrt_cuda12_sys as cuda12;

#[cfg(all(feature = "cuda-13", target_os = "linux"))]
pub use pjrt_cuda13_sys as cuda13;

#[cfg(all(feature = "rocm-7", target_os = "linux"))]
pub use pjrt_rocm7_sys as rocm7;

#[cfg(all(feature = "tpu", target_os = "linux"))]
pub use pjrt_tpu_sys as tpu;

#[cfg(all(feature = "neuron", target_os = "linux"))]
pub use pjrt_neuron_sys as neuron;

#[cfg(all(feature = "metal", target_os = "macos", target_arch = "aarch64"))]
pub use pjrt_metal_sys as metal;

#[cfg(feature = "core")]
pub use xla_core_sys as xla_core;

#[cfg(feature = "protos")]
pub use xla_protos as protos;
