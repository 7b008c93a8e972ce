//! `cargo xtask <command>`: project automation for ryft-xla-sys. Run `cargo xtask help`.

mod bindings;
mod workspace;

use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <command>

Commands:
  bindings [--include DIR] [--check]   regenerate pjrt-sys's bindings from the PJRT headers
  help                                  this text
";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let command = args.next().map(|c| c.to_string_lossy().into_owned()).unwrap_or_else(|| "help".into());
    let rest: Vec<_> = args.collect();
    match command.as_str() {
        "bindings" => bindings::run(rest),
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => anyhow::bail!("unknown command {other:?}\n\n{HELP}"),
    }
}
