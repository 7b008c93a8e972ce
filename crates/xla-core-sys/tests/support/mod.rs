//! What the real-library tests share: a context with the dialects loaded, strings in and out of
//! the C API, and the test program built operation by operation through the C API.

#![allow(dead_code)]

use std::ffi::c_void;

use xla_core_sys::*;

/// An MLIR context with `func`, StableHLO, CHLO and Shardy loaded; destroyed on drop.
pub struct Context(pub MlirContext);

impl Context {
    pub fn new() -> Self {
        // SAFETY: creating a context has no precondition; the handles are the library's dialects,
        // registered and loaded into the context just created.
        unsafe {
            let ctx = mlirContextCreate();
            for handle in [
                mlirGetDialectHandle__func__(),
                mlirGetDialectHandle__stablehlo__(),
                mlirGetDialectHandle__chlo__(),
                mlirGetDialectHandle__sdy__(),
            ] {
                mlirDialectHandleRegisterDialect(handle, ctx);
                mlirDialectHandleLoadDialect(handle, ctx);
            }
            Self(ctx)
        }
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        // SAFETY: the context was created by `Context::new` and is destroyed once; modules made in
        // it are destroyed before (tests drop them first).
        unsafe { mlirContextDestroy(self.0) }
    }
}

/// A module, destroyed on drop (before its context: declare it after the context).
pub struct Module(pub MlirModule);

impl Drop for Module {
    fn drop(&mut self) {
        if !mlirModuleIsNull(self.0) {
            // SAFETY: the module is owned by this value and destroyed once.
            unsafe { mlirModuleDestroy(self.0) }
        }
    }
}

/// A string reference to `text`, valid while `text` is.
pub fn s(text: &str) -> MlirStringRef {
    mlirStringRefCreate(text.as_ptr().cast(), text.len())
}

/// Parses `source` (MLIR text or bytecode) into a module of `ctx`, null when it does not parse.
///
/// MLIR's lexer finds the end of text by a NUL byte just past it (the convention of LLVM's memory
/// buffers), which `mlirModuleCreateParse` does not add: without one it reads past the end. The
/// source is copied with a NUL after it, outside the string reference's length.
pub fn parse_module(ctx: MlirContext, source: &[u8]) -> Module {
    let mut terminated = source.to_vec();
    terminated.push(0);
    // SAFETY: the reference covers `source`'s bytes, followed by a NUL; the module returned is
    // owned by the `Module`.
    Module(unsafe { mlirModuleCreateParse(ctx, mlirStringRefCreate(terminated.as_ptr().cast(), source.len())) })
}

/// The bytes of a string the library owns.
///
/// # Safety
///
/// `r` points to `r.length` readable bytes (or is empty).
pub unsafe fn bytes_of(r: MlirStringRef) -> Vec<u8> {
    if r.length == 0 {
        return Vec::new();
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts(r.data.cast::<u8>(), r.length) }.to_vec()
}

/// An `MlirStringCallback` that appends each piece to the `Vec<u8>` behind `user`.
///
/// # Safety
///
/// `user` is a `*mut Vec<u8>` valid for the call, and `piece` is a readable string.
pub unsafe extern "C" fn append(piece: MlirStringRef, user: *mut c_void) {
    // SAFETY: guaranteed by the caller (the library, called by `collect`).
    unsafe { (*user.cast::<Vec<u8>>()).extend_from_slice(&bytes_of(piece)) }
}

/// Runs `call` with [`append`] and a buffer, returning what the library wrote into it.
pub fn collect(call: impl FnOnce(MlirStringCallback, *mut c_void)) -> Vec<u8> {
    let mut out = Vec::new();
    call(Some(append), (&raw mut out).cast());
    out
}

/// The text the library writes through a callback.
pub fn text(call: impl FnOnce(MlirStringCallback, *mut c_void)) -> String {
    String::from_utf8(collect(call)).expect("the library writes UTF-8 text")
}

/// An operation, printed.
pub fn print_operation(op: MlirOperation) -> String {
    // SAFETY: `op` is a live operation; `collect` gives the callback a valid buffer.
    text(|cb, user| unsafe { mlirOperationPrint(op, cb, user) })
}

/// A module, printed.
pub fn print_module(module: MlirModule) -> String {
    // SAFETY: `module` is a live module.
    print_operation(unsafe { mlirModuleGetOperation(module) })
}

/// `tensor<dims x f32>` in `ctx`.
pub fn f32_tensor(ctx: MlirContext, dims: &[i64]) -> MlirType {
    // SAFETY: `dims` outlives the call; a null encoding means none.
    unsafe {
        mlirRankedTensorTypeGet(dims.len() as isize, dims.as_ptr(), mlirF32TypeGet(ctx), MlirAttribute::default())
    }
}

/// A named attribute `name = value`.
pub fn named(ctx: MlirContext, name: &str, value: MlirAttribute) -> MlirNamedAttribute {
    // SAFETY: the identifier is uniqued in `ctx`, which copies `name`.
    unsafe { mlirNamedAttributeGet(mlirIdentifierGet(ctx, s(name)), value) }
}

/// What an operation is made of, for [`create_operation`].
#[derive(Default)]
pub struct OperationParts<'a> {
    pub operands: &'a [MlirValue],
    pub results: &'a [MlirType],
    pub attributes: &'a [MlirNamedAttribute],
    pub regions: Vec<MlirRegion>,
}

/// Creates operation `name` at `loc` and appends it to `block`.
pub fn create_operation(block: MlirBlock, name: &str, loc: MlirLocation, parts: OperationParts) -> MlirOperation {
    let OperationParts { operands, results, attributes, mut regions } = parts;
    // SAFETY: the state is filled from slices that outlive `mlirOperationCreate`, which copies
    // them; the regions are owned by the new operation, and the operation by `block`.
    unsafe {
        let mut state = mlirOperationStateGet(s(name), loc);
        mlirOperationStateAddOperands(&mut state, operands.len() as isize, operands.as_ptr());
        mlirOperationStateAddResults(&mut state, results.len() as isize, results.as_ptr());
        mlirOperationStateAddAttributes(&mut state, attributes.len() as isize, attributes.as_ptr());
        mlirOperationStateAddOwnedRegions(&mut state, regions.len() as isize, regions.as_mut_ptr());
        let op = mlirOperationCreate(&mut state);
        assert!(!mlirOperationIsNull(op), "{name} was not created");
        mlirBlockAppendOwnedOperation(block, op);
        op
    }
}

/// A region holding one block with arguments of `types`, and that block.
pub fn region_with_block(ctx: MlirContext, types: &[MlirType]) -> (MlirRegion, MlirBlock) {
    // SAFETY: one location per argument; the block becomes the region's.
    unsafe {
        let locations = vec![mlirLocationUnknownGet(ctx); types.len()];
        let region = mlirRegionCreate();
        let block = mlirBlockCreate(types.len() as isize, types.as_ptr(), locations.as_ptr());
        mlirRegionAppendOwnedBlock(region, block);
        (region, block)
    }
}

/// Result `index` of `op`.
pub fn result(op: MlirOperation, index: isize) -> MlirValue {
    // SAFETY: tests ask only for results their operations have.
    unsafe { mlirOperationGetResult(op, index) }
}

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

/// The StableHLO version the library reports through `call`.
pub fn version(call: unsafe extern "C" fn(MlirStringCallback, *mut c_void)) -> String {
    // SAFETY: `collect` gives the callback a valid buffer.
    text(|cb, user| unsafe { call(cb, user) })
}

/// Serializes `module` as a portable artifact for `target`, or `None` when the library refuses.
pub fn serialize(module: MlirModule, target: &str) -> Option<Vec<u8>> {
    let mut ok = false;
    let bytes = collect(|cb, user| {
        // SAFETY: `module` is live; `target` outlives the call.
        ok = unsafe {
            mlirLogicalResultIsSuccess(stablehloSerializePortableArtifactFromModule(module, s(target), cb, user))
        }
    });
    ok.then_some(bytes)
}
