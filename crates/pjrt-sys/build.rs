//! Without features, nothing to do: the committed bindings are used. With `generate-bindings`,
//! the bindings are regenerated from the headers in `PJRT_SYS_INCLUDE_DIR`.

#[cfg(feature = "generate-bindings")]
#[path = "build/generate.rs"]
mod generate;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    #[cfg(feature = "generate-bindings")]
    if let Err(error) = regenerate() {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

#[cfg(feature = "generate-bindings")]
fn regenerate() -> Result<(), String> {
    println!("cargo::rerun-if-changed=build/generate.rs");
    println!("cargo::rerun-if-env-changed=PJRT_SYS_INCLUDE_DIR");
    let include = std::env::var_os("PJRT_SYS_INCLUDE_DIR").ok_or(
        "the `generate-bindings` feature needs PJRT_SYS_INCLUDE_DIR: the include directory holding \
         xla/pjrt/c/pjrt_c_api.h (e.g. tensorflow/include of a tf-nightly wheel)",
    )?;
    let include = std::path::PathBuf::from(include);
    println!("cargo::rerun-if-changed={}", include.join("xla/pjrt").display());
    let generated = generate::generate(&include)?;
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    std::fs::write(out.join("pjrt.rs"), generated.pjrt).map_err(|e| e.to_string())?;
    std::fs::write(out.join("xla_ffi.rs"), generated.xla_ffi).map_err(|e| e.to_string())?;
    Ok(())
}
