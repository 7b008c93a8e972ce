//! Resolution benchmarks, as ratios against baselines measured in the same run:
//!
//! - cold resolution of the CPU plugin (pip + verification + extraction into an empty cache)
//!   against a bare `pip download` of the same wheel with the same pip flags (target ≤ 1.25×),
//!   twice: from the package index, then from a FAKE link, a loopback find-links server. The ratio
//!   depends on the link: the faster pip downloads, the more of the inflation is left once it is
//!   done. Loopback is the fastest link pip can have here, so its ratio is the worst case;
//! - warm resolution (target ≤ 50 ms);
//! - peak RSS of a process resolving the 188 MB CUDA 12 wheel into an empty cache (target ≤ 64 MiB;
//!   pip's own process is not counted: it is pip's).
//!
//! `cargo bench -p xla-artifacts --bench resolution`. Needs the network (the real package index).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use xla_artifacts::{Env, Manifest, Resolver, SourceLocation};

const TARGET: &str = "x86_64-unknown-linux-gnu";
const ROUNDS: usize = 9;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // The RSS measurement runs this binary again as a child: `resolution --rss-child ARTIFACT CACHE`.
    if let Some(i) = args.iter().position(|a| a == "--rss-child") {
        return rss_child(&args[i + 1], Path::new(&args[i + 2]));
    }
    xla_artifacts::progress::set_quiet(true);
    let manifest = Manifest::embedded().unwrap();
    cold_against_pip(manifest, None);
    let wheels = tempfile::tempdir().unwrap();
    let server = LoopbackServer::start(manifest, wheels.path());
    cold_against_pip(manifest, Some(&server.url));
    drop(server);
    warm(manifest);
    peak_rss("pjrt-cuda12");
}

fn resolver<'m>(manifest: &'m Manifest, cache: &Path) -> Resolver<'m> {
    resolver_with(manifest, cache, &[])
}

fn resolver_with<'m>(manifest: &'m Manifest, cache: &Path, extra: &[(&str, &str)]) -> Resolver<'m> {
    let mut vars: Vec<(String, std::ffi::OsString)> =
        std::env::vars_os().map(|(k, v)| (k.to_string_lossy().into_owned(), v)).collect();
    vars.push(("RYFT_XLA_SYS_CACHE_DIR".into(), cache.into()));
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.into())));
    Resolver::new(manifest, Env::fixed(vars))
}

/// A FAKE link for the worst case of the cold ratio: Python's `http.server` on loopback, serving a
/// directory that holds the CPU plugin wheel, which pip reads as a find-links page.
struct LoopbackServer {
    child: std::process::Child,
    url: String,
}

impl LoopbackServer {
    fn start(manifest: &Manifest, dir: &Path) -> Self {
        let source = &manifest.artifact("pjrt-cpu").unwrap().sources[0];
        let cache = tempfile::tempdir().unwrap();
        let wheel = resolver(manifest, cache.path()).fetch_archive(source).unwrap();
        std::fs::copy(&wheel, dir.join(wheel.file_name().unwrap())).unwrap();
        let mut child = Command::new("python3")
            .args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory"])
            .arg(dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ..."
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
        let port = line.split_whitespace().skip_while(|w| *w != "port").nth(1).expect("http.server says its port");
        Self { child, url: format!("http://127.0.0.1:{port}/") }
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// From the package index, or from the find-links page at `links` alone.
fn cold_against_pip(manifest: &Manifest, links: Option<&str>) {
    let source = &manifest.artifact("pjrt-cpu").unwrap().sources[0];
    let find_links: Vec<&str> = links.map(|l| vec!["--no-index", "--find-links", l]).unwrap_or_default();
    let extra: Vec<(&str, &str)> = links.map(|l| ("RYFT_XLA_SYS_PIP_FIND_LINKS", l)).into_iter().collect();
    let SourceLocation::PypiWheel { package, version, .. } = &source.location else { panic!("a pypi source") };
    let (mut pip, mut ours) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        // The baseline: the same pip command the engine runs, alone.
        let dir = tempfile::tempdir().unwrap();
        let start = Instant::now();
        let status = Command::new("python3")
            .args(["-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "--ignore-requires-python"])
            .args(["--disable-pip-version-check", "--no-input", "--no-cache-dir", "--dest"])
            .arg(dir.path())
            .args(["--python-version", "3", "--implementation", "py", "--abi", "none"])
            .args(["--platform", "manylinux_2_27_x86_64"])
            .args(&find_links)
            .arg(format!("{package}=={version}"))
            .status()
            .unwrap();
        assert!(status.success());
        pip.push(start.elapsed().as_secs_f64());

        let cache = tempfile::tempdir().unwrap();
        let start = Instant::now();
        resolver_with(manifest, cache.path(), &extra).resolve("pjrt-cpu", TARGET).unwrap();
        ours.push(start.elapsed().as_secs_f64());
    }
    let (pip, ours) = (median(pip), median(ours));
    let link = match links {
        None => "from the package index",
        Some(_) => "from a FAKE loopback find-links server, the worst case here",
    };
    println!("cold resolution of the CPU plugin (62.7 MB wheel, 201.6 MB plugin) {link}, median of {ROUNDS}:");
    println!("  bare pip download : {pip:>7.3} s");
    println!("  engine, cold      : {ours:>7.3} s (pip + SHA-256 + extraction + cache commit)");
    println!("  ratio engine/pip = {:.3} (target ≤ 1.25)", ours / pip);
}

fn warm(manifest: &Manifest) {
    let cache = tempfile::tempdir().unwrap();
    resolver(manifest, cache.path()).resolve("pjrt-cpu", TARGET).unwrap();
    let times: Vec<f64> = (0..20)
        .map(|_| {
            let start = Instant::now();
            resolver(manifest, cache.path()).resolve("pjrt-cpu", TARGET).unwrap();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let full: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            resolver_with(manifest, cache.path(), &[("RYFT_XLA_SYS_VERIFY", "full")])
                .resolve("pjrt-cpu", TARGET)
                .unwrap();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    println!("warm resolution of the CPU plugin, median of 20:");
    println!("  {:.3} ms (target ≤ 50 ms; ratio to target {:.4})", median(times.clone()), median(times) / 50.0);
    println!("  {:.1} ms with RYFT_XLA_SYS_VERIFY=full (re-hashes the 201.6 MB plugin)", median(full));
}

fn peak_rss(artifact: &str) {
    let cache = tempfile::tempdir().unwrap();
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--rss-child", artifact])
        .arg(cache.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    let kib: f64 = text.lines().find_map(|l| l.strip_prefix("VmHWM_kB=")).unwrap().parse().unwrap();
    let size: f64 = text.lines().find_map(|l| l.strip_prefix("member_bytes=")).unwrap().parse().unwrap();
    println!("peak RSS resolving {artifact} into an empty cache (188.2 MB wheel, {:.1} MB plugin):", size / 1e6);
    println!("  {:.1} MiB (target ≤ 64 MiB; ratio to target {:.3})", kib / 1024.0, kib / 1024.0 / 64.0);
}

fn rss_child(artifact: &str, cache: &Path) {
    xla_artifacts::progress::set_quiet(true);
    let manifest = Manifest::embedded().unwrap();
    let resolved = resolver(manifest, cache).resolve(artifact, TARGET).unwrap();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let hwm = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).unwrap().trim().trim_end_matches(" kB").trim();
    println!("VmHWM_kB={hwm}");
    println!("member_bytes={}", std::fs::metadata(resolved.path).unwrap().len());
}
