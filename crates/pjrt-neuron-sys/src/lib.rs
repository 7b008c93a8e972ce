//! The PJRT AWS Neuron plugin (libneuronxla): found and loaded at run time.
//!
//! Filled in by the issue that builds this crate; see the workspace README.
