//! End to end, against the real linked library and the release set's real CPU plugin: the
//! program built through the C API, serialized as portable artifacts (for the current and the
//! minimum StableHLO version) and as text, compiles and runs on the CPU, and computes what Rust
//! computes.

mod support;

use pjrt_sys::PJRT_Buffer_Type;
use support::*;
use xla_test_support::fixtures::cpu_plugin;
use xla_test_support::pjrt::{Client, SINGLE_DEVICE_COMPILE_OPTIONS};

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_ne_bytes()).collect()
}

#[test]
fn the_built_program_runs_on_the_cpu_plugin() {
    let ctx = Context::new();
    let module = build_program(ctx.0);
    let current = version(stablehloGetCurrentVersion);
    let minimum = version(stablehloGetMinimumVersion);
    let programs = [
        (format!("portable artifact for {current}"), serialize(module.0, &current).expect("serializes")),
        (format!("portable artifact for {minimum}"), serialize(module.0, &minimum).expect("serializes")),
        ("MLIR text".to_owned(), print_module(module.0).into_bytes()),
    ];

    let (lhs, rhs, bias) = program_inputs();
    let expected = program_expected(&lhs, &rhs, &bias);
    let client = Client::new(cpu_plugin()).expect("a CPU client");
    let device = client.addressable_devices().expect("devices").into_iter().next().expect("one CPU device");
    let f32_type = PJRT_Buffer_Type::PJRT_Buffer_Type_F32;
    let (m, k, n) = (M as i64, K as i64, N as i64);
    let inputs = [
        client.buffer_from_host(&f32_bytes(&lhs), f32_type, &[m, k], &device).unwrap(),
        client.buffer_from_host(&f32_bytes(&rhs), f32_type, &[k, n], &device).unwrap(),
        client.buffer_from_host(&f32_bytes(&bias), f32_type, &[m, n], &device).unwrap(),
    ];
    for (what, code) in &programs {
        let executable = client
            .compile(code, "mlir", SINGLE_DEVICE_COMPILE_OPTIONS)
            .unwrap_or_else(|e| panic!("the CPU plugin does not compile the {what}: {e:?}"));
        let outputs = executable.execute_on(&device, &inputs.iter().collect::<Vec<_>>(), &[]).unwrap();
        assert_eq!(outputs.len(), 1, "{what}");
        assert_eq!(outputs[0].element_type().unwrap(), f32_type, "{what}");
        assert_eq!(outputs[0].dimensions().unwrap(), [m], "{what}");
        let got: Vec<f32> =
            outputs[0].to_host().unwrap().chunks_exact(4).map(|c| f32::from_ne_bytes(c.try_into().unwrap())).collect();
        for (g, e) in got.iter().zip(&expected) {
            assert!((g - e).abs() <= 1e-4 * e.abs().max(1.0), "{what}: got {got:?}, expected {expected:?}");
        }
    }
}
