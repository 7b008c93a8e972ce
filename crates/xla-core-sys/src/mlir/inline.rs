//! The `static inline` helpers of the `mlir-c` headers, in Rust: the headers define them, so no
//! library exports them, and C callers compile them in. Same names and semantics; the list is
//! `symbols::MLIR_INLINE`, which the symbol-contract test compares with this file.

use std::ffi::c_char;

use super::{
    MlirAffineExpr, MlirAffineMap, MlirAttribute, MlirBlock, MlirContext, MlirDialect, MlirDialectRegistry,
    MlirIntegerSet, MlirLocation, MlirLogicalResult, MlirModule, MlirOperation, MlirPassManager, MlirRegion,
    MlirStringRef, MlirSymbolTable, MlirType, MlirTypeID, MlirValue,
};

/// A string reference to `length` bytes at `str_`, which must outlive every use of it. MLIR
/// strings need not be NUL-terminated.
#[inline]
pub const fn mlirStringRefCreate(str_: *const c_char, length: usize) -> MlirStringRef {
    MlirStringRef { data: str_, length }
}

/// Whether `res` is a success.
#[inline]
pub const fn mlirLogicalResultIsSuccess(res: MlirLogicalResult) -> bool {
    res.value != 0
}

/// Whether `res` is a failure.
#[inline]
pub const fn mlirLogicalResultIsFailure(res: MlirLogicalResult) -> bool {
    res.value == 0
}

/// A logical result that is a success.
#[inline]
pub const fn mlirLogicalResultSuccess() -> MlirLogicalResult {
    MlirLogicalResult { value: 1 }
}

/// A logical result that is a failure.
#[inline]
pub const fn mlirLogicalResultFailure() -> MlirLogicalResult {
    MlirLogicalResult { value: 0 }
}

macro_rules! is_null {
    ($($name:ident($handle:ident: $ty:ty);)*) => {$(
        #[doc = concat!("Whether `", stringify!($handle), "` is a null `", stringify!($ty), "` (points to nothing).")]
        #[inline]
        pub const fn $name($handle: $ty) -> bool {
            $handle.ptr.is_null()
        }
    )*};
}

is_null! {
    mlirAffineExprIsNull(affineExpr: MlirAffineExpr);
    mlirAffineMapIsNull(affineMap: MlirAffineMap);
    mlirAttributeIsNull(attr: MlirAttribute);
    mlirBlockIsNull(block: MlirBlock);
    mlirContextIsNull(context: MlirContext);
    mlirDialectIsNull(dialect: MlirDialect);
    mlirDialectRegistryIsNull(registry: MlirDialectRegistry);
    mlirIntegerSetIsNull(set: MlirIntegerSet);
    mlirLocationIsNull(location: MlirLocation);
    mlirModuleIsNull(module: MlirModule);
    mlirOperationIsNull(op: MlirOperation);
    mlirPassManagerIsNull(passManager: MlirPassManager);
    mlirRegionIsNull(region: MlirRegion);
    mlirSymbolTableIsNull(symbolTable: MlirSymbolTable);
    mlirTypeIDIsNull(typeID: MlirTypeID);
    mlirTypeIsNull(type_: MlirType);
    mlirValueIsNull(value: MlirValue);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_results_round_trip() {
        assert!(mlirLogicalResultIsSuccess(mlirLogicalResultSuccess()));
        assert!(!mlirLogicalResultIsFailure(mlirLogicalResultSuccess()));
        assert!(mlirLogicalResultIsFailure(mlirLogicalResultFailure()));
        // C's rule: any non-zero value is a success.
        assert!(mlirLogicalResultIsSuccess(MlirLogicalResult { value: -3 }));
    }

    #[test]
    fn null_handles_are_null_and_others_are_not() {
        assert!(mlirContextIsNull(MlirContext { ptr: std::ptr::null_mut() }));
        let mut byte = 0u8;
        assert!(!mlirContextIsNull(MlirContext { ptr: (&raw mut byte).cast() }));
        assert!(mlirTypeIsNull(MlirType { ptr: std::ptr::null() }));
    }

    #[test]
    fn string_refs_keep_pointer_and_length() {
        let text = "abc";
        let s = mlirStringRefCreate(text.as_ptr().cast(), 2);
        assert_eq!((s.data.cast::<u8>(), s.length), (text.as_ptr(), 2));
    }
}
