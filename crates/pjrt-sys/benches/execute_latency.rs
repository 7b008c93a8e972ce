//! Execute latency of a tiny program (f32[4] add) on the CPU plugin through these bindings, against
//! the same calls from a C program built in the same run (benches/execute_harness.c, compiled with
//! the release set's pjrt_c_api.h), and the time to load and initialize the plugin.
//!
//! `cargo bench -p pjrt-sys --bench execute_latency`. Target: bindings / C ≤ 1.05.

use std::process::Command;
use std::time::Instant;

use pjrt_sys::*;

const ITERATIONS: usize = 2000;
const BATCHES: usize = 7;

fn main() {
    let plugin_path = pjrt_cpu_sys::plugin_path().expect("the CPU plugin");
    // The C harness runs before and after the bindings, so that drift over the run (frequency,
    // caches, other load) weighs on both sides.
    let (c_load, mut c_batches) = run_c_harness(&plugin_path);

    let start = Instant::now();
    let plugin = Plugin::load(&plugin_path).expect("the CPU plugin loads");
    let rust_load = start.elapsed().as_nanos() as f64;
    let rust_batches = rust_loop(plugin);
    let (c_load_after, c_after) = run_c_harness(&plugin_path);
    c_batches.extend(c_after);
    let c_load = c_load.min(c_load_after);

    let c = median(c_batches);
    let rust = median(rust_batches);
    println!(
        "execute f32[4] add, CPU plugin, median of batches of {ITERATIONS} calls ({BATCHES} bindings, {} C):",
        2 * BATCHES
    );
    println!("  C harness : {:>8.2} µs/call", c / 1e3);
    println!("  bindings  : {:>8.2} µs/call", rust / 1e3);
    println!("  ratio bindings/C = {:.3} (target ≤ 1.05)", rust / c);
    println!("plugin load + PJRT_Plugin_Initialize:");
    println!("  C harness : {:>8.1} ms (faster of two runs)", c_load / 1e6);
    println!("  bindings  : {:>8.1} ms (Plugin::load, with its format check)", rust_load / 1e6);
    println!("  ratio bindings/C = {:.3}", rust_load / c_load);
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Builds the C harness against the release set's headers and runs it.
fn run_c_harness(plugin: &std::path::Path) -> (f64, Vec<f64>) {
    let headers = xla_test_support::fixtures::artifact("pjrt-headers");
    // The artifact is the `xla/` folder: includes are relative to its parent.
    let include = headers.parent().expect("the xla/ folder has a parent");
    let out = tempfile::tempdir().unwrap();
    let binary = out.path().join("execute_harness");
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/execute_harness.c");
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&compiler)
        .args(["-O2", "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-I"])
        .arg(include)
        .arg(source)
        .arg("-o")
        .arg(&binary)
        .arg("-ldl")
        .status()
        .unwrap_or_else(|e| panic!("the benchmark needs a C compiler ({compiler}): {e}"));
    assert!(status.success(), "compiling the C harness failed");
    let output = Command::new(&binary)
        .arg(plugin)
        .arg(ITERATIONS.to_string())
        .arg(BATCHES.to_string())
        .output()
        .expect("the C harness runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    let value = |line: &str, key: &str| line.strip_prefix(key).map(|v| v.trim().parse::<f64>().unwrap());
    let load = text.lines().find_map(|l| value(l, "load_init_ns=")).expect("load time");
    let batches = text.lines().filter_map(|l| value(l, "batch_ns_per_call=")).collect();
    (load, batches)
}

fn check(plugin: &Plugin, error: *mut PJRT_Error, what: &str) {
    // SAFETY: `error` was just returned by this plugin.
    if let Some(error) = unsafe { plugin.take_error(error) } {
        panic!("{what}: {error}");
    }
}

fn await_and_destroy(plugin: &Plugin, event: *mut PJRT_Event) {
    let mut wait = PJRT_Event_Await_Args::new();
    wait.event = event;
    // SAFETY: a live event of this plugin; args initialised.
    check(plugin, unsafe { plugin.api().PJRT_Event_Await().unwrap()(&mut wait) }, "PJRT_Event_Await");
    let mut destroy = PJRT_Event_Destroy_Args::new();
    destroy.event = event;
    // SAFETY: destroying the event once.
    check(plugin, unsafe { plugin.api().PJRT_Event_Destroy().unwrap()(&mut destroy) }, "PJRT_Event_Destroy");
}

/// The same calls as the C harness, through these bindings (checked accessors on every call).
fn rust_loop(plugin: &'static Plugin) -> Vec<f64> {
    let client = xla_test_support::pjrt::Client::new(plugin).unwrap();
    let device = client.addressable_devices().unwrap()[0];
    let executable = client
        .compile(
            xla_test_support::programs::ADD_F32_4.as_bytes(),
            "mlir",
            xla_test_support::pjrt::SINGLE_DEVICE_COMPILE_OPTIONS,
        )
        .unwrap();
    let bytes = |v: [f32; 4]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let f32 = PJRT_Buffer_Type::PJRT_Buffer_Type_F32;
    let a = client.buffer_from_host(&bytes([1.0, 2.0, 3.0, 4.0]), f32, &[4], &device).unwrap();
    let b = client.buffer_from_host(&bytes([10.0, 20.0, 30.0, 40.0]), f32, &[4], &device).unwrap();
    let inputs = [a.raw(), b.raw()];
    let argument_lists = [inputs.as_ptr()];
    let keep = [0i64, 1];
    let mut options = PJRT_ExecuteOptions::new();
    options.non_donatable_input_indices = keep.as_ptr();
    options.num_non_donatable_input_indices = keep.len();

    let mut batches = Vec::new();
    for batch in 0..=BATCHES {
        let begin = Instant::now();
        for _ in 0..ITERATIONS {
            let mut outputs = [std::ptr::null_mut::<PJRT_Buffer>()];
            let output_lists = [outputs.as_mut_ptr()];
            let mut done = [std::ptr::null_mut::<PJRT_Event>()];
            let mut execute = PJRT_LoadedExecutable_Execute_Args::new();
            execute.executable = executable.raw();
            execute.options = &mut options;
            execute.argument_lists = argument_lists.as_ptr();
            execute.num_devices = 1;
            execute.num_args = 2;
            execute.output_lists = output_lists.as_ptr();
            execute.device_complete_events = done.as_mut_ptr();
            execute.execute_device = device.raw();
            let function = plugin.api().PJRT_LoadedExecutable_Execute().expect("0.115 has Execute");
            // SAFETY: every pointer in `execute` is live for the call, as the C API requires.
            check(plugin, unsafe { function(&mut execute) }, "PJRT_LoadedExecutable_Execute");
            await_and_destroy(plugin, done[0]);
            let mut destroy = PJRT_Buffer_Destroy_Args::new();
            destroy.buffer = outputs[0];
            // SAFETY: destroying the output once.
            check(plugin, unsafe { plugin.api().PJRT_Buffer_Destroy().unwrap()(&mut destroy) }, "PJRT_Buffer_Destroy");
        }
        // Batch 0 warms up, as in the C harness.
        if batch > 0 {
            batches.push(begin.elapsed().as_nanos() as f64 / ITERATIONS as f64);
        }
    }
    batches
}
