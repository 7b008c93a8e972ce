//! Building and reading MLIR through the C API, for the workspace's tests and examples: a
//! context with the dialects loaded, strings in and out of the C API, operations from their parts,
//! and StableHLO's version and serialization calls. (Feature `mlir`: links the XLA core library.)

use std::ffi::c_void;

use xla_core_sys::*;

/// An MLIR context with `func`, StableHLO, CHLO and Shardy loaded; destroyed on drop.
pub struct Context(
    /// The raw context.
    pub MlirContext,
);

impl Context {
    /// A fresh context with the dialects registered and loaded.
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

impl Default for Context {
    fn default() -> Self {
        Self::new()
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
pub struct Module(
    /// The raw module (may be null when parsing failed).
    pub MlirModule,
);

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
    /// The values it takes.
    pub operands: &'a [MlirValue],
    /// The types of the values it defines.
    pub results: &'a [MlirType],
    /// Its attributes.
    pub attributes: &'a [MlirNamedAttribute],
    /// Its regions, owned by the operation once created.
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
