//! The quickstart: build a small StableHLO program through the MLIR C API (no text parsed),
//! serialize it as a portable artifact the plugin can read, compile and run it on the release
//! set's CPU plugin, and print inputs and outputs.
//!
//! ```sh
//! cargo run --release --example quickstart
//! ```
//!
//! The program is one dense layer, `relu(x · w + b)`, on `x: f32[2,3]`, `w: f32[3,2]`,
//! `b: f32[2,2]`. The MLIR side uses xla-core-sys's raw bindings, through small helpers for
//! creating operations (`xla_test_support::mlir`); the PJRT side uses the workspace's small driver
//! over pjrt-sys (`xla_test_support::pjrt`): both are a few lines over the C APIs, in this
//! repository, to read and copy.

use std::process::ExitCode;

use pjrt_sys::PJRT_Buffer_Type;
use xla_core_sys::stablehlo::{portable_artifact_target, stablehloDotDimensionNumbersGet};
use xla_core_sys::*;
use xla_test_support::mlir::*;
use xla_test_support::pjrt::{self, Client, SINGLE_DEVICE_COMPILE_OPTIONS};

const X: [f32; 6] = [1.0, 2.0, 3.0, -1.0, 0.5, 2.0];
const W: [f32; 6] = [0.5, -1.0, 1.0, 0.25, -0.5, 2.0];
const B: [f32; 4] = [0.1, 0.2, -3.0, 0.4];

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("quickstart failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    // 1. The program, operation by operation.
    let ctx = Context::new();
    let module = dense_relu_layer(ctx.0);
    // SAFETY: the module is live; verification prints its own diagnostics on failure.
    if !unsafe { mlirOperationVerify(mlirModuleGetOperation(module.0)) } {
        return Err("the program does not verify".into());
    }
    println!("The program, built through the MLIR C API:\n{}", print_module(module.0));

    // 2. The plugin, and a portable artifact for the StableHLO version it reads.
    let plugin = pjrt_cpu_sys::load()?;
    println!("CPU plugin: {} (PJRT C API {})", plugin.path().display(), plugin.version());
    let reads = pjrt::stablehlo_current_version(plugin);
    let target = portable_artifact_target(reads);
    let artifact = serialize(module.0, &target).ok_or("the program cannot be serialized for its target")?;
    println!(
        "Portable artifact: {} bytes for StableHLO {target} (the plugin reads up to {}, this library writes up to {})",
        artifact.len(),
        reads.map_or("?".into(), |v| format!("{}.{}.{}", v[0], v[1], v[2])),
        version(stablehloGetCurrentVersion),
    );

    // 3. Compile, upload the inputs, run, download the output.
    let client = Client::new(plugin)?;
    let device = client.addressable_devices()?.into_iter().next().ok_or("the CPU client has no device")?;
    let executable = client.compile(&artifact, "mlir", SINGLE_DEVICE_COMPILE_OPTIONS)?;
    let f32 = PJRT_Buffer_Type::PJRT_Buffer_Type_F32;
    let inputs = [
        client.buffer_from_host(&bytes(&X), f32, &[2, 3], &device)?,
        client.buffer_from_host(&bytes(&W), f32, &[3, 2], &device)?,
        client.buffer_from_host(&bytes(&B), f32, &[2, 2], &device)?,
    ];
    let outputs = executable.execute_on(&device, &inputs.iter().collect::<Vec<_>>(), &[])?;
    let y = floats(&outputs[0].to_host()?);

    println!("\nx = {}", matrix(&X, 3));
    println!("w = {}", matrix(&W, 2));
    println!("b = {}", matrix(&B, 2));
    println!("relu(x · w + b) = {}", matrix(&y, 2));
    let expected = reference();
    if y.iter().zip(&expected).all(|(a, e)| (a - e).abs() <= 1e-5 * e.abs().max(1.0)) {
        println!("\nThe CPU plugin's result matches the same computation in Rust.");
        Ok(())
    } else {
        Err(format!("the plugin computed {y:?}, Rust computes {expected:?}").into())
    }
}

/// `relu(x · w + b)`, built through the C API:
///
/// ```text
/// func.func @main(%x: tensor<2x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2x2xf32>) -> tensor<2x2xf32> {
///   %0 = stablehlo.dot_general %x, %w, contracting_dims = [1] x [0]
///   %1 = stablehlo.add %0, %b
///   %2 = stablehlo.maximum %1, (stablehlo.constant dense<0.0>)
///   return %2
/// }
/// ```
fn dense_relu_layer(ctx: MlirContext) -> Module {
    // SAFETY: every handle passed below was just created in `ctx`; arrays outlive the calls.
    unsafe {
        let loc = mlirLocationFileLineColGet(ctx, s("quickstart.rs"), 1, 1);
        let module = mlirModuleCreateEmpty(loc);
        let (x_t, w_t, y_t) = (f32_tensor(ctx, &[2, 3]), f32_tensor(ctx, &[3, 2]), f32_tensor(ctx, &[2, 2]));
        let inputs = [x_t, w_t, y_t];
        let function_type = mlirFunctionTypeGet(ctx, 3, inputs.as_ptr(), 1, &y_t);
        let (body, entry) = region_with_block(ctx, &inputs);
        create_operation(
            mlirModuleGetBody(module),
            "func.func",
            loc,
            OperationParts {
                attributes: &[
                    named(ctx, "sym_name", mlirStringAttrGet(ctx, s("main"))),
                    named(ctx, "function_type", mlirTypeAttrGet(function_type)),
                ],
                regions: vec![body],
                ..Default::default()
            },
        );
        let (x, w, b) =
            (mlirBlockGetArgument(entry, 0), mlirBlockGetArgument(entry, 1), mlirBlockGetArgument(entry, 2));

        let (x_contracting, w_contracting) = ([1i64], [0i64]);
        let null = std::ptr::null();
        let dims = stablehloDotDimensionNumbersGet(
            ctx,
            0,
            null,
            0,
            null,
            1,
            x_contracting.as_ptr(),
            1,
            w_contracting.as_ptr(),
        );
        let op = |name: &str, operands: &[MlirValue], attributes: &[MlirNamedAttribute]| {
            let parts = OperationParts { operands, results: &[y_t], attributes, ..Default::default() };
            result(create_operation(entry, name, loc, parts), 0)
        };
        let product = op("stablehlo.dot_general", &[x, w], &[named(ctx, "dot_dimension_numbers", dims)]);
        let biased = op("stablehlo.add", &[product, b], &[]);
        let zero = op("stablehlo.constant", &[], &[named(ctx, "value", mlirDenseElementsAttrFloatSplatGet(y_t, 0.0))]);
        let relu = op("stablehlo.maximum", &[biased, zero], &[]);
        create_operation(entry, "func.return", loc, OperationParts { operands: &[relu], ..Default::default() });
        Module(module)
    }
}

/// The same layer in Rust.
fn reference() -> Vec<f32> {
    (0..2)
        .flat_map(|i| {
            (0..2).map(move |j| ((0..3).map(|k| X[i * 3 + k] * W[k * 2 + j]).sum::<f32>() + B[i * 2 + j]).max(0.0))
        })
        .collect()
}

fn bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_ne_bytes()).collect()
}

fn floats(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(4).map(|c| f32::from_ne_bytes(c.try_into().unwrap())).collect()
}

fn matrix(values: &[f32], columns: usize) -> String {
    let rows: Vec<String> = values
        .chunks(columns)
        .map(|row| format!("[{}]", row.iter().map(|v| format!("{v:7.3}")).collect::<Vec<_>>().join(", ")))
        .collect();
    format!("[{}]", rows.join(", "))
}
