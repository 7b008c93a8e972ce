//! Each loader error with a real bad input: a text file, an object that is not shared, a shared
//! library without `GetPjrtApi`, a plugin with a missing dependency (the release set's ROCm plugin
//! on a machine without ROCm), another machine's plugin (the release set's Metal plugin). Two cases
//! cannot be had from a real plugin (another major version, a failing initialization): for those,
//! STAND-IN plugins are compiled here from C, their layout taken from these bindings.

use std::path::{Path, PathBuf};
use std::process::Command;

use pjrt_sys::*;
use xla_test_support::fixtures;

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn a_missing_file_is_reported_with_its_path() {
    match Plugin::load("/nonexistent/pjrt_plugin.so") {
        Err(LoadError::NotFound { path, .. }) => assert_eq!(path, Path::new("/nonexistent/pjrt_plugin.so")),
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[test]
fn a_text_file_is_not_a_shared_library() {
    let dir = dir();
    let path = dir.path().join("plugin.so");
    std::fs::write(&path, "this is not a plugin\n").unwrap();
    let error = Plugin::load(&path).unwrap_err();
    assert!(matches!(error, LoadError::NotASharedLibrary { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains(&path.display().to_string()) && text.contains("expected a shared library"), "{text}");
}

#[test]
fn an_object_file_is_not_a_shared_library() {
    let dir = dir();
    let object = compile(dir.path(), "int answer(void) { return 42; }\n", "object.o", &["-c"]);
    let error = Plugin::load(&object).unwrap_err();
    assert!(matches!(error, LoadError::NotASharedLibrary { .. }), "{error:?}");
    assert!(error.to_string().contains("not a shared library"), "{error}");
}

#[test]
fn a_shared_library_without_get_pjrt_api_is_not_a_plugin() {
    let dir = dir();
    let library = compile(dir.path(), "int answer(void) { return 42; }\n", "libanswer.so", &["-shared", "-fPIC"]);
    let error = Plugin::load(&library).unwrap_err();
    assert!(matches!(error, LoadError::NoGetPjrtApi { .. }), "{error:?}");
    assert!(error.to_string().contains("does not export GetPjrtApi"), "{error}");
}

#[test]
fn a_missing_dependency_is_named_as_the_loader_reports_it() {
    let rocm = fixtures::artifact("pjrt-rocm7");
    match Plugin::load(&rocm) {
        Err(LoadError::MissingDependency { path, library, .. }) => {
            assert_eq!(path, rocm);
            assert_eq!(library, "librocprofiler-sdk.so.1");
        }
        other => panic!("expected MissingDependency, got {other:?}"),
    }
}

#[test]
fn another_machines_plugin_is_refused_before_loading() {
    let metal = fixtures::try_artifact_for("pjrt-metal", "aarch64-apple-darwin").unwrap();
    let error = Plugin::load(&metal).unwrap_err();
    match &error {
        LoadError::WrongArchitecture { expected, found, .. } => {
            assert_eq!(found, "Mach-O arm64");
            assert!(expected.starts_with("ELF"), "{expected}");
        }
        other => panic!("expected WrongArchitecture, got {other:?}"),
    }
}

#[test]
fn a_plugin_of_another_major_version_is_refused_with_both_versions() {
    let dir = dir();
    let plugin = stand_in_plugin(dir.path(), 1, 3, false);
    let error = Plugin::load(&plugin).unwrap_err();
    match &error {
        LoadError::MajorVersionMismatch { expected, found, path } => {
            assert_eq!(*expected, ApiVersion::BINDINGS);
            assert_eq!(*found, ApiVersion { major: 1, minor: 3 });
            assert_eq!(path, &plugin);
        }
        other => panic!("expected MajorVersionMismatch, got {other:?}"),
    }
    assert!(error.to_string().contains("implements PJRT C API 1.3, but these bindings are for 0.115"), "{error}");
}

#[test]
fn a_failing_initialization_is_reported_with_the_plugins_message() {
    let dir = dir();
    let plugin = stand_in_plugin(dir.path(), 0, 115, true);
    match Plugin::load(&plugin) {
        Err(LoadError::InitializationFailed { error, .. }) => {
            assert_eq!(error.message, "stand-in plugin: initialization refused");
            assert_eq!(error.code, PJRT_Error_Code::PJRT_Error_Code_FAILED_PRECONDITION);
        }
        other => panic!("expected InitializationFailed, got {other:?}"),
    }
}

/// Compiles C `source` with the system C compiler (`$CC`, else `cc`).
fn compile(dir: &Path, source: &str, output: &str, flags: &[&str]) -> PathBuf {
    let c = dir.join(format!("{output}.c"));
    std::fs::write(&c, source).unwrap();
    let out = dir.join(output);
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&compiler)
        .args(flags)
        .arg(&c)
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap_or_else(|e| panic!("these tests need a C compiler ({compiler}): {e}"));
    assert!(status.success(), "{compiler} failed on {}", c.display());
    out
}

/// A STAND-IN plugin: `GetPjrtApi` returns a `PJRT_Api` of this bindings' size reporting
/// `major.minor`; with `failing_init`, its `PJRT_Plugin_Initialize` returns an error whose message,
/// code and destruction go through the stand-in's `PJRT_Error_*` functions. Offsets come from the
/// bindings, so the stand-in has exactly the layout they expect.
fn stand_in_plugin(dir: &Path, major: i32, minor: i32, failing_init: bool) -> PathBuf {
    use std::mem::offset_of;
    let version = offset_of!(PJRT_Api, pjrt_api_version);
    let source = format!(
        r#"#include <stddef.h>
#include <string.h>
static unsigned char api[{api_size}];
static int the_error;
static const char* message = "stand-in plugin: initialization refused";
static void* initialize(void* args) {{ (void)args; return {failing} ? (void*)&the_error : (void*)0; }}
static void error_message(char* args) {{
  *(const char**)(args + {message_ptr}) = message;
  *(size_t*)(args + {message_size}) = strlen(message);
}}
static void error_destroy(char* args) {{ (void)args; }}
static void* error_code(char* args) {{ *(int*)(args + {code}) = 9; return (void*)0; }}
void* GetPjrtApi(void) {{
  *(size_t*)(api) = {api_size};
  *(size_t*)(api + {version}) = {version_size};
  *(int*)(api + {major_offset}) = {major};
  *(int*)(api + {minor_offset}) = {minor};
  *(void**)(api + {initialize}) = (void*)initialize;
  *(void**)(api + {error_message}) = (void*)error_message;
  *(void**)(api + {error_destroy}) = (void*)error_destroy;
  *(void**)(api + {error_code}) = (void*)error_code;
  return api;
}}
"#,
        api_size = PJRT_Api_STRUCT_SIZE,
        failing = i32::from(failing_init),
        message_ptr = offset_of!(PJRT_Error_Message_Args, message),
        message_size = offset_of!(PJRT_Error_Message_Args, message_size),
        code = offset_of!(PJRT_Error_GetCode_Args, code),
        version_size = PJRT_Api_Version_STRUCT_SIZE,
        major_offset = version + offset_of!(PJRT_Api_Version, major_version),
        minor_offset = version + offset_of!(PJRT_Api_Version, minor_version),
        initialize = offset_of!(PJRT_Api, PJRT_Plugin_Initialize),
        error_message = offset_of!(PJRT_Api, PJRT_Error_Message),
        error_destroy = offset_of!(PJRT_Api, PJRT_Error_Destroy),
        error_code = offset_of!(PJRT_Api, PJRT_Error_GetCode),
    );
    compile(dir, &source, &format!("libstand_in_{major}_{minor}_{failing_init}.so"), &["-shared", "-fPIC"])
}
