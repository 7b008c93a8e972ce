//! The CUDA 13 checks and benchmarks for a machine with an NVIDIA GPU (on any other machine it
//! says, loudly, that it did not run):
//!
//! - the quickstart's layer, `relu(x · w + b)`, and a 4096×4096 f32 matrix product match a
//!   reference computed on the CPU;
//! - a bf16 8192×8192×8192 matrix product's TFLOP/s through the plugin, against PyTorch's on the
//!   same device (target ≥ 0.9×);
//! - host-to-device bandwidth through PJRT buffers, against a pinned-memory copy in PyTorch.
//!
//! Programs are MLIR text, compiled by the plugin itself: the binary links only pjrt-sys, so it
//! can be built here (`cargo bench -p pjrt-cuda13-sys --bench gpu --no-run`) and run where the GPU
//! is, with `PJRT_PLUGIN_CUDA_13_LIB` naming the plugin of that machine's Python.

use std::process::Command;
use std::time::Instant;

use pjrt_sys::PJRT_Buffer_Type as T;
use xla_test_support::pjrt::{Buffer, Client, Device, Executable, SINGLE_DEVICE_COMPILE_OPTIONS};

fn main() {
    let plugin = match pjrt_cuda13_sys::load() {
        Ok(plugin) => plugin,
        Err(error) => return skip(&format!("the CUDA 13 plugin does not load: {error}")),
    };
    let client = match Client::new(plugin) {
        Ok(client) => client,
        Err(error) => return skip(&format!("no CUDA client: {error}")),
    };
    let device = client.addressable_devices().expect("devices")[0];
    println!("CUDA 13 plugin {} (PJRT C API {})", plugin.path().display(), plugin.version());
    quickstart_layer(&client, &device);
    f32_matmul_4096(&client, &device);
    let torch = torch_baselines();
    bf16_matmul_8192(&client, &device, torch.as_ref().map(|t| t.0));
    host_to_device(&client, &device, torch.as_ref().map(|t| t.1));
}

fn skip(reason: &str) {
    eprintln!("\n*** SKIPPED (not a pass): the GPU checks and benchmarks did not run: {reason} ***\n");
}

fn compile(client: &Client, program: &str) -> Executable {
    client.compile(program.as_bytes(), "mlir", SINGLE_DEVICE_COMPILE_OPTIONS).expect("the plugin compiles")
}

fn upload(client: &Client, device: &Device, ty: T, dims: &[i64], bytes: &[u8]) -> Buffer {
    client.buffer_from_host(bytes, ty, dims, device).expect("upload")
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_ne_bytes()).collect()
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(4).map(|c| f32::from_ne_bytes(c.try_into().unwrap())).collect()
}

/// Deterministic values in [-1, 1).
fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

fn quickstart_layer(client: &Client, device: &Device) {
    let program = r#"
func.func @main(%x: tensor<2x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %0 = stablehlo.dot_general %x, %w, contracting_dims = [1] x [0], precision = [HIGHEST, HIGHEST] : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %1 = stablehlo.add %0, %b : tensor<2x2xf32>
  %zero = stablehlo.constant dense<0.0> : tensor<2x2xf32>
  %2 = stablehlo.maximum %1, %zero : tensor<2x2xf32>
  return %2 : tensor<2x2xf32>
}"#;
    let (x, w, b) = ([1.0, 2.0, 3.0, -1.0, 0.5, 2.0], [0.5, -1.0, 1.0, 0.25, -0.5, 2.0], [0.1, 0.2, -3.0, 0.4]);
    let executable = compile(client, program);
    let inputs = [
        upload(client, device, T::PJRT_Buffer_Type_F32, &[2, 3], &f32_bytes(&x)),
        upload(client, device, T::PJRT_Buffer_Type_F32, &[3, 2], &f32_bytes(&w)),
        upload(client, device, T::PJRT_Buffer_Type_F32, &[2, 2], &f32_bytes(&b)),
    ];
    let out =
        f32s(&executable.execute_on(device, &inputs.iter().collect::<Vec<_>>(), &[]).unwrap()[0].to_host().unwrap());
    let expected: Vec<f32> = (0..4)
        .map(|ij| ((0..3).map(|k| x[ij / 2 * 3 + k] * w[k * 2 + ij % 2]).sum::<f32>() + b[ij]).max(0.0))
        .collect();
    let close = out.iter().zip(&expected).all(|(a, e)| (a - e).abs() <= 1e-5 * e.abs().max(1.0));
    println!(
        "quickstart layer on the GPU: {out:?}, CPU reference {expected:?}: {}",
        if close { "match" } else { "MISMATCH" }
    );
    assert!(close, "the GPU's result differs from the CPU reference");
}

fn f32_matmul_4096(client: &Client, device: &Device) {
    const N: usize = 4096;
    let program = format!(
        "func.func @main(%a: tensor<{N}x{N}xf32>, %b: tensor<{N}x{N}xf32>) -> tensor<{N}x{N}xf32> {{\n  %0 = stablehlo.dot_general %a, %b, contracting_dims = [1] x [0], precision = [HIGHEST, HIGHEST] : (tensor<{N}x{N}xf32>, tensor<{N}x{N}xf32>) -> tensor<{N}x{N}xf32>\n  return %0 : tensor<{N}x{N}xf32>\n}}"
    );
    let (a, b) = (values(N * N, 1), values(N * N, 2));
    let executable = compile(client, &program);
    let dims = [N as i64, N as i64];
    let inputs = [
        upload(client, device, T::PJRT_Buffer_Type_F32, &dims, &f32_bytes(&a)),
        upload(client, device, T::PJRT_Buffer_Type_F32, &dims, &f32_bytes(&b)),
    ];
    let c =
        f32s(&executable.execute_on(device, &inputs.iter().collect::<Vec<_>>(), &[]).unwrap()[0].to_host().unwrap());
    // 256 entries spread over the matrix, each recomputed on the CPU in f64.
    let mut worst = 0f64;
    for s in 0..256 {
        let (i, j) = ((s * 2654435761) % N, (s * 40503 + 17) % N);
        let reference: f64 = (0..N).map(|k| a[i * N + k] as f64 * b[k * N + j] as f64).sum();
        worst = worst.max((c[i * N + j] as f64 - reference).abs() / reference.abs().max(1.0));
    }
    println!("f32 4096×4096 product on the GPU against the CPU (256 entries): worst relative error {worst:.2e}");
    assert!(worst < 1e-3, "the GPU's product differs from the CPU reference");
}

fn bf16_matmul_8192(client: &Client, device: &Device, torch_tflops: Option<f64>) {
    const N: usize = 8192;
    let program = format!(
        "func.func @main(%a: tensor<{N}x{N}xbf16>, %b: tensor<{N}x{N}xbf16>) -> tensor<{N}x{N}xbf16> {{\n  %0 = stablehlo.dot_general %a, %b, contracting_dims = [1] x [0] : (tensor<{N}x{N}xbf16>, tensor<{N}x{N}xbf16>) -> tensor<{N}x{N}xbf16>\n  return %0 : tensor<{N}x{N}xbf16>\n}}"
    );
    let bf16 = |v: &[f32]| v.iter().flat_map(|x| ((x.to_bits() >> 16) as u16).to_ne_bytes()).collect::<Vec<u8>>();
    let executable = compile(client, &program);
    let dims = [N as i64, N as i64];
    let inputs = [
        upload(client, device, T::PJRT_Buffer_Type_BF16, &dims, &bf16(&values(N * N, 3))),
        upload(client, device, T::PJRT_Buffer_Type_BF16, &dims, &bf16(&values(N * N, 4))),
    ];
    let arguments: Vec<&Buffer> = inputs.iter().collect();
    for _ in 0..3 {
        executable.execute_on(device, &arguments, &[]).unwrap();
    }
    let runs = 10;
    let start = Instant::now();
    for _ in 0..runs {
        // Each execution waits for its completion event: the time is the device's.
        executable.execute_on(device, &arguments, &[]).unwrap();
    }
    let seconds = start.elapsed().as_secs_f64() / runs as f64;
    let tflops = 2.0 * (N as f64).powi(3) / seconds / 1e12;
    match torch_tflops {
        Some(torch) => println!(
            "bf16 8192³ product: {tflops:.0} TFLOP/s through PJRT, {torch:.0} through PyTorch: ratio {:.3} (target ≥ 0.9)",
            tflops / torch
        ),
        None => println!("bf16 8192³ product: {tflops:.0} TFLOP/s through PJRT (no PyTorch here: no ratio)"),
    }
}

fn host_to_device(client: &Client, device: &Device, torch_gbps: Option<f64>) {
    let bytes = vec![1u8; 1 << 30];
    let dims = [(bytes.len() / 4) as i64];
    upload(client, device, T::PJRT_Buffer_Type_F32, &dims, &bytes[..1 << 20]);
    let start = Instant::now();
    let runs = 5;
    for _ in 0..runs {
        // `buffer_from_host` returns once the host bytes were copied.
        upload(client, device, T::PJRT_Buffer_Type_F32, &dims, &bytes);
    }
    let gbps = (bytes.len() * runs) as f64 / start.elapsed().as_secs_f64() / 1e9;
    match torch_gbps {
        Some(torch) => println!(
            "host→device 1 GiB: {gbps:.1} GB/s through PJRT buffers, {torch:.1} GB/s PyTorch pinned: ratio {:.3}",
            gbps / torch
        ),
        None => println!("host→device 1 GiB: {gbps:.1} GB/s through PJRT buffers (no PyTorch here: no ratio)"),
    }
}

/// PyTorch's bf16 8192³ TFLOP/s and pinned host→device GB/s on the same device, if it is there.
fn torch_baselines() -> Option<(f64, f64)> {
    let script = r#"
import time, torch
n = 8192
a = torch.rand(n, n, device="cuda", dtype=torch.bfloat16); b = torch.rand(n, n, device="cuda", dtype=torch.bfloat16)
for _ in range(3): a @ b
torch.cuda.synchronize(); t = time.perf_counter()
for _ in range(10): a @ b
torch.cuda.synchronize(); s = (time.perf_counter() - t) / 10
print("tflops", 2 * n**3 / s / 1e12)
h = torch.ones(1 << 28, dtype=torch.float32).pin_memory()
h.cuda(); torch.cuda.synchronize(); t = time.perf_counter()
for _ in range(5): h.to("cuda", non_blocking=False)
torch.cuda.synchronize(); print("gbps", (1 << 30) * 5 / (time.perf_counter() - t) / 1e9)
"#;
    let output = Command::new("python3").args(["-c", script]).output().ok().filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&output.stdout);
    let value = |key: &str| text.lines().find_map(|l| l.strip_prefix(key)).and_then(|v| v.trim().parse().ok());
    Some((value("tflops ")?, value("gbps ")?))
}
