//! Runs any StableHLO program on a PJRT plugin, with NumPy arrays in and out.
//!
//! ```sh
//! cargo run --release --example run_program -- --plugin cpu PROGRAM [INPUT.npy ...] --out DIR
//! ```
//!
//! - `PROGRAM`: MLIR text, or a portable artifact (MLIR bytecode). Text is parsed and serialized
//!   as a portable artifact for the StableHLO version the plugin reads (the older of the plugin's
//!   `stablehlo_current_version` and the MLIR library's; see `portable_artifact_target`).
//! - `INPUT.npy`: the arguments of `main`, in order.
//! - `--out DIR`: outputs are written as `DIR/out0.npy`, `DIR/out1.npy`... with the program's
//!   element types and shapes. bf16 is written as ml_dtypes writes it (`<V2`, raw bits:
//!   `np.load(p).view(ml_dtypes.bfloat16)`).
//! - `--plugin`: `cpu`, `cuda12`, `cuda13`, `rocm7`, `tpu`, or the path of a plugin. Named plugins
//!   are resolved like the plugin crates resolve them (their variable, the cache, the network).
//!
//! On any error it exits with status 1 and the plugin's own message.

mod npy;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xla_core_sys::stablehlo::portable_artifact_target;
use xla_test_support::mlir::{Context, parse_module, serialize};
use xla_test_support::pjrt::{self, Client, SINGLE_DEVICE_COMPILE_OPTIONS};

/// The first bytes of MLIR bytecode (a portable artifact).
const BYTECODE_MAGIC: &[u8] = b"ML\xefR";

struct Arguments {
    plugin: String,
    program: PathBuf,
    inputs: Vec<PathBuf>,
    out: PathBuf,
}

fn main() -> ExitCode {
    match parse_arguments().and_then(|args| run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("run_program: {error}");
            ExitCode::FAILURE
        }
    }
}

fn parse_arguments() -> Result<Arguments, String> {
    let usage = "usage: run_program --plugin cpu|cuda12|cuda13|rocm7|tpu|PATH PROGRAM [INPUT.npy ...] --out DIR";
    let (mut plugin, mut out, mut positional) = (None, None, Vec::new());
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--plugin") => plugin = Some(args.next().ok_or(usage)?.to_string_lossy().into_owned()),
            Some("--out") => out = Some(PathBuf::from(args.next().ok_or(usage)?)),
            Some("-h" | "--help") => return Err(usage.into()),
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    let mut positional = positional.into_iter();
    Ok(Arguments {
        plugin: plugin.ok_or(usage)?,
        program: positional.next().ok_or(usage)?,
        inputs: positional.collect(),
        out: out.ok_or(usage)?,
    })
}

/// The plugin file `--plugin` names.
fn plugin_path(name: &str) -> Result<PathBuf, String> {
    let artifact = match name {
        "cpu" => return pjrt_cpu_sys::plugin_path().map_err(|e| e.to_string()),
        "cuda12" => "pjrt-cuda12",
        "cuda13" => "pjrt-cuda13",
        "rocm7" => "pjrt-rocm7",
        "tpu" => "pjrt-tpu",
        path => return Ok(PathBuf::from(path)),
    };
    xla_test_support::fixtures::try_artifact(artifact).map_err(|e| e.to_string())
}

fn run(args: &Arguments) -> Result<(), String> {
    let plugin = pjrt_sys::Plugin::load(plugin_path(&args.plugin)?).map_err(|e| e.to_string())?;
    let source = std::fs::read(&args.program).map_err(|e| format!("{}: {e}", args.program.display()))?;
    let code =
        if source.starts_with(BYTECODE_MAGIC) { source } else { portable_artifact(plugin, &source, &args.program)? };

    let client = Client::new(plugin).map_err(|e| format!("creating a client: {e}"))?;
    let device = client
        .addressable_devices()
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .ok_or("the plugin has no device")?;
    let executable =
        client.compile(&code, "mlir", SINGLE_DEVICE_COMPILE_OPTIONS).map_err(|e| format!("compiling: {e}"))?;
    let mut inputs = Vec::new();
    for path in &args.inputs {
        let array = npy::read(path)?;
        let buffer = client
            .buffer_from_host(&array.data, array.element_type, &array.shape, &device)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        inputs.push(buffer);
    }
    let outputs = executable
        .execute_on(&device, &inputs.iter().collect::<Vec<_>>(), &[])
        .map_err(|e| format!("executing: {e}"))?;

    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    for (i, output) in outputs.iter().enumerate() {
        let array = npy::Array {
            element_type: output.element_type().map_err(|e| e.to_string())?,
            shape: output.dimensions().map_err(|e| e.to_string())?,
            data: output.to_host().map_err(|e| e.to_string())?,
        };
        let path = args.out.join(format!("out{i}.npy"));
        npy::write(&path, &array)?;
        let (descr, _) = npy::descriptor(array.element_type).unwrap_or(("?", 0));
        let bf16 = if descr == "<V2" { " (bf16 as ml_dtypes writes it: raw bits)" } else { "" };
        println!("{}: {descr} {:?}{bf16}", path.display(), array.shape);
    }
    Ok(())
}

/// MLIR text, parsed and serialized for the StableHLO version the plugin reads.
fn portable_artifact(plugin: &'static pjrt_sys::Plugin, text: &[u8], path: &Path) -> Result<Vec<u8>, String> {
    let ctx = Context::new();
    let module = parse_module(ctx.0, text);
    if xla_core_sys::mlirModuleIsNull(module.0) {
        return Err(format!("{} does not parse as MLIR (the parser's diagnostics are above)", path.display()));
    }
    let target = portable_artifact_target(pjrt::stablehlo_current_version(plugin));
    serialize(module.0, &target)
        .ok_or_else(|| format!("{} cannot be serialized for StableHLO {target}", path.display()))
}
