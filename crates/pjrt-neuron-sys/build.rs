//! Resolves the PJRT AWS Neuron plugin (libneuronxla) (see xla-artifacts for the order and the variables).

fn main() {
    xla_artifacts::build::run(|build| build.expose("pjrt-neuron"));
}
