//! The release set's CUDA 12 plugin, as this crate resolved it. On a machine without an NVIDIA GPU
//! it loads (it opens its CUDA libraries only when a client is created) and client creation fails
//! with the plugin's own words; with a GPU, the client lists it.

xla_test_support::cuda_plugin_tests!(pjrt_cuda12_sys, "xla_cuda12");
