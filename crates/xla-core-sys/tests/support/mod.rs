//! The test program of xla-core-sys's real-library tests, built operation by operation through
//! the C API, with its inputs and the result Rust computes for them.

#![allow(dead_code)]

pub use xla_core_sys::*;
pub use xla_test_support::mlir::*;

/// The shapes of the test program: `lhs: [M, K]`, `rhs: [K, N]`, `bias: [M, N]`, result `[M]`.
pub const M: usize = 2;
pub const K: usize = 3;
pub const N: usize = 4;

/// Builds, through the C API (no text parsed), the test program:
///
/// ```text
/// func.func @main(%lhs: tensor<MxKxf32>, %rhs: tensor<KxNxf32>, %bias: tensor<MxNxf32>) -> tensor<Mxf32> {
///   %0 = stablehlo.dot_general %lhs, %rhs, contracting_dims = [1] x [0]
///   %1 = stablehlo.add %0, %bias
///   %2 = stablehlo.reduce(%1 init: 0.0) across dimensions = [1], with a region adding its two arguments
///   return %2
/// }
/// ```
pub fn build_program(ctx: MlirContext) -> Module {
    let (m, k, n) = (M as i64, K as i64, N as i64);
    // SAFETY: every handle passed below was just created in `ctx`; arrays outlive the calls.
    unsafe {
        let loc = mlirLocationFileLineColGet(ctx, s("program.mlir"), 1, 1);
        let module = mlirModuleCreateEmpty(loc);
        let body = mlirModuleGetBody(module);

        let (lhs_t, rhs_t, mn_t, m_t, scalar_t) = (
            f32_tensor(ctx, &[m, k]),
            f32_tensor(ctx, &[k, n]),
            f32_tensor(ctx, &[m, n]),
            f32_tensor(ctx, &[m]),
            f32_tensor(ctx, &[]),
        );
        let inputs = [lhs_t, rhs_t, mn_t];
        let function_type = mlirFunctionTypeGet(ctx, inputs.len() as isize, inputs.as_ptr(), 1, &m_t);
        let (func_region, entry) = region_with_block(ctx, &inputs);
        create_operation(
            body,
            "func.func",
            loc,
            OperationParts {
                attributes: &[
                    named(ctx, "sym_name", mlirStringAttrGet(ctx, s("main"))),
                    named(ctx, "function_type", mlirTypeAttrGet(function_type)),
                ],
                regions: vec![func_region],
                ..Default::default()
            },
        );
        let (lhs, rhs, bias) =
            (mlirBlockGetArgument(entry, 0), mlirBlockGetArgument(entry, 1), mlirBlockGetArgument(entry, 2));

        let (lhs_contracting, rhs_contracting) = ([1i64], [0i64]);
        let dims = stablehloDotDimensionNumbersGet(
            ctx,
            0,
            std::ptr::null(),
            0,
            std::ptr::null(),
            1,
            lhs_contracting.as_ptr(),
            1,
            rhs_contracting.as_ptr(),
        );
        let dot = create_operation(
            entry,
            "stablehlo.dot_general",
            loc,
            OperationParts {
                operands: &[lhs, rhs],
                results: &[mn_t],
                attributes: &[named(ctx, "dot_dimension_numbers", dims)],
                ..Default::default()
            },
        );
        let add = create_operation(
            entry,
            "stablehlo.add",
            loc,
            OperationParts { operands: &[result(dot, 0), bias], results: &[mn_t], ..Default::default() },
        );
        let zero = create_operation(
            entry,
            "stablehlo.constant",
            loc,
            OperationParts {
                results: &[scalar_t],
                attributes: &[named(ctx, "value", mlirDenseElementsAttrFloatSplatGet(scalar_t, 0.0))],
                ..Default::default()
            },
        );

        let (reducer, reducer_block) = region_with_block(ctx, &[scalar_t, scalar_t]);
        let sum = create_operation(
            reducer_block,
            "stablehlo.add",
            loc,
            OperationParts {
                operands: &[mlirBlockGetArgument(reducer_block, 0), mlirBlockGetArgument(reducer_block, 1)],
                results: &[scalar_t],
                ..Default::default()
            },
        );
        create_operation(
            reducer_block,
            "stablehlo.return",
            loc,
            OperationParts { operands: &[result(sum, 0)], ..Default::default() },
        );
        let across = [1i64];
        let reduce = create_operation(
            entry,
            "stablehlo.reduce",
            loc,
            OperationParts {
                operands: &[result(add, 0), result(zero, 0)],
                results: &[m_t],
                attributes: &[named(ctx, "dimensions", mlirDenseI64ArrayGet(ctx, 1, across.as_ptr()))],
                regions: vec![reducer],
            },
        );
        create_operation(
            entry,
            "func.return",
            loc,
            OperationParts { operands: &[result(reduce, 0)], ..Default::default() },
        );
        Module(module)
    }
}

/// Inputs of the test program, varied enough that a wrong contraction, a missing bias or a
/// reduction over the wrong axis gives another result.
pub fn program_inputs() -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let lhs = (0..M * K).map(|i| i as f32 * 0.5 - 1.0).collect();
    let rhs = (0..K * N).map(|i| (i % 5) as f32 - 1.5).collect();
    let bias = (0..M * N).map(|i| i as f32 * 0.25).collect();
    (lhs, rhs, bias)
}

/// What the test program computes, in plain Rust: `sum_j (lhs · rhs + bias)[i, j]`.
pub fn program_expected(lhs: &[f32], rhs: &[f32], bias: &[f32]) -> Vec<f32> {
    (0..M)
        .map(|i| (0..N).map(|j| (0..K).map(|p| lhs[i * K + p] * rhs[p * N + j]).sum::<f32>() + bias[i * N + j]).sum())
        .collect()
}
