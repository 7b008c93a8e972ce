//! The CHLO C API: the dialect handle and CHLO's attributes.
//!
//! CHLO ships no installable header, so these declarations are written by hand. They follow the
//! functions jaxlib 0.5.3's library exports (StableHLO 1.10.0), each checked against the
//! library's disassembly and by calling it; the symbol-contract test checks that the library
//! exports every one. Where they differ from other versions of `ChloAttributes.h`:
//!
//! - the enumerator getters are `...GetValue` (older headers call them
//!   `chloComparisonDirectionAttrGetDirection` and `chloComparisonTypeAttrGetType`);
//! - the ragged-dot and precision attributes exist (older headers lack them).
//!
//! CHLO has no pass-registration function of its own: `chlo-legalize-to-stablehlo` is registered
//! by [`mlirRegisterAllStablehloPasses`](crate::stablehlo::mlirRegisterAllStablehloPasses).
//!
//! Lists are read as a count (`...Size`) and one element at a time (`...Elem`, `pos` below the
//! count); attributes are owned by their context.

use crate::mlir::{MlirAttribute, MlirContext, MlirDialectHandle, MlirStringRef};

unsafe extern "C" {
    /// The CHLO dialect, to register in a registry or load into a context (namespace `chlo`).
    pub fn mlirGetDialectHandle__chlo__() -> MlirDialectHandle;

    /// Creates a CHLO comparison direction attribute in `ctx` from its name: `EQ`, `NE`, `GE`, `GT`,
    /// `LE` or `LT`.
    ///
    /// Any other name aborts the process (the library reports a fatal error): check it first.
    pub fn chloComparisonDirectionAttrGet(ctx: MlirContext, value: MlirStringRef) -> MlirAttribute;
    /// Whether `attr` is a comparison direction attribute.
    pub fn chloAttributeIsAComparisonDirectionAttr(attr: MlirAttribute) -> bool;
    /// The name of the enumerator `attr` holds, in static storage (valid for the whole process).
    pub fn chloComparisonDirectionAttrGetValue(attr: MlirAttribute) -> MlirStringRef;
    /// Creates a CHLO comparison type attribute in `ctx` from its name: `NOTYPE`, `FLOAT`,
    /// `TOTALORDER`, `SIGNED` or `UNSIGNED`.
    ///
    /// Any other name aborts the process (the library reports a fatal error): check it first.
    pub fn chloComparisonTypeAttrGet(ctx: MlirContext, value: MlirStringRef) -> MlirAttribute;
    /// Whether `attr` is a comparison type attribute.
    pub fn chloAttributeIsAComparisonTypeAttr(attr: MlirAttribute) -> bool;
    /// The name of the enumerator `attr` holds, in static storage (valid for the whole process).
    pub fn chloComparisonTypeAttrGetValue(attr: MlirAttribute) -> MlirStringRef;
    /// Creates a CHLO ragged-dot dimension numbers attribute in `ctx` from six lists of dimension
    /// indices, each given as a count and a pointer (which may be null when the count is 0).
    pub fn chloRaggedDotDimensionNumbersGet(
        ctx: MlirContext,
        nLhsBatchingDimensions: isize,
        lhsBatchingDimensions: *const i64,
        nRhsBatchingDimensions: isize,
        rhsBatchingDimensions: *const i64,
        nLhsContractingDimensions: isize,
        lhsContractingDimensions: *const i64,
        nRhsContractingDimensions: isize,
        rhsContractingDimensions: *const i64,
        nLhsRaggedDimensions: isize,
        lhsRaggedDimensions: *const i64,
        nRhsGroupDimensions: isize,
        rhsGroupDimensions: *const i64,
    ) -> MlirAttribute;
    /// Whether `attr` is a ragged dot dimension numbers attribute.
    pub fn chloAttributeIsARaggedDotDimensionNumbers(attr: MlirAttribute) -> bool;
    /// The number of lhs batching dimensions of ragged dot dimension numbers attribute `attr`.
    pub fn chloRaggedDotDimensionNumbersGetLhsBatchingDimensionsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the lhs batching dimensions of ragged dot dimension numbers attribute `attr`.
    pub fn chloRaggedDotDimensionNumbersGetLhsBatchingDimensionsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of rhs batching dimensions of ragged dot dimension numbers attribute `attr`.
    pub fn chloRaggedDotDimensionNumbersGetRhsBatchingDimensionsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the rhs batching dimensions of ragged dot dimension numbers attribute `attr`.
    pub fn chloRaggedDotDimensionNumbersGetRhsBatchingDimensionsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of lhs contracting dimensions of ragged dot dimension numbers attribute `attr`.
    pub fn chloRaggedDotDimensionNumbersGetLhsContractingDimensionsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the lhs contracting dimensions of ragged dot dimension numbers attribute `attr`.
    pub fn chloRaggedDotDimensionNumbersGetLhsContractingDimensionsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of rhs contracting dimensions of ragged dot dimension numbers attribute `attr`.
    pub fn chloRaggedDotDimensionNumbersGetRhsContractingDimensionsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the rhs contracting dimensions of ragged dot dimension numbers attribute `attr`.
    pub fn chloRaggedDotDimensionNumbersGetRhsContractingDimensionsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of lhs ragged dimensions of ragged dot dimension numbers attribute `attr`.
    pub fn chloRaggedDotDimensionNumbersGetLhsRaggedDimensionsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the lhs ragged dimensions of ragged dot dimension numbers attribute `attr`.
    pub fn chloRaggedDotDimensionNumbersGetLhsRaggedDimensionsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of rhs group dimensions of ragged dot dimension numbers attribute `attr`.
    pub fn chloRaggedDotDimensionNumbersGetRhsGroupDimensionsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the rhs group dimensions of ragged dot dimension numbers attribute `attr`.
    pub fn chloRaggedDotDimensionNumbersGetRhsGroupDimensionsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// Creates a CHLO precision attribute in `ctx` from its name: `DEFAULT`, `HIGH` or `HIGHEST`.
    ///
    /// Any other name aborts the process (the library reports a fatal error): check it first.
    pub fn chloPrecisionAttrGet(ctx: MlirContext, value: MlirStringRef) -> MlirAttribute;
    /// Whether `attr` is a precision attribute.
    pub fn chloAttributeIsAPrecisionAttr(attr: MlirAttribute) -> bool;
    /// The name of the enumerator `attr` holds, in static storage (valid for the whole process).
    pub fn chloPrecisionAttrGetValue(attr: MlirAttribute) -> MlirStringRef;
}
