//! Where the headers came from: the installed Debian package's version (`dpkg-query`) and the
//! SHA-256 of its `.deb` as the archive index records it (`apt-cache show`).

use std::process::Command;

use anyhow::{Context, bail};

/// `"<package> <version> (Debian; .deb SHA-256 <hex>)"` for an installed package.
pub fn debian_package(package: &str) -> anyhow::Result<String> {
    let version = output("dpkg-query", &["-W", "-f=${Version}", package])
        .with_context(|| format!("{package} is not installed: `apt-get install {package}`"))?;
    let version = version.trim();
    if version.is_empty() {
        bail!("{package} is not installed: `apt-get install {package}`");
    }
    let record = output("apt-cache", &["show", &format!("{package}={version}")])
        .with_context(|| format!("the apt index has no record of {package} {version}: `apt-get update`"))?;
    let sha256 = record
        .lines()
        .find_map(|l| l.strip_prefix("SHA256:"))
        .map(str::trim)
        .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .with_context(|| format!("`apt-cache show {package}={version}` gives no SHA256 field"))?;
    Ok(format!("{package} {version} (Debian; .deb SHA-256 {sha256})"))
}

fn output(program: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(program).args(args).output().with_context(|| format!("running {program}"))?;
    if !out.status.success() {
        bail!("`{program} {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
