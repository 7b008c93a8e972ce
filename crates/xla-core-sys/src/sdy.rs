//! The Shardy (`sdy`) C API: the dialect handle, the pass registration and Shardy's attributes
//! (meshes, axes, shardings, sharding rules).
//!
//! Shardy ships no installable header, so these declarations are written by hand. They follow the
//! functions jaxlib 0.5.3's library exports (Shardy of March 2025), each checked against the
//! library's disassembly and by calling it; the symbol-contract test checks that the library
//! exports every one. Where they differ from newer `shardy/integrations/c/attributes.h`:
//!
//! - [`sdyTensorShardingAttrGet`] has 6 parameters (no unreduced axes, no reduction kind), and
//!   there are no getters for those;
//! - [`sdyOpShardingRuleAttrGet`] has 14 parameters: permutation factors (older headers called
//!   them size-mismatch factors), no blocked-propagation factors;
//! - there is no MPMD dialect (`mlirGetDialectHandle__mpmd__` is not exported).
//!
//! Lists are passed as a count and a pointer (null when the count is 0) and read as a count
//! (`...Size`) and one element at a time (`...Elem`, `pos` below the count); attributes are owned
//! by their context.

use crate::mlir::{MlirAttribute, MlirContext, MlirDialectHandle, MlirStringRef};

unsafe extern "C" {
    /// Whether `attr` is a mesh axis attribute.
    pub fn sdyAttributeIsAMeshAxisAttr(attr: MlirAttribute) -> bool;
    /// Creates a mesh axis attribute in `ctx`.
    pub fn sdyMeshAxisAttrGet(ctx: MlirContext, name: MlirStringRef, size: i64) -> MlirAttribute;
    /// The name of mesh axis attribute `attr`.
    pub fn sdyMeshAxisAttrGetName(attr: MlirAttribute) -> MlirStringRef;
    /// The size of mesh axis attribute `attr`.
    pub fn sdyMeshAxisAttrGetSize(attr: MlirAttribute) -> i64;
    /// Whether `attr` is a mesh attribute.
    pub fn sdyAttributeIsAMeshAttr(attr: MlirAttribute) -> bool;
    /// Creates a mesh attribute in `ctx` from its axes (mesh axis attributes) and, optionally, its
    /// device ids (`nDeviceIds` 0 and a null `deviceIds`: devices in iota order).
    pub fn sdyMeshAttrGet(
        ctx: MlirContext,
        nAxes: isize,
        axes: *const MlirAttribute,
        nDeviceIds: isize,
        deviceIds: *const i64,
    ) -> MlirAttribute;
    /// The number of device ids of mesh attribute `attr` (0 for iota order). Returns `i64`, not `isize`.
    pub fn sdyMeshAttrGetDeviceIdsSize(attr: MlirAttribute) -> i64;
    /// Device id `pos` of mesh attribute `attr`. Takes `pos` as `i64`, unlike the other element getters.
    pub fn sdyMeshAttrGetDeviceIdsElem(attr: MlirAttribute, pos: i64) -> i64;
    /// The number of axes of mesh attribute `attr`.
    pub fn sdyMeshAttrGetAxesSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the axes of mesh attribute `attr`.
    pub fn sdyMeshAttrGetAxesElem(attr: MlirAttribute, pos: isize) -> MlirAttribute;
    /// Whether `attr` is a sub-axis info attribute.
    pub fn sdyAttributeIsASubAxisInfoAttr(attr: MlirAttribute) -> bool;
    /// Creates a sub-axis info attribute in `ctx`: the sub-axis of size `size` after the first `preSize`
    /// elements of its axis.
    pub fn sdySubAxisInfoAttrGet(ctx: MlirContext, preSize: i64, size: i64) -> MlirAttribute;
    /// The pre-size of sub-axis info attribute `attr`.
    pub fn sdySubAxisInfoAttrGetPreSize(attr: MlirAttribute) -> i64;
    /// The size of sub-axis info attribute `attr`.
    pub fn sdySubAxisInfoAttrGetSize(attr: MlirAttribute) -> i64;
    /// Whether `attr` is an axis reference attribute.
    pub fn sdyAttributeIsAnAxisRefAttr(attr: MlirAttribute) -> bool;
    /// Creates an axis reference attribute in `ctx` naming a mesh axis, with an optional sub-axis info
    /// attribute (a null attribute for the whole axis).
    pub fn sdyAxisRefAttrGet(ctx: MlirContext, name: MlirStringRef, subAxisInfo: MlirAttribute) -> MlirAttribute;
    /// The name of axis reference attribute `attr`.
    pub fn sdyAxisRefAttrGetName(attr: MlirAttribute) -> MlirStringRef;
    /// The sub-axis info of axis reference attribute `attr`, or a null attribute when it refers to the
    /// whole axis.
    pub fn sdyAxisRefAttrGetSubAxisInfo(attr: MlirAttribute) -> MlirAttribute;
    /// Whether `attr` is a dimension sharding attribute.
    pub fn sdyAttributeIsADimensionShardingAttr(attr: MlirAttribute) -> bool;
    /// Creates a dimension sharding attribute in `ctx` from axis reference attributes, whether the
    /// dimension is closed, and its priority (-1 for none).
    pub fn sdyDimensionShardingAttrGet(
        ctx: MlirContext,
        nAxes: isize,
        axes: *const MlirAttribute,
        isClosed: bool,
        priority: i64,
    ) -> MlirAttribute;
    /// The number of axes of dimension sharding attribute `attr`.
    pub fn sdyDimensionShardingAttrGetAxesSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the axes of dimension sharding attribute `attr`.
    pub fn sdyDimensionShardingAttrGetAxesElem(attr: MlirAttribute, pos: isize) -> MlirAttribute;
    /// Whether dimension sharding attribute `attr` is closed.
    pub fn sdyDimensionShardingAttrGetIsClosed(attr: MlirAttribute) -> bool;
    /// The priority of dimension sharding attribute `attr`, or -1 when it has none.
    pub fn sdyDimensionShardingAttrGetPriority(attr: MlirAttribute) -> i64;
    /// Whether `attr` is a tensor sharding attribute.
    pub fn sdyAttributeIsATensorShardingAttr(attr: MlirAttribute) -> bool;
    /// Creates a tensor sharding attribute in `ctx` from its mesh (a mesh attribute, or a symbol
    /// reference or string attribute naming one), its dimension shardings and its replicated axes
    /// (axis reference attributes).
    ///
    /// Six parameters in this library; newer Shardy adds unreduced axes and a reduction kind.
    pub fn sdyTensorShardingAttrGet(
        ctx: MlirContext,
        meshOrRef: MlirAttribute,
        nDimShardings: isize,
        dimShardings: *const MlirAttribute,
        nReplicatedAxes: isize,
        replicatedAxes: *const MlirAttribute,
    ) -> MlirAttribute;
    /// The mesh, or the reference to it, of tensor sharding attribute `attr`.
    pub fn sdyTensorShardingAttrGetMeshOrRef(attr: MlirAttribute) -> MlirAttribute;
    /// The number of dimension shardings of tensor sharding attribute `attr`.
    pub fn sdyTensorShardingAttrGetDimShardingsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the dimension shardings of tensor sharding attribute `attr`.
    pub fn sdyTensorShardingAttrGetDimShardingsElem(attr: MlirAttribute, pos: isize) -> MlirAttribute;
    /// The number of replicated axes of tensor sharding attribute `attr`.
    pub fn sdyTensorShardingAttrGetReplicatedAxesSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the replicated axes of tensor sharding attribute `attr`.
    pub fn sdyTensorShardingAttrGetReplicatedAxesElem(attr: MlirAttribute, pos: isize) -> MlirAttribute;
    /// Whether `attr` is a per-value tensor sharding attribute.
    pub fn sdyAttributeIsATensorShardingPerValueAttr(attr: MlirAttribute) -> bool;
    /// Creates an attribute holding one tensor sharding attribute per value, in `ctx`.
    pub fn sdyTensorShardingPerValueAttrGet(
        ctx: MlirContext,
        nShardings: isize,
        shardings: *const MlirAttribute,
    ) -> MlirAttribute;
    /// The number of shardings of per-value tensor sharding attribute `attr`.
    pub fn sdyTensorShardingPerValueAttrGetShardingsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the shardings of per-value tensor sharding attribute `attr`.
    pub fn sdyTensorShardingPerValueAttrGetShardingsElem(attr: MlirAttribute, pos: isize) -> MlirAttribute;
    /// Whether `attr` is a dimension mapping attribute.
    pub fn sdyAttributeIsADimMappingAttr(attr: MlirAttribute) -> bool;
    /// Creates a dimension mapping attribute in `ctx` from the factor indices the dimension maps to.
    pub fn sdyDimMappingAttrGet(ctx: MlirContext, nFactorIndices: isize, factorIndices: *const i64) -> MlirAttribute;
    /// The number of factor indices of dimension mapping attribute `attr`.
    pub fn sdyDimMappingAttrGetFactorIndicesSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the factor indices of dimension mapping attribute `attr`.
    pub fn sdyDimMappingAttrGetFactorIndicesElem(attr: MlirAttribute, pos: isize) -> i64;
    /// Whether `attr` is a tensor mapping attribute.
    pub fn sdyAttributeIsATensorMappingAttr(attr: MlirAttribute) -> bool;
    /// Creates a tensor mapping attribute in `ctx` from one dimension mapping attribute per dimension.
    pub fn sdyTensorMappingAttrGet(ctx: MlirContext, nMappings: isize, mappings: *const MlirAttribute)
    -> MlirAttribute;
    /// The rank of tensor mapping attribute `attr` (its number of dimension mappings).
    pub fn sdyTensorMappingAttrGetRank(attr: MlirAttribute) -> isize;
    /// The number of dimension mappings of tensor mapping attribute `attr`.
    pub fn sdyTensorMappingAttrGetDimMappingsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the dimension mappings of tensor mapping attribute `attr`.
    pub fn sdyTensorMappingAttrGetDimMappingsElem(attr: MlirAttribute, pos: isize) -> MlirAttribute;
    /// Whether `attr` is an operation sharding rule attribute.
    pub fn sdyAttributeIsAOpShardingRuleAttr(attr: MlirAttribute) -> bool;
    /// Creates an operation sharding rule attribute in `ctx`: the factor sizes, one tensor mapping
    /// attribute per operand and per result, the reduction, need-replication and permutation
    /// factors, and whether the rule is custom.
    ///
    /// Fourteen parameters in this library (permutation factors, no blocked-propagation factors);
    /// newer Shardy has sixteen.
    pub fn sdyOpShardingRuleAttrGet(
        ctx: MlirContext,
        nFactorSizes: isize,
        factorSizes: *const i64,
        nOperandMappings: isize,
        operandMappings: *const MlirAttribute,
        nResultMappings: isize,
        resultMappings: *const MlirAttribute,
        nReductionFactors: isize,
        reductionFactors: *const i64,
        nNeedReplicationFactors: isize,
        needReplicationFactors: *const i64,
        nPermutationFactors: isize,
        permutationFactors: *const i64,
        isCustomRule: bool,
    ) -> MlirAttribute;
    /// Whether operation sharding rule attribute `attr` is a custom rule.
    pub fn sdyOpShardingRuleAttrGetIsCustom(attr: MlirAttribute) -> bool;
    /// The number of factor sizes of operation sharding rule attribute `attr`.
    pub fn sdyOpShardingRuleAttrGetFactorSizesSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the factor sizes of operation sharding rule attribute `attr`.
    pub fn sdyOpShardingRuleAttrGetFactorSizesElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of operand mappings of operation sharding rule attribute `attr`.
    pub fn sdyOpShardingRuleAttrGetOperandMappingsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the operand mappings of operation sharding rule attribute `attr`.
    pub fn sdyOpShardingRuleAttrGetOperandMappingsElem(attr: MlirAttribute, pos: isize) -> MlirAttribute;
    /// The number of result mappings of operation sharding rule attribute `attr`.
    pub fn sdyOpShardingRuleAttrGetResultMappingsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the result mappings of operation sharding rule attribute `attr`.
    pub fn sdyOpShardingRuleAttrGetResultMappingsElem(attr: MlirAttribute, pos: isize) -> MlirAttribute;
    /// The number of reduction factors of operation sharding rule attribute `attr`.
    pub fn sdyOpShardingRuleAttrGetReductionFactorsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the reduction factors of operation sharding rule attribute `attr`.
    pub fn sdyOpShardingRuleAttrGetReductionFactorsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of need-replication factors of operation sharding rule attribute `attr`.
    pub fn sdyOpShardingRuleAttrGetNeedReplicationFactorsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the need-replication factors of operation sharding rule attribute `attr`.
    pub fn sdyOpShardingRuleAttrGetNeedReplicationFactorsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// The number of permutation factors of operation sharding rule attribute `attr`.
    pub fn sdyOpShardingRuleAttrGetPermutationFactorsSize(attr: MlirAttribute) -> isize;
    /// Element `pos` of the permutation factors of operation sharding rule attribute `attr`.
    pub fn sdyOpShardingRuleAttrGetPermutationFactorsElem(attr: MlirAttribute, pos: isize) -> i64;
    /// Whether `attr` is a manual axes attribute.
    pub fn sdyAttributeIsAManualAxesAttr(attr: MlirAttribute) -> bool;
    /// Creates a manual axes attribute in `ctx` from string attributes naming the axes.
    pub fn sdyManualAxesAttrGet(ctx: MlirContext, nAxes: isize, axes: *const MlirAttribute) -> MlirAttribute;
    /// The number of axes of manual axes attribute `attr`.
    pub fn sdyManualAxesAttrGetAxesSize(attr: MlirAttribute) -> isize;
    /// The name of axis `pos` of manual axes attribute `attr` (owned by the context; unlike
    /// [`sdyManualAxesAttrGet`]'s input, a string, not a string attribute).
    pub fn sdyManualAxesAttrGetAxesElem(attr: MlirAttribute, pos: isize) -> MlirStringRef;
    /// The Shardy dialect, to register in a registry or load into a context (namespace `sdy`).
    pub fn mlirGetDialectHandle__sdy__() -> MlirDialectHandle;
    /// Registers every Shardy pass and pass pipeline in the global registry (for pipelines parsed
    /// from text). May be called more than once.
    pub fn mlirRegisterAllSdyPassesAndPipelines();
}
