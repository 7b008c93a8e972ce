//! `cargo xtask <command>`: project automation for ryft-xla-sys. Run `cargo xtask help`.

mod bench;
mod bindings;
mod bump;
mod cache;
mod check;
mod doctor;
mod fetch;
mod mlir_bindings;
mod protos;
mod test;
mod workspace;

use std::ffi::OsString;
use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <command>

Commands:
  test                                  the whole suite, as CI runs it (fmt, clippy, tests, features, check)
  bench                                 every benchmark, with its ratios, and the no-op rebuild check
  check [--no-package]                  prove the release set consistent: manifest, crates, generated code, packages
  fetch --dest DIR [--target T]... [--features F,G | --all-features]
                                        fill a vendor directory with every artifact those builds need
  cache [list | verify | clean [--unused|--all]]   what the artifact cache holds; re-hash; prune
  doctor [--features F,G | --all-features]    where each artifact comes from, whether it loads, its devices
  bindings [--include DIR] [--check]   regenerate pjrt-sys's bindings from the PJRT headers
  bump-xla --jax V [--xla-commit SHA] [--set ARTIFACT=V]... [--dry-run]   move the release set (see --help)
  protos [--check] [--list [--from ARTIFACT]]   regenerate xla-protos from the schemas the plugins embed
  mlir-bindings [--include DIR] [--library PATH] [--check]   regenerate xla-core-sys's MLIR bindings and symbol lists
  help                                  this text
";

/// Generators whose output is committed, checked by `cargo xtask check` with `--check`.
const GENERATED_CHECKS: &[(&str, &str)] =
    &[("protos", "xla-protos's generated messages"), ("mlir-bindings", "xla-core-sys's MLIR bindings")];

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let command = args.next().map(|c| c.to_string_lossy().into_owned()).unwrap_or_else(|| "help".into());
    match dispatch(&command, args.collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one command with its arguments.
fn dispatch(command: &str, rest: Vec<OsString>) -> anyhow::Result<()> {
    match command {
        "test" => test::run(rest),
        "bench" => bench::run(rest),
        "check" => check::run(rest),
        "fetch" => fetch::run(rest),
        "cache" => cache::run(rest),
        "doctor" => doctor::run(rest),
        "bindings" => bindings::run(rest),
        "bump-xla" => bump::run(rest),
        "mlir-bindings" => mlir_bindings::run(rest),
        "protos" => protos::run(rest),
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => anyhow::bail!("unknown command {other:?}\n\n{HELP}"),
    }
}
