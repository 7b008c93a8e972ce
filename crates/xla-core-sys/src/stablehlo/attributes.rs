//! StableHLO's attributes: dimension numbers (scatter, gather, dot, convolution), dot algorithms,
//! output-operand aliases, enumerations, channel handles, type extensions and result accuracy.
//!
//! Lists are passed as a count and a pointer (null when the count is 0) and read as a count
//! (`...Size`) and one element at a time (`...Elem`, `pos` below the count); attributes are owned
//! by their context. See [the module](super) for where these declarations come from.

use crate::mlir::{MlirAttribute, MlirContext, MlirStringRef, MlirType};

unsafe extern "C" {
    /// Creates a scatter dimension numbers attribute in `ctx` from five lists of dimensions (each a
    /// count and a pointer, null when the count is 0) and the index vector dimension.
    pub fn stablehloScatterDimensionNumbersGet(
        ctx: MlirContext,
        nUpdateWindowDims: isize,
        updateWindowDims: *const i64,
        nInsertedWindowDims: isize,
        insertedWindowDims: *const i64,
        nInputBatchingDims: isize,
        inputBatchingDims: *const i64,
        nScatterIndicesBatchingDims: isize,
        scatterIndicesBatchingDims: *const i64,
        nScatteredDimsToOperandDims: isize,
        scatteredDimsToOperandDims: *const i64,
        indexVectorDim: i64,
    ) -> MlirAttribute;
    /// Whether `attr` is a scatter dimension numbers attribute.
    pub fn stablehloAttributeIsAScatterDimensionNumbers(attr: MlirAttribute) -> bool;
    /// The number of update window dims of scatter dimension numbers attribute `attr`.
    pub fn stablehloScatterDimensionNumbersGetUpdateWindowDimsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the update window dims of scatter dimension numbers attribute `attr`.
    pub fn stablehloScatterDimensionNumbersGetUpdateWindowDimsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of inserted window dims of scatter dimension numbers attribute `attr`.
    pub fn stablehloScatterDimensionNumbersGetInsertedWindowDimsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the inserted window dims of scatter dimension numbers attribute `attr`.
    pub fn stablehloScatterDimensionNumbersGetInsertedWindowDimsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of input batching dims of scatter dimension numbers attribute `attr`.
    pub fn stablehloScatterDimensionNumbersGetInputBatchingDimsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the input batching dims of scatter dimension numbers attribute `attr`.
    pub fn stablehloScatterDimensionNumbersGetInputBatchingDimsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of scatter indices batching dims of scatter dimension numbers attribute `attr`.
    pub fn stablehloScatterDimensionNumbersGetScatterIndicesBatchingDimsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the scatter indices batching dims of scatter dimension numbers attribute `attr`.
    pub fn stablehloScatterDimensionNumbersGetScatterIndicesBatchingDimsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of scattered dims to operand dims of scatter dimension numbers attribute `attr`.
    pub fn stablehloScatterDimensionNumbersGetScatteredDimsToOperandDimsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the scattered dims to operand dims of scatter dimension numbers attribute `attr`.
    pub fn stablehloScatterDimensionNumbersGetScatteredDimsToOperandDimsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The index vector dimension of scatter dimension numbers attribute `attr`.
    ///
    /// The name lacks `Scatter` in the library (some forks spell it
    /// `stablehloScatterDimensionNumbersGetIndexVectorDim`, which is not exported).
    pub fn stablehloDimensionNumbersGetIndexVectorDim(attr: MlirAttribute) -> i64;
    /// Creates a gather dimension numbers attribute in `ctx` from five lists of dimensions (each a
    /// count and a pointer, null when the count is 0) and the index vector dimension.
    pub fn stablehloGatherDimensionNumbersGet(
        ctx: MlirContext,
        nOffsetDims: isize,
        offsetDims: *const i64,
        nCollapsedSliceDims: isize,
        collapsedSliceDims: *const i64,
        nOperandBatchingDims: isize,
        operandBatchingDims: *const i64,
        nStartIndicesBatchingDims: isize,
        startIndicesBatchingDims: *const i64,
        nStartIndexMap: isize,
        startIndexMap: *const i64,
        indexVectorDim: i64,
    ) -> MlirAttribute;
    /// Whether `attr` is a gather dimension numbers attribute.
    pub fn stablehloAttributeIsAGatherDimensionNumbers(attr: MlirAttribute) -> bool;
    /// The number of offset dims of gather dimension numbers attribute `attr`.
    pub fn stablehloGatherDimensionNumbersGetOffsetDimsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the offset dims of gather dimension numbers attribute `attr`.
    pub fn stablehloGatherDimensionNumbersGetOffsetDimsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of collapsed slice dims of gather dimension numbers attribute `attr`.
    pub fn stablehloGatherDimensionNumbersGetCollapsedSliceDimsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the collapsed slice dims of gather dimension numbers attribute `attr`.
    pub fn stablehloGatherDimensionNumbersGetCollapsedSliceDimsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of operand batching dims of gather dimension numbers attribute `attr`.
    pub fn stablehloGatherDimensionNumbersGetOperandBatchingDimsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the operand batching dims of gather dimension numbers attribute `attr`.
    pub fn stablehloGatherDimensionNumbersGetOperandBatchingDimsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of start indices batching dims of gather dimension numbers attribute `attr`.
    pub fn stablehloGatherDimensionNumbersGetStartIndicesBatchingDimsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the start indices batching dims of gather dimension numbers attribute `attr`.
    pub fn stablehloGatherDimensionNumbersGetStartIndicesBatchingDimsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of start index map of gather dimension numbers attribute `attr`.
    pub fn stablehloGatherDimensionNumbersGetStartIndexMapSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the start index map of gather dimension numbers attribute `attr`.
    pub fn stablehloGatherDimensionNumbersGetStartIndexMapElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The index vector dimension of gather dimension numbers attribute `attr`.
    pub fn stablehloGatherDimensionNumbersGetIndexVectorDim(attr: MlirAttribute) -> i64;
    /// Creates a dot algorithm attribute in `ctx`: the precision types of both sides and of the
    /// accumulation, the component counts of both sides, the number of primitive operations, and
    /// whether imprecise accumulation is allowed. Invalid combinations are reported by the verifier,
    /// not here.
    pub fn stablehloDotAlgorithmGet(
        ctx: MlirContext,
        lhsPrecisionType: MlirType,
        rhsPrecisionType: MlirType,
        accumulationType: MlirType,
        lhsComponentCount: i64,
        rhsComponentCount: i64,
        numPrimitiveOperations: i64,
        allowImpreciseAccumulation: bool,
    ) -> MlirAttribute;
    /// Whether `attr` is a dot algorithm attribute.
    pub fn stablehloAttributeIsADotAlgorithm(attr: MlirAttribute) -> bool;
    /// The left-hand side's precision type of dot algorithm attribute `attr`.
    pub fn stablehloDotAlgorithmGetLhsPrecisionType(attr: MlirAttribute) -> MlirType;
    /// The right-hand side's precision type of dot algorithm attribute `attr`.
    pub fn stablehloDotAlgorithmGetRhsPrecisionType(attr: MlirAttribute) -> MlirType;
    /// The accumulation type of dot algorithm attribute `attr`.
    pub fn stablehloDotAlgorithmGetAccumulationType(attr: MlirAttribute) -> MlirType;
    /// The left-hand side's component count of dot algorithm attribute `attr`.
    pub fn stablehloDotAlgorithmGetLhsComponentCount(attr: MlirAttribute) -> i64;
    /// The right-hand side's component count of dot algorithm attribute `attr`.
    pub fn stablehloDotAlgorithmGetRhsComponentCount(attr: MlirAttribute) -> i64;
    /// The number of primitive operations of dot algorithm attribute `attr`.
    pub fn stablehloDotAlgorithmGetNumPrimitiveOperations(attr: MlirAttribute) -> i64;
    /// Whether dot algorithm attribute `attr` allows imprecise accumulation.
    pub fn stablehloDotAlgorithmGetAllowImpreciseAccumulation(attr: MlirAttribute) -> bool;
    /// Creates a dot dimension numbers attribute in `ctx` from the batching and contracting dimensions
    /// of both sides (each a count and a pointer, null when the count is 0).
    pub fn stablehloDotDimensionNumbersGet(
        ctx: MlirContext,
        nLhsBatchingDimensions: isize,
        lhsBatchingDimensions: *const i64,
        nRhsBatchingDimensions: isize,
        rhsBatchingDimensions: *const i64,
        nLhsContractingDimensions: isize,
        lhsContractingDimensions: *const i64,
        nRhsContractingDimensions: isize,
        rhsContractingDimensions: *const i64,
    ) -> MlirAttribute;
    /// Whether `attr` is a dot dimension numbers attribute.
    pub fn stablehloAttributeIsADotDimensionNumbers(attr: MlirAttribute) -> bool;
    /// The number of left-hand side batching dimensions of dot dimension numbers attribute `attr`.
    pub fn stablehloDotDimensionNumbersGetLhsBatchingDimensionsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the left-hand side batching dimensions of dot dimension numbers attribute `attr`.
    pub fn stablehloDotDimensionNumbersGetLhsBatchingDimensionsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of right-hand side batching dimensions of dot dimension numbers attribute `attr`.
    pub fn stablehloDotDimensionNumbersGetRhsBatchingDimensionsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the right-hand side batching dimensions of dot dimension numbers attribute `attr`.
    pub fn stablehloDotDimensionNumbersGetRhsBatchingDimensionsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of left-hand side contracting dimensions of dot dimension numbers attribute `attr`.
    pub fn stablehloDotDimensionNumbersGetLhsContractingDimensionsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the left-hand side contracting dimensions of dot dimension numbers attribute `attr`.
    pub fn stablehloDotDimensionNumbersGetLhsContractingDimensionsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of right-hand side contracting dimensions of dot dimension numbers attribute `attr`.
    pub fn stablehloDotDimensionNumbersGetRhsContractingDimensionsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the right-hand side contracting dimensions of dot dimension numbers attribute `attr`.
    pub fn stablehloDotDimensionNumbersGetRhsContractingDimensionsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// Creates a convolution dimension numbers attribute in `ctx`: the batch, feature and spatial
    /// dimensions of the input, the kernel and the output (spatial dimensions as a count and a
    /// pointer).
    pub fn stablehloConvDimensionNumbersGet(
        ctx: MlirContext,
        inputBatchDimension: i64,
        inputFeatureDimension: i64,
        nInputSpatialDimensions: isize,
        inputSpatialDimensions: *const i64,
        kernelInputFeatureDimension: i64,
        kernelOutputFeatureDimension: i64,
        nKernelSpatialDimensions: isize,
        kernelSpatialDimensions: *const i64,
        outputBatchDimension: i64,
        outputFeatureDimension: i64,
        nOutputSpatialDimensions: isize,
        outputSpatialDimensions: *const i64,
    ) -> MlirAttribute;
    /// Whether `attr` is a convolution dimension numbers attribute.
    pub fn stablehloAttributeIsAConvDimensionNumbers(attr: MlirAttribute) -> bool;
    /// The input batch dimension of convolution dimension numbers attribute `attr`.
    pub fn stablehloConvDimensionNumbersGetInputBatchDimension(attr: MlirAttribute) -> i64;
    /// The input feature dimension of convolution dimension numbers attribute `attr`.
    pub fn stablehloConvDimensionNumbersGetInputFeatureDimension(attr: MlirAttribute) -> i64;
    /// The number of input spatial dimensions of convolution dimension numbers attribute `attr`.
    pub fn stablehloConvDimensionNumbersGetInputSpatialDimensionsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the input spatial dimensions of convolution dimension numbers attribute `attr`.
    pub fn stablehloConvDimensionNumbersGetInputSpatialDimensionsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The kernel input feature dimension of convolution dimension numbers attribute `attr`.
    pub fn stablehloConvDimensionNumbersGetKernelInputFeatureDimension(attr: MlirAttribute) -> i64;
    /// The kernel output feature dimension of convolution dimension numbers attribute `attr`.
    pub fn stablehloConvDimensionNumbersGetKernelOutputFeatureDimension(attr: MlirAttribute) -> i64;
    /// The number of kernel spatial dimensions of convolution dimension numbers attribute `attr`.
    pub fn stablehloConvDimensionNumbersGetKernelSpatialDimensionsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the kernel spatial dimensions of convolution dimension numbers attribute `attr`.
    pub fn stablehloConvDimensionNumbersGetKernelSpatialDimensionsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The output batch dimension of convolution dimension numbers attribute `attr`.
    pub fn stablehloConvDimensionNumbersGetOutputBatchDimension(attr: MlirAttribute) -> i64;
    /// The output feature dimension of convolution dimension numbers attribute `attr`.
    pub fn stablehloConvDimensionNumbersGetOutputFeatureDimension(attr: MlirAttribute) -> i64;
    /// The number of output spatial dimensions of convolution dimension numbers attribute `attr`.
    pub fn stablehloConvDimensionNumbersGetOutputSpatialDimensionsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the output spatial dimensions of convolution dimension numbers attribute `attr`.
    pub fn stablehloConvDimensionNumbersGetOutputSpatialDimensionsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// Creates an output-operand alias attribute in `ctx`: the output's tuple indices, the aliased
    /// operand's index, and the operand's tuple indices.
    pub fn stablehloOutputOperandAliasGet(
        ctx: MlirContext,
        nOutputTupleIndices: isize,
        outputTupleIndices: *const i64,
        operandIndex: i64,
        nOperandTupleIndices: isize,
        operandTupleIndices: *const i64,
    ) -> MlirAttribute;
    /// Whether `attr` is an output-operand alias attribute.
    pub fn stablehloAttributeIsAOutputOperandAlias(attr: MlirAttribute) -> bool;
    /// The number of output tuple indices of output-operand alias attribute `attr`.
    pub fn stablehloOutputOperandAliasGetOutputTupleIndicesSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the output tuple indices of output-operand alias attribute `attr`.
    pub fn stablehloOutputOperandAliasGetOutputTupleIndicesElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The operand index of output-operand alias attribute `attr`.
    pub fn stablehloOutputOperandAliasGetOperandIndex(attr: MlirAttribute) -> i64;
    /// The number of operand tuple indices of output-operand alias attribute `attr`.
    pub fn stablehloOutputOperandAliasGetOperandTupleIndicesSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the operand tuple indices of output-operand alias attribute `attr`.
    pub fn stablehloOutputOperandAliasGetOperandTupleIndicesElem(attr: MlirAttribute, pos: isize) -> i64;
    /// Creates a comparison direction attribute in `ctx` from its name: `EQ`, `NE`, `GE`, `GT`, `LE` or `LT`.
    ///
    /// Any other name aborts the process (the library reports a fatal error): check it first.
    pub fn stablehloComparisonDirectionAttrGet(ctx: MlirContext, value: MlirStringRef) -> MlirAttribute;
    /// Whether `attr` is a comparison direction attribute.
    pub fn stablehloAttributeIsAComparisonDirectionAttr(attr: MlirAttribute) -> bool;
    /// The name of the enumerator `attr` holds, in static storage (valid for the whole process).
    pub fn stablehloComparisonDirectionAttrGetValue(attr: MlirAttribute) -> MlirStringRef;
    /// Creates a comparison type attribute in `ctx` from its name: `NOTYPE`, `FLOAT`, `TOTALORDER`,
    /// `SIGNED` or `UNSIGNED`.
    ///
    /// Any other name aborts the process (the library reports a fatal error): check it first.
    pub fn stablehloComparisonTypeAttrGet(ctx: MlirContext, value: MlirStringRef) -> MlirAttribute;
    /// Whether `attr` is a comparison type attribute.
    pub fn stablehloAttributeIsAComparisonTypeAttr(attr: MlirAttribute) -> bool;
    /// The name of the enumerator `attr` holds, in static storage (valid for the whole process).
    pub fn stablehloComparisonTypeAttrGetValue(attr: MlirAttribute) -> MlirStringRef;
    /// Creates a precision attribute in `ctx` from its name: `DEFAULT`, `HIGH` or `HIGHEST`.
    ///
    /// Any other name aborts the process (the library reports a fatal error): check it first.
    pub fn stablehloPrecisionAttrGet(ctx: MlirContext, value: MlirStringRef) -> MlirAttribute;
    /// Whether `attr` is a precision attribute.
    pub fn stablehloAttributeIsAPrecisionAttr(attr: MlirAttribute) -> bool;
    /// The name of the enumerator `attr` holds, in static storage (valid for the whole process).
    pub fn stablehloPrecisionAttrGetValue(attr: MlirAttribute) -> MlirStringRef;
    /// Creates an FFT type attribute in `ctx` from its name: `FFT`, `IFFT`, `RFFT` or `IRFFT`.
    ///
    /// Any other name aborts the process (the library reports a fatal error): check it first.
    pub fn stablehloFftTypeAttrGet(ctx: MlirContext, value: MlirStringRef) -> MlirAttribute;
    /// Whether `attr` is a FFT type attribute.
    pub fn stablehloAttributeIsAFftTypeAttr(attr: MlirAttribute) -> bool;
    /// The name of the enumerator `attr` holds, in static storage (valid for the whole process).
    pub fn stablehloFftTypeAttrGetValue(attr: MlirAttribute) -> MlirStringRef;
    /// Creates a transpose attribute in `ctx` from its name: `TRANSPOSE_INVALID`, `NO_TRANSPOSE`,
    /// `TRANSPOSE` or `ADJOINT`.
    ///
    /// Any other name aborts the process (the library reports a fatal error): check it first.
    pub fn stablehloTransposeAttrGet(ctx: MlirContext, value: MlirStringRef) -> MlirAttribute;
    /// Whether `attr` is a transpose attribute.
    pub fn stablehloAttributeIsATransposeAttr(attr: MlirAttribute) -> bool;
    /// The name of the enumerator `attr` holds, in static storage (valid for the whole process).
    pub fn stablehloTransposeAttrGetValue(attr: MlirAttribute) -> MlirStringRef;
    /// Creates an RNG distribution attribute in `ctx` from its name: `UNIFORM` or `NORMAL`.
    ///
    /// Any other name aborts the process (the library reports a fatal error): check it first.
    pub fn stablehloRngDistributionAttrGet(ctx: MlirContext, value: MlirStringRef) -> MlirAttribute;
    /// Whether `attr` is a RNG distribution attribute.
    pub fn stablehloAttributeIsARngDistributionAttr(attr: MlirAttribute) -> bool;
    /// The name of the enumerator `attr` holds, in static storage (valid for the whole process).
    pub fn stablehloRngDistributionAttrGetValue(attr: MlirAttribute) -> MlirStringRef;
    /// Creates an RNG algorithm attribute in `ctx` from its name: `DEFAULT`, `THREE_FRY` or `PHILOX`.
    ///
    /// Any other name aborts the process (the library reports a fatal error): check it first.
    pub fn stablehloRngAlgorithmAttrGet(ctx: MlirContext, value: MlirStringRef) -> MlirAttribute;
    /// Whether `attr` is a RNG algorithm attribute.
    pub fn stablehloAttributeIsARngAlgorithmAttr(attr: MlirAttribute) -> bool;
    /// The name of the enumerator `attr` holds, in static storage (valid for the whole process).
    pub fn stablehloRngAlgorithmAttrGetValue(attr: MlirAttribute) -> MlirStringRef;
    /// Creates a channel handle attribute in `ctx` from a channel id and a channel type.
    pub fn stablehloChannelHandleGet(ctx: MlirContext, handle: i64, type_: i64) -> MlirAttribute;
    /// Whether `attr` is a channel handle attribute (the library's name has no `A`).
    pub fn stablehloAttributeIsChannelHandle(attr: MlirAttribute) -> bool;
    /// The handle of channel handle attribute `attr`.
    pub fn stablehloChannelHandleGetHandle(attr: MlirAttribute) -> i64;
    /// The type of channel handle attribute `attr`.
    pub fn stablehloChannelHandleGetType(attr: MlirAttribute) -> i64;
    /// Creates a type extensions attribute in `ctx` from the bounds of a tensor's dynamic dimensions.
    pub fn stablehloTypeExtensionsGet(ctx: MlirContext, nBounds: isize, bounds: *const i64) -> MlirAttribute;
    /// Whether `attr` is a type extensions attribute (the library's name has no `A`).
    pub fn stablehloAttributeIsTypeExtensions(attr: MlirAttribute) -> bool;
    /// The number of bounds of type extensions attribute `attr`.
    pub fn stablehloTypeExtensionsGetBoundsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the bounds of type extensions attribute `attr`.
    pub fn stablehloTypeExtensionsGetBoundsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// Creates a result accuracy mode attribute in `ctx` from its name: `DEFAULT`, `HIGHEST` or `TOLERANCE`.
    ///
    /// Any other name aborts the process (the library reports a fatal error): check it first.
    pub fn stablehloResultAccuracyModeAttrGet(ctx: MlirContext, value: MlirStringRef) -> MlirAttribute;
    /// Whether `attr` is a result accuracy mode attribute.
    pub fn stablehloAttributeIsAResultAccuracyModeAttr(attr: MlirAttribute) -> bool;
    /// The name of the enumerator `attr` holds, in static storage (valid for the whole process).
    pub fn stablehloResultAccuracyModeAttrGetValue(attr: MlirAttribute) -> MlirStringRef;
    /// Creates a result accuracy attribute in `ctx` from absolute and relative tolerances, a number of
    /// units in the last place, and a mode given by name (`DEFAULT`, `HIGHEST` or `TOLERANCE`).
    ///
    /// Any other mode name aborts the process (the library reports a fatal error): check it first.
    pub fn stablehloResultAccuracyAttrGet(
        ctx: MlirContext,
        atol: f64,
        rtol: f64,
        ulps: i64,
        mode: MlirStringRef,
    ) -> MlirAttribute;
    /// Whether `attr` is a result accuracy attribute.
    pub fn stablehloAttributeIsAResultAccuracyAttr(attr: MlirAttribute) -> bool;
    /// The absolute tolerance of result accuracy attribute `attr`.
    pub fn stablehloResultAccuracyAttrGetAtol(attr: MlirAttribute) -> f64;
    /// The relative tolerance of result accuracy attribute `attr`.
    pub fn stablehloResultAccuracyAttrGetRtol(attr: MlirAttribute) -> f64;
    /// The units in the last place of result accuracy attribute `attr`.
    pub fn stablehloResultAccuracyAttrGetUlps(attr: MlirAttribute) -> i64;
    /// The mode of result accuracy attribute `attr`, as a result accuracy mode attribute (not a string).
    pub fn stablehloResultAccuracyAttrGetMode(attr: MlirAttribute) -> MlirAttribute;
}
