//! The `run_program` example as users run it (the binary `cargo test` builds with the examples),
//! on the real CPU plugin: text and portable-artifact programs, several outputs, bf16, and errors
//! reported with the plugin's own message.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pjrt_sys::PJRT_Buffer_Type as T;
use support::*;

#[path = "../examples/run_program/npy.rs"]
#[allow(dead_code)]
mod npy;

/// The example binary, built next to this test by `cargo test`.
fn run_program() -> PathBuf {
    let dir = std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().to_owned();
    let binary = dir.join("examples").join(format!("run_program{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.is_file(), "{} is missing: `cargo test` builds the examples", binary.display());
    binary
}

fn run(dir: &Path, program: &str, inputs: &[&str]) -> Output {
    Command::new(run_program())
        .args(["--plugin", "cpu", program])
        .args(inputs)
        .args(["--out", "out"])
        .current_dir(dir)
        .output()
        .unwrap()
}

fn f32_array(shape: &[i64], values: &[f32]) -> npy::Array {
    npy::Array {
        element_type: T::PJRT_Buffer_Type_F32,
        shape: shape.to_vec(),
        data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
    }
}

fn f32s(array: &npy::Array) -> Vec<f32> {
    array.data.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn text_and_portable_programs_run_with_npy_in_and_out() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("three.mlir"), xla_test_support::programs::THREE_OUTPUTS).unwrap();
    npy::write(&dir.path().join("a.npy"), &f32_array(&[2, 2], &[1.0, 5.0, 3.0, 4.0])).unwrap();
    npy::write(&dir.path().join("b.npy"), &f32_array(&[2, 2], &[2.0, 2.0, 3.0, 8.0])).unwrap();
    // The same program as a portable artifact, serialized here for the library's minimum version.
    let ctx = Context::new();
    let module = parse_module(ctx.0, xla_test_support::programs::THREE_OUTPUTS.as_bytes());
    let artifact = serialize(module.0, &version(stablehloGetMinimumVersion)).unwrap();
    std::fs::write(dir.path().join("three.mlirbc"), artifact).unwrap();

    for program in ["three.mlir", "three.mlirbc"] {
        let output = run(dir.path(), program, &["a.npy", "b.npy"]);
        assert!(output.status.success(), "{program}: {}", stderr(&output));
        let out = |i: usize| npy::read(&dir.path().join(format!("out/out{i}.npy"))).unwrap();
        let (sum, total, less) = (out(0), out(1), out(2));
        assert_eq!((sum.element_type, sum.shape.as_slice()), (T::PJRT_Buffer_Type_F32, &[2, 2][..]));
        assert_eq!(f32s(&sum), [3.0, 7.0, 6.0, 12.0]);
        assert_eq!((total.element_type, total.shape.as_slice()), (T::PJRT_Buffer_Type_F32, &[][..]));
        assert_eq!(f32s(&total), [2.0 + 10.0 + 9.0 + 32.0]);
        assert_eq!((less.element_type, less.shape.as_slice()), (T::PJRT_Buffer_Type_PRED, &[2, 2][..]));
        assert_eq!(less.data, [1, 0, 0, 1]);
        std::fs::remove_dir_all(dir.path().join("out")).unwrap();
    }
}

#[test]
fn bf16_is_read_and_written_as_ml_dtypes_does() {
    let dir = tempfile::tempdir().unwrap();
    let program = "func.func @main(%a: tensor<3xbf16>) -> tensor<3xbf16> {\n  %0 = stablehlo.add %a, %a : tensor<3xbf16>\n  return %0 : tensor<3xbf16>\n}\n";
    std::fs::write(dir.path().join("double.mlir"), program).unwrap();
    // 1.0, 2.0, -3.0 as bf16 bits.
    let input = npy::Array {
        element_type: T::PJRT_Buffer_Type_BF16,
        shape: vec![3],
        data: [0x3f80u16, 0x4000, 0xc040].iter().flat_map(|v| v.to_le_bytes()).collect(),
    };
    npy::write(&dir.path().join("x.npy"), &input).unwrap();
    let output = run(dir.path(), "double.mlir", &["x.npy"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let header = std::fs::read(dir.path().join("out/out0.npy")).unwrap();
    assert!(String::from_utf8_lossy(&header).contains("'descr': '<V2'"));
    let out = npy::read(&dir.path().join("out/out0.npy")).unwrap();
    let bits: Vec<u16> = out.data.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    assert_eq!(bits, [0x4000, 0x4080, 0xc0c0], "2.0, 4.0, -6.0");
}

#[test]
fn errors_exit_non_zero_with_the_plugins_message() {
    let dir = tempfile::tempdir().unwrap();
    let custom = "func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {\n  %0 = stablehlo.custom_call @ryft_missing_kernel(%a) : (tensor<4xf32>) -> tensor<4xf32>\n  return %0 : tensor<4xf32>\n}\n";
    std::fs::write(dir.path().join("custom.mlir"), custom).unwrap();
    std::fs::write(dir.path().join("add.mlir"), xla_test_support::programs::ADD_F32_4).unwrap();
    npy::write(&dir.path().join("v.npy"), &f32_array(&[4], &[1.0, 2.0, 3.0, 4.0])).unwrap();

    let missing = run(dir.path(), "custom.mlir", &["v.npy"]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("ryft_missing_kernel"), "the custom call is named: {}", stderr(&missing));

    let arity = run(dir.path(), "add.mlir", &["v.npy"]);
    assert!(!arity.status.success());
    assert!(stderr(&arity).contains("expected 2"), "{}", stderr(&arity));

    let not_a_plugin = Command::new(run_program())
        .args(["--plugin", "/etc/hostname", "add.mlir", "v.npy", "v.npy", "--out", "out"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!not_a_plugin.status.success());
    assert!(stderr(&not_a_plugin).contains("not a PJRT plugin"), "{}", stderr(&not_a_plugin));
}
