//! Against the real linked library: a StableHLO program built through the C API (dot_general,
//! add, reduce with its region) verifies, prints, runs in the reference interpreter, serializes
//! as a portable artifact for the current and the minimum StableHLO version, and reads back.

mod support;

use support::*;

/// The MLIR bytecode magic number, which starts every portable artifact.
const BYTECODE_MAGIC: &[u8] = b"ML\xefR";

#[test]
fn a_program_built_through_the_c_api_verifies_and_prints() {
    let ctx = Context::new();
    let module = build_program(ctx.0);
    // SAFETY: the module is live.
    assert!(unsafe { mlirOperationVerify(mlirModuleGetOperation(module.0)) }, "{}", print_module(module.0));
    let printed = print_module(module.0);
    for expected in [
        "func.func @main(%arg0: tensor<2x3xf32>, %arg1: tensor<3x4xf32>, %arg2: tensor<2x4xf32>) -> tensor<2xf32>",
        "stablehlo.dot_general %arg0, %arg1, contracting_dims = [1] x [0]",
        "stablehlo.add",
        "stablehlo.reduce",
        "dimensions = [1]",
    ] {
        assert!(printed.contains(expected), "{expected:?} is not in\n{printed}");
    }
    // The text parses back into the same module.
    let reparsed = parse_module(ctx.0, printed.as_bytes());
    assert!(!mlirModuleIsNull(reparsed.0), "the printed module does not parse:\n{printed}");
    assert_eq!(print_module(reparsed.0), printed);
}

#[test]
fn the_reference_interpreter_computes_what_rust_computes() {
    let ctx = Context::new();
    let module = build_program(ctx.0);
    let (lhs, rhs, bias) = program_inputs();
    let expected = program_expected(&lhs, &rhs, &bias);
    let dense = |dims: &[i64], values: &[f32]| {
        // SAFETY: `values` holds as many elements as the shape, and outlives the call.
        unsafe { mlirDenseElementsAttrFloatGet(f32_tensor(ctx.0, dims), values.len() as isize, values.as_ptr()) }
    };
    let (m, k, n) = (M as i64, K as i64, N as i64);
    let args = [dense(&[m, k], &lhs), dense(&[k, n], &rhs), dense(&[m, n], &bias)];
    let mut error = 0;
    // SAFETY: the module is verified-valid, the arguments match its parameters, and `error`
    // outlives the call (the library writes it only on failure).
    let results = unsafe { stablehloEvalModule(module.0, args.len() as i32, args.as_ptr(), &mut error) };
    assert_eq!(error, 0);
    assert!(!mlirAttributeIsNull(results));
    // SAFETY: on success the result is an array attribute of dense elements attributes.
    let got: Vec<f32> = unsafe {
        assert_eq!(mlirArrayAttrGetNumElements(results), 1);
        let output = mlirArrayAttrGetElement(results, 0);
        (0..M as isize).map(|i| mlirDenseElementsAttrGetFloatValue(output, i)).collect()
    };
    assert_close(&got, &expected);
}

#[test]
fn versions_are_reported_and_ordered() {
    let current = version(stablehloGetCurrentVersion);
    let minimum = version(stablehloGetMinimumVersion);
    for v in [&current, &minimum] {
        assert!(v.split('.').count() == 3 && v.split('.').all(|p| p.parse::<u32>().is_ok()), "{v:?}");
    }
    let smaller = text(|cb, user| {
        // SAFETY: the versions outlive the call.
        let result = unsafe { stablehloGetSmallerVersion(s(&current), s(&minimum), cb, user) };
        assert!(mlirLogicalResultIsSuccess(result));
    });
    assert_eq!(smaller, minimum);
    let widest = text(|cb, user| {
        // SAFETY: MAX is one of the four valid requirements.
        unsafe { stablehloVersionFromCompatibilityRequirement(MlirStablehloCompatibilityRequirement::MAX, cb, user) }
    });
    assert_eq!(widest, minimum);
    let newest = text(|cb, user| {
        // SAFETY: NONE is one of the four valid requirements.
        unsafe { stablehloVersionFromCompatibilityRequirement(MlirStablehloCompatibilityRequirement::NONE, cb, user) }
    });
    assert_eq!(newest, current);
    let mut succeeded = false;
    let failed = collect(|cb, user| {
        // SAFETY: the strings outlive the call.
        let result = unsafe { stablehloGetSmallerVersion(s("not a version"), s(&current), cb, user) };
        succeeded = mlirLogicalResultIsSuccess(result);
    });
    assert!(!succeeded && failed.is_empty(), "no callback on failure");
    // SAFETY: no argument.
    assert!(unsafe { stablehloGetApiVersion() } > 0);
}

#[test]
fn portable_artifacts_round_trip_for_the_current_and_the_minimum_version() {
    let ctx = Context::new();
    let module = build_program(ctx.0);
    let printed = print_module(module.0);
    let current = version(stablehloGetCurrentVersion);
    let minimum = version(stablehloGetMinimumVersion);
    assert_ne!(current, minimum, "the library should offer more than one target version");
    let mut artifacts = Vec::new();
    for target in [&current, &minimum] {
        let artifact = serialize(module.0, target).unwrap_or_else(|| panic!("serializing for {target} failed"));
        assert!(artifact.starts_with(BYTECODE_MAGIC), "not MLIR bytecode: {:02x?}", &artifact[..8.min(artifact.len())]);
        let producer = format!("StableHLO_v{target}");
        assert!(contains(&artifact, producer.as_bytes()), "the artifact for {target} does not name {producer}");

        // Back into a module of the same context: the same program.
        // SAFETY: the artifact outlives the call; the module returned is owned by `read`.
        let read = Module(unsafe { stablehloDeserializePortableArtifactNoError(s_bytes(&artifact), ctx.0) });
        assert!(!mlirModuleIsNull(read.0), "the artifact for {target} does not read back");
        // SAFETY: the module is live.
        assert!(unsafe { mlirOperationVerify(mlirModuleGetOperation(read.0)) });
        assert_eq!(print_module(read.0), printed, "the artifact for {target} reads back as another program");

        // Back as MLIR bytecode, which parses into the same program too.
        let mut ok = false;
        let bytecode = collect(|cb, user| {
            // SAFETY: the artifact outlives the call.
            let result = unsafe { stablehloDeserializePortableArtifact(s_bytes(&artifact), cb, user) };
            ok = mlirLogicalResultIsSuccess(result);
        });
        assert!(ok && bytecode.starts_with(BYTECODE_MAGIC));
        let parsed = parse_module(ctx.0, &bytecode);
        assert!(!mlirModuleIsNull(parsed.0));
        assert_eq!(print_module(parsed.0), printed);
        artifacts.push(artifact);
    }
    assert_ne!(artifacts[0], artifacts[1], "artifacts for different versions should differ");
}

#[test]
fn serialization_refuses_versions_the_library_cannot_write() {
    let ctx = Context::new();
    let module = build_program(ctx.0);
    let current = version(stablehloGetCurrentVersion);
    let (major, rest) = current.split_once('.').expect("a dotted version");
    let future = format!("{}.{rest}", major.parse::<u32>().unwrap() + 1);
    for target in [future.as_str(), "0.0.1", "not a version"] {
        assert!(serialize(module.0, target).is_none(), "serializing for {target:?} should fail");
    }
}

#[test]
fn garbage_is_not_read_as_an_artifact() {
    let ctx = Context::new();
    // SAFETY: the bytes outlive the call; a null module is returned on failure. The library
    // reports why on the context's default handler (standard error).
    let read = Module(unsafe { stablehloDeserializePortableArtifactNoError(s("not an artifact"), ctx.0) });
    assert!(mlirModuleIsNull(read.0));
}

/// A string reference to arbitrary bytes (artifacts are binary).
fn s_bytes(bytes: &[u8]) -> MlirStringRef {
    mlirStringRefCreate(bytes.as_ptr().cast(), bytes.len())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn assert_close(got: &[f32], expected: &[f32]) {
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(expected) {
        assert!((g - e).abs() <= 1e-4 * e.abs().max(1.0), "got {got:?}, expected {expected:?}");
    }
}
