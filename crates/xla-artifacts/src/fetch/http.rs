//! Fetching a pinned file over HTTP(S), or from a `file://` mirror: streamed to disk and hashed on
//! the way, bounded by the pinned size, retried with backoff on transient failures, through the
//! proxy the standard variables name.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::Duration;

use crate::digest::{HashingWriter, Sha256Digest};
use crate::env::{self, Env};
use crate::error::{Error, Result};

/// Transfer settings, read from the environment.
#[derive(Debug, Clone)]
pub(crate) struct HttpSettings {
    /// Longest wait for progress (connecting, or between two reads of the body).
    pub(crate) stall_timeout: Duration,
    /// Attempts in all, for transient failures.
    pub(crate) attempts: u32,
    /// Pause before the second attempt; doubled for each one after.
    pub(crate) first_backoff: Duration,
    proxy: Option<String>,
    no_proxy: Vec<String>,
    https: bool,
}

impl HttpSettings {
    pub(crate) fn from_env(env: &Env, url: &str) -> Self {
        let seconds = env.get_str(env::HTTP_TIMEOUT).and_then(|s| s.parse::<f64>().ok()).filter(|s| *s > 0.0);
        let attempts = env.get_str(env::HTTP_ATTEMPTS).and_then(|s| s.parse().ok()).filter(|n| *n >= 1);
        let https = url.starts_with("https://");
        let names: &[&str] = if https {
            &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        } else {
            &["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
        };
        let proxy = names.iter().find_map(|n| env.get_str(n));
        let no_proxy = ["NO_PROXY", "no_proxy"]
            .iter()
            .find_map(|n| env.get_str(n))
            .map(|v| v.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        env.note_read(env::PROXY_VARS);
        Self {
            stall_timeout: Duration::from_secs_f64(seconds.unwrap_or(30.0)),
            attempts: attempts.unwrap_or(3),
            first_backoff: Duration::from_millis(500),
            proxy,
            no_proxy,
            https,
        }
    }

    /// The proxy to use for `url`, honouring `NO_PROXY`.
    fn proxy_for(&self, url: &str) -> Option<&str> {
        let proxy = self.proxy.as_deref()?;
        let host = host_of(url).to_ascii_lowercase();
        let bypass = self.no_proxy.iter().any(|rule| {
            let rule = rule.split(':').next().unwrap_or(rule);
            rule == "*"
                || host == rule.trim_start_matches('.')
                || host.ends_with(&format!(".{}", rule.trim_start_matches('.')))
        });
        (!bypass).then_some(proxy)
    }
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    authority.split(':').next().unwrap_or(authority)
}

/// Fetches `url` into `dest`, checking its SHA-256 and, where pinned, its size. On any failure
/// `dest` is removed.
pub(crate) fn download(
    url: &str,
    dest: &Path,
    expected: &Sha256Digest,
    expected_size: Option<u64>,
    settings: &HttpSettings,
) -> Result<()> {
    let result = download_inner(url, dest, expected, expected_size, settings);
    if result.is_err() {
        let _ = std::fs::remove_file(dest);
    }
    result
}

fn download_inner(
    url: &str,
    dest: &Path,
    expected: &Sha256Digest,
    expected_size: Option<u64>,
    settings: &HttpSettings,
) -> Result<()> {
    if let Some(path) = url.strip_prefix("file://") {
        let source = File::open(path).map_err(|e| Error::io("opening mirrored file", path, e))?;
        let found = source.metadata().map_err(|e| Error::io("reading", path, e))?.len();
        if let Some(expected) = expected_size.filter(|size| *size != found) {
            return Err(Error::SizeMismatch { what: url.into(), expected, found });
        }
        return stream_to(url, source, dest, expected, expected_size, 1);
    }
    let mut attempt = 1;
    loop {
        match try_once(url, dest, expected, expected_size, settings, attempt) {
            Err(error) if attempt < settings.attempts && transient(&error) => {
                let pause = settings.first_backoff * 2u32.saturating_pow(attempt - 1);
                crate::log!("{error}; retrying in {pause:?}");
                std::thread::sleep(pause);
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Whether a retry may help: server errors, throttling, timeouts, resets, truncation.
fn transient(error: &Error) -> bool {
    match error {
        Error::HttpStatus { status, .. } => *status >= 500 || *status == 408 || *status == 429,
        Error::HttpTransfer { .. } | Error::Truncated { .. } => true,
        _ => false,
    }
}

fn try_once(
    url: &str,
    dest: &Path,
    expected: &Sha256Digest,
    expected_size: Option<u64>,
    settings: &HttpSettings,
    attempt: u32,
) -> Result<()> {
    let mut config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(10)
        .https_only(settings.https)
        .timeout_connect(Some(settings.stall_timeout))
        .timeout_recv_response(Some(settings.stall_timeout))
        .timeout_per_read(Some(settings.stall_timeout))
        .user_agent(concat!("xla-artifacts/", env!("CARGO_PKG_VERSION")));
    let proxy = match settings.proxy_for(url) {
        Some(proxy) => {
            Some(ureq::Proxy::new(proxy).map_err(|e| transfer(url, format!("invalid proxy {proxy:?}: {e}"), attempt))?)
        }
        None => None,
    };
    config = config.proxy(proxy);
    let agent: ureq::Agent = config.build().into();
    let response = agent.get(url).call().map_err(|e| transfer(url, describe(&e), attempt))?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(Error::HttpStatus { url: url.into(), status, attempts: attempt });
    }
    if let (Some(announced), Some(expected_size)) = (response.body().content_length(), expected_size)
        && announced != expected_size
    {
        return Err(Error::SizeMismatch { what: url.into(), expected: expected_size, found: announced });
    }
    let body = response.into_body().into_reader();
    stream_to(url, body, dest, expected, expected_size, attempt)
}

/// Copies at most `expected_size + 1` bytes of `source` (all of it, when the size is not pinned)
/// into `dest`, hashing them, then checks.
fn stream_to(
    url: &str,
    source: impl Read,
    dest: &Path,
    expected: &Sha256Digest,
    expected_size: Option<u64>,
    attempt: u32,
) -> Result<()> {
    let file = File::create(dest).map_err(|e| Error::io("creating", dest, e))?;
    let mut writer = HashingWriter::new(io::BufWriter::with_capacity(1 << 20, file));
    let mut limited = source.take(expected_size.map_or(u64::MAX, |size| size + 1));
    let mut buffer = vec![0u8; 1 << 18];
    loop {
        let n = match limited.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let (_, received, _) = writer.finish();
                return Err(match e.kind() {
                    io::ErrorKind::UnexpectedEof => {
                        Error::Truncated { url: url.into(), expected: expected_size, received, attempts: attempt }
                    }
                    _ => transfer(url, format!("{e} after {received} bytes"), attempt),
                });
            }
        };
        writer.write_all(&buffer[..n]).map_err(|e| Error::io("writing", dest, e))?;
    }
    let (actual, received, inner) = writer.finish();
    inner
        .into_inner()
        .map_err(|e| Error::io("writing", dest, e.into_error()))?
        .sync_all()
        .map_err(|e| Error::io("writing", dest, e))?;
    if let Some(size) = expected_size
        && received < size
    {
        return Err(Error::Truncated { url: url.into(), expected: expected_size, received, attempts: attempt });
    }
    if let Some(size) = expected_size
        && received > size
    {
        return Err(Error::SizeMismatch { what: url.into(), expected: size, found: received });
    }
    if actual != *expected {
        return Err(Error::ChecksumMismatch { what: url.into(), expected: *expected, actual });
    }
    Ok(())
}

fn transfer(url: &str, message: String, attempts: u32) -> Error {
    Error::HttpTransfer { url: url.into(), message, attempts }
}

fn describe(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(what) => format!("timed out ({what}) waiting for the server"),
        ureq::Error::Io(e) => format!("{e}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_rules_match_hosts_and_domains() {
        let env = Env::fixed([
            ("HTTPS_PROXY", "http://127.0.0.1:3128"),
            ("NO_PROXY", "internal.example, .corp, 10.0.0.1:8080"),
        ]);
        let settings = HttpSettings::from_env(&env, "https://x");
        assert_eq!(settings.proxy_for("https://files.example.org/a"), Some("http://127.0.0.1:3128"));
        assert_eq!(settings.proxy_for("https://internal.example/a"), None);
        assert_eq!(settings.proxy_for("https://a.internal.example/a"), None);
        assert_eq!(settings.proxy_for("https://mirror.corp:8443/a"), None);
        assert_eq!(settings.proxy_for("https://10.0.0.1/a"), None);
        assert_eq!(settings.proxy_for("https://notinternal.example/a"), Some("http://127.0.0.1:3128"));
    }

    #[test]
    fn hosts_are_read_from_urls() {
        assert_eq!(host_of("https://user:pw@host.example:8443/path?q"), "host.example");
        assert_eq!(host_of("http://[::1]:80/x"), "::1");
        assert_eq!(host_of("http://127.0.0.1/x"), "127.0.0.1");
    }
}
