//! Against the real linked library: a diagnostic handler attached to a context receives the
//! errors of invalid modules (built through the C API, or parsed) with their message and
//! location; detaching it frees its user data, and errors stop reaching it.

mod support;

use std::ffi::c_void;
use std::sync::{Arc, Mutex};

use support::*;

/// One diagnostic as the handler saw it.
#[derive(Debug, Clone)]
struct Seen {
    severity: MlirDiagnosticSeverity,
    message: String,
    location: String,
}

/// The handler's user data: shared with the test, so that the test sees what it recorded and
/// whether the library released it.
type Record = Arc<Mutex<Vec<Seen>>>;

/// # Safety
///
/// `user` is the `Box<Record>` given to `mlirContextAttachDiagnosticHandler`.
unsafe extern "C" fn on_diagnostic(diagnostic: MlirDiagnostic, user: *mut c_void) -> MlirLogicalResult {
    // SAFETY: the diagnostic is live for the duration of the call; `text` gives the callbacks a
    // valid buffer.
    let seen = unsafe {
        Seen {
            severity: mlirDiagnosticGetSeverity(diagnostic),
            message: text(|cb, u| mlirDiagnosticPrint(diagnostic, cb, u)),
            location: text(|cb, u| mlirLocationPrint(mlirDiagnosticGetLocation(diagnostic), cb, u)),
        }
    };
    // SAFETY: `user` is the boxed record (see the function's contract), alive until detached.
    let record = unsafe { &*user.cast::<Record>() };
    record.lock().unwrap().push(seen);
    // Handled: the library does not pass it on to its default handler (standard error).
    mlirLogicalResultSuccess()
}

/// # Safety
///
/// `user` is the `Box<Record>` given to `mlirContextAttachDiagnosticHandler`, released once.
unsafe extern "C" fn release(user: *mut c_void) {
    // SAFETY: the library calls this once, when the handler is detached or the context destroyed.
    drop(unsafe { Box::from_raw(user.cast::<Record>()) });
}

/// Attaches [`on_diagnostic`] to `ctx`, returning the handler's id and what it records.
fn attach(ctx: MlirContext) -> (MlirDiagnosticHandlerID, Record) {
    let record: Record = Arc::default();
    let user = Box::into_raw(Box::new(Arc::clone(&record)));
    // SAFETY: `user` is a boxed `Record`, as `on_diagnostic` and `release` expect; the library owns it
    // until it calls `release`.
    let id = unsafe { mlirContextAttachDiagnosticHandler(ctx, Some(on_diagnostic), user.cast(), Some(release)) };
    (id, record)
}

/// A module whose one operation adds tensors of different shapes, at `"model.mlir":7:3`.
fn invalid_module(ctx: MlirContext) -> Module {
    // SAFETY: handles are created in `ctx` and used in it.
    unsafe {
        let module = mlirModuleCreateEmpty(mlirLocationUnknownGet(ctx));
        let inputs = [f32_tensor(ctx, &[2]), f32_tensor(ctx, &[3])];
        let (region, block) = region_with_block(ctx, &inputs);
        let function_type = mlirFunctionTypeGet(ctx, 2, inputs.as_ptr(), 0, std::ptr::null());
        create_operation(
            mlirModuleGetBody(module),
            "func.func",
            mlirLocationUnknownGet(ctx),
            OperationParts {
                attributes: &[
                    named(ctx, "sym_name", mlirStringAttrGet(ctx, s("bad"))),
                    named(ctx, "function_type", mlirTypeAttrGet(function_type)),
                ],
                regions: vec![region],
                ..Default::default()
            },
        );
        let at = mlirLocationFileLineColGet(ctx, s("model.mlir"), 7, 3);
        let (x, y) = (mlirBlockGetArgument(block, 0), mlirBlockGetArgument(block, 1));
        create_operation(
            block,
            "stablehlo.add",
            at,
            OperationParts { operands: &[x, y], results: &[f32_tensor(ctx, &[2])], ..Default::default() },
        );
        create_operation(block, "func.return", mlirLocationUnknownGet(ctx), OperationParts::default());
        Module(module)
    }
}

fn verifies(module: &Module) -> bool {
    // SAFETY: the module is live.
    unsafe { mlirOperationVerify(mlirModuleGetOperation(module.0)) }
}

#[test]
fn the_handler_captures_message_and_location_of_verifier_errors() {
    let ctx = Context::new();
    let (id, record) = attach(ctx.0);
    let module = invalid_module(ctx.0);
    assert!(!verifies(&module));
    let seen = record.lock().unwrap().clone();
    let error = seen.iter().find(|d| d.severity == MlirDiagnosticSeverity::MlirDiagnosticError).expect("an error");
    assert!(error.message.contains("'stablehlo.add' op"), "{seen:?}");
    assert_eq!(error.location, r#"loc("model.mlir":7:3)"#);
    // SAFETY: `id` was returned by attaching to this context.
    unsafe { mlirContextDetachDiagnosticHandler(ctx.0, id) };
}

#[test]
fn the_handler_captures_parse_errors_and_parsing_fails_cleanly() {
    let ctx = Context::new();
    let (id, record) = attach(ctx.0);
    let source = "func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %y = stablehlo.add %x, %x : tensor<2xf32>
  return %undefined : tensor<2xf32>
}
";
    let module = parse_module(ctx.0, source.as_bytes());
    assert!(mlirModuleIsNull(module.0));
    let seen = record.lock().unwrap().clone();
    let error = seen.iter().find(|d| d.severity == MlirDiagnosticSeverity::MlirDiagnosticError).expect("an error");
    assert!(error.message.contains("undeclared"), "{seen:?}");
    // Line 3, where `%undefined` is used.
    assert!(error.location.contains(":3:"), "{seen:?}");
    // SAFETY: `id` was returned by attaching to this context.
    unsafe { mlirContextDetachDiagnosticHandler(ctx.0, id) };
}

#[test]
fn detaching_releases_the_user_data_and_stops_the_handler() {
    let ctx = Context::new();
    let (id, record) = attach(ctx.0);
    assert_eq!(Arc::strong_count(&record), 2, "the library holds one reference");
    let module = invalid_module(ctx.0);
    assert!(!verifies(&module));
    let errors_while_attached = record.lock().unwrap().len();
    assert!(errors_while_attached > 0);

    // SAFETY: `id` was returned by attaching to this context; detached once.
    unsafe { mlirContextDetachDiagnosticHandler(ctx.0, id) };
    assert_eq!(Arc::strong_count(&record), 1, "detaching did not release the handler's user data");

    // Another error now goes to the default handler (standard error), not to ours.
    assert!(!verifies(&module));
    assert_eq!(record.lock().unwrap().len(), errors_while_attached);
}

#[test]
fn destroying_the_context_releases_an_attached_handler() {
    let record = {
        let ctx = Context::new();
        let (_id, record) = attach(ctx.0);
        assert_eq!(Arc::strong_count(&record), 2);
        record
    };
    assert_eq!(Arc::strong_count(&record), 1, "destroying the context did not release the handler's user data");
}
