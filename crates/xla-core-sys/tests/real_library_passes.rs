//! Against the real linked library: pass registration and pipelines, and IR printing through
//! `mlirPassManagerEnableIRPrinting`, the function declared by hand with the library's
//! signature (newer than LLVM 19's header): a wrong declaration would not write the tree of
//! files asked for.

mod support;

use std::path::PathBuf;

use support::*;

/// Parses `pipeline` into a new pass manager of `ctx`, or returns the library's error text.
fn pass_manager(ctx: MlirContext, pipeline: &str) -> Result<MlirPassManager, String> {
    // SAFETY: the pass manager is created in `ctx`; the pipeline text outlives the call.
    unsafe {
        let pm = mlirPassManagerCreate(ctx);
        let mut ok = false;
        let error = text(|cb, user| {
            ok = mlirLogicalResultIsSuccess(mlirParsePassPipeline(
                mlirPassManagerGetAsOpPassManager(pm),
                s(pipeline),
                cb,
                user,
            ));
        });
        if ok {
            Ok(pm)
        } else {
            mlirPassManagerDestroy(pm);
            Err(error)
        }
    }
}

#[test]
fn stablehlo_and_shardy_passes_register_and_parse_in_pipelines() {
    let ctx = Context::new();
    // SAFETY: registration only fills the global registry; it may be repeated.
    unsafe {
        mlirRegisterAllStablehloPasses();
        mlirRegisterAllSdyPassesAndPipelines();
    }
    for pipeline in [
        "builtin.module(func.func(chlo-legalize-to-stablehlo))",
        "builtin.module(stablehlo-legalize-to-vhlo)",
        "builtin.module(sdy-propagation-pipeline)",
    ] {
        let pm = pass_manager(ctx.0, pipeline).unwrap_or_else(|e| panic!("{pipeline}: {e}"));
        // SAFETY: created above, destroyed once.
        unsafe { mlirPassManagerDestroy(pm) };
    }
    let error = pass_manager(ctx.0, "builtin.module(no-such-pass)").expect_err("an unknown pass is refused");
    assert!(error.contains("no-such-pass"), "{error}");
}

#[test]
fn ir_printing_writes_a_file_tree_where_asked() {
    let ctx = Context::new();
    let module = build_program(ctx.0);
    let tree = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("ir-printing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tree);
    let tree_text = tree.to_str().expect("a UTF-8 path").to_owned();
    // SAFETY: registration only fills the global registry; it may be repeated.
    unsafe { mlirRegisterTransformsCanonicalizer() };
    let pm = pass_manager(ctx.0, "builtin.module(func.func(canonicalize))").expect("canonicalize parses");
    // SAFETY: `pm`, the flags and the module are live; the path outlives the run, which is when
    // the library writes the files; the flags are copied by the call and destroyed after it.
    let succeeded = unsafe {
        let flags = mlirOpPrintingFlagsCreate();
        mlirPassManagerEnableIRPrinting(pm, false, true, false, false, false, flags, s(&tree_text));
        mlirOpPrintingFlagsDestroy(flags);
        let result = mlirPassManagerRunOnOp(pm, mlirModuleGetOperation(module.0));
        mlirPassManagerDestroy(pm);
        mlirLogicalResultIsSuccess(result)
    };
    assert!(succeeded);
    let mut files = Vec::new();
    collect_files(&tree, &mut files);
    let dumps: Vec<String> = files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect();
    assert!(!dumps.is_empty(), "no file under {}", tree.display());
    assert!(files.iter().any(|f| f.to_string_lossy().contains("canonicalize")), "no dump names the pass: {files:?}");
    assert!(dumps.iter().any(|d| d.contains("stablehlo.dot_general")), "the dumps do not hold the program");
    let _ = std::fs::remove_dir_all(&tree);
}

fn collect_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}
