//! The StableHLO C API: the dialect handle, the pass registration, the token type, the version
//! API, portable-artifact serialization, the reference interpreter, and StableHLO's attributes
//! (written in the `attributes` submodule, re-exported here).
//!
//! StableHLO ships no installable header, so these declarations are written by hand. They follow
//! the functions jaxlib 0.5.3's library exports (StableHLO 1.10.0, C API version 9), each checked
//! against the library's disassembly and by calling it; the symbol-contract test checks that the
//! library exports every one. Where they differ from newer StableHLO headers:
//!
//! - [`stablehloSerializePortableArtifactFromModule`] has 4 parameters (newer headers add
//!   `allowOtherDialects`), and there is no `...FromModuleDefaultDialects`;
//! - there is no future type (`stablehloFutureType*`), no sub-axis, axis-reference, mesh or
//!   replica-group-mesh-axes attribute (`stablehloSubAxisInfoAttr*`, `stablehloMeshAttr*`...), and
//!   no VHLO dialect handle: none is exported.
//!
//! Traps worth knowing:
//! - the enumeration attributes are created from their names (`"EQ"`, `"DEFAULT"`...); an unknown
//!   name aborts the process, so check it before the call;
//! - results come through an [`MlirStringCallback`], possibly in several pieces: portable
//!   artifacts are binary (not NUL-terminated, may hold NUL bytes);
//! - [`stablehloEvalModule`] writes its error code only on failure.
//!
//! One helper: [`portable_artifact_target`], the version to serialize for so that a given plugin
//! reads the artifact.

mod attributes;
mod target;

use std::ffi::{c_int, c_uint, c_void};

pub use attributes::*;
pub use target::portable_artifact_target;

use crate::mlir::{
    MlirAttribute, MlirContext, MlirDialectHandle, MlirLogicalResult, MlirModule, MlirStringCallback, MlirStringRef,
    MlirType,
};

/// How long an artifact must remain readable by older consumers: picks a target version with
/// [`stablehloVersionFromCompatibilityRequirement`].
///
/// A C enumeration. Only the four constants below are valid: the library aborts the process on
/// any other value.
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MlirStablehloCompatibilityRequirement(pub c_uint);

impl MlirStablehloCompatibilityRequirement {
    /// No promise: the library's current version.
    pub const NONE: Self = Self(0);
    /// Readable by consumers built from StableHLO of about 4 weeks before the library's.
    pub const WEEK_4: Self = Self(1);
    /// Readable by consumers built from StableHLO of about 12 weeks before the library's.
    pub const WEEK_12: Self = Self(2);
    /// The widest window the library offers: its minimum version.
    pub const MAX: Self = Self(3);
}

unsafe extern "C" {
    /// The StableHLO dialect, to register in a registry or load into a context (namespace
    /// `stablehlo`).
    pub fn mlirGetDialectHandle__stablehlo__() -> MlirDialectHandle;

    /// Registers StableHLO's passes (CHLO legalization and the StableHLO-to-Linalg passes
    /// included) in the global registry, for pipelines parsed from text. May be called more than
    /// once.
    pub fn mlirRegisterAllStablehloPasses();

    /// Creates the `!stablehlo.token` type in `ctx`.
    pub fn stablehloTokenTypeGet(ctx: MlirContext) -> MlirType;

    /// Whether `type_` is the StableHLO token type.
    pub fn stablehloTypeIsAToken(type_: MlirType) -> bool;

    /// The version of this C API (a plain counter, unrelated to StableHLO's own version).
    pub fn stablehloGetApiVersion() -> c_int;

    /// Passes to `callback` the StableHLO version (`"major.minor.patch"`) that `requirement` asks
    /// for.
    pub fn stablehloVersionFromCompatibilityRequirement(
        requirement: MlirStablehloCompatibilityRequirement,
        callback: MlirStringCallback,
        userData: *mut c_void,
    );

    /// Passes to `callback` the library's StableHLO version (`"major.minor.patch"`): the newest
    /// version it can write.
    pub fn stablehloGetCurrentVersion(callback: MlirStringCallback, userData: *mut c_void);

    /// Passes to `callback` the oldest StableHLO version the library can write.
    pub fn stablehloGetMinimumVersion(callback: MlirStringCallback, userData: *mut c_void);

    /// Passes the older of two versions to `callback`. Fails, without calling `callback`, when
    /// either is not a version.
    pub fn stablehloGetSmallerVersion(
        version1: MlirStringRef,
        version2: MlirStringRef,
        callback: MlirStringCallback,
        userData: *mut c_void,
    ) -> MlirLogicalResult;

    /// Serializes a module given as MLIR text or bytecode into a portable artifact readable by
    /// StableHLO `targetVersion` and newer, passing its bytes to `callback` (possibly in several
    /// pieces). Fails when the text does not parse or the module cannot be expressed in that
    /// version.
    pub fn stablehloSerializePortableArtifactFromStringRef(
        moduleStr: MlirStringRef,
        targetVersion: MlirStringRef,
        callback: MlirStringCallback,
        userData: *mut c_void,
    ) -> MlirLogicalResult;

    /// Serializes `moduleStr` (a module, despite the name) into a portable artifact readable by
    /// StableHLO `targetVersion` and newer, passing its bytes to `callback` (possibly in several
    /// pieces). The module must hold only StableHLO, CHLO and builtin/func operations.
    ///
    /// Four parameters in this library: newer StableHLO adds `bool allowOtherDialects`, and
    /// passing a fifth argument here is undefined behavior.
    pub fn stablehloSerializePortableArtifactFromModule(
        moduleStr: MlirModule,
        targetVersion: MlirStringRef,
        callback: MlirStringCallback,
        userData: *mut c_void,
    ) -> MlirLogicalResult;

    /// Reads a portable artifact back and passes the module, as MLIR bytecode, to `callback`
    /// (possibly in several pieces).
    pub fn stablehloDeserializePortableArtifact(
        artifactStr: MlirStringRef,
        callback: MlirStringCallback,
        userData: *mut c_void,
    ) -> MlirLogicalResult;

    /// Reads a portable artifact back into a module of `ctx`, which the caller owns
    /// (`mlirModuleDestroy`). On failure, emits diagnostics through `ctx` and returns a null
    /// module.
    pub fn stablehloDeserializePortableArtifactNoError(artifactStr: MlirStringRef, ctx: MlirContext) -> MlirModule;

    /// Runs `module`'s `main` function with StableHLO's reference interpreter on `nArgs` dense
    /// elements attributes, and returns an array attribute of its results.
    ///
    /// On failure, returns a null attribute and sets `*errorCode` to a non-zero value; on success
    /// `*errorCode` is left as it was, so set it to 0 before the call.
    pub fn stablehloEvalModule(
        module: MlirModule,
        nArgs: c_int,
        args: *const MlirAttribute,
        errorCode: *mut c_int,
    ) -> MlirAttribute;
}
