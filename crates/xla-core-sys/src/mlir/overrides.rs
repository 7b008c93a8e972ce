//! MLIR C API functions whose LLVM 19 declaration is not the library's: jaxlib 0.5.3's library is
//! built from LLVM of March 2025, newer than the headers the bindings are generated from. Each is
//! declared here with the library's signature, established from newer `mlir-c` headers and the
//! library's disassembly; the generator leaves these names out of `generated/mlir.rs`
//! (`SIGNATURE_CHANGES` in `xtask/src/mlir_bindings.rs`).

use super::{MlirOpPrintingFlags, MlirPassManager, MlirStringRef};

unsafe extern "C" {
    /// Makes `passManager` print the IR around passes.
    ///
    /// The five flags choose when (before every pass, after every pass, at module scope, only
    /// after passes that changed the IR, only after failures); `flags` chooses how. An empty
    /// `treePrintingPath` prints to standard error; otherwise one file per pass is written under
    /// that directory.
    ///
    /// LLVM 19's header declares this function with the pass manager alone. The library takes
    /// these eight parameters (as LLVM 20 and later declare it): the disassembly passes the five
    /// flags in registers, copies the printing flags from the stack, and tests the path's length
    /// to choose between printing to standard error and to a file tree.
    pub fn mlirPassManagerEnableIRPrinting(
        passManager: MlirPassManager,
        printBeforeAll: bool,
        printAfterAll: bool,
        printModuleScope: bool,
        printAfterOnlyOnChange: bool,
        printAfterOnlyOnFailure: bool,
        flags: MlirOpPrintingFlags,
        treePrintingPath: MlirStringRef,
    );
}
