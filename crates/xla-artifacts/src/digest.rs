//! SHA-256 digests: the hex form the manifest uses, and hashing while bytes stream past.

use std::fmt;
use std::io::{self, Read, Write};
use std::str::FromStr;

use sha2::{Digest as _, Sha256};

/// A SHA-256 digest, written as 64 lowercase hexadecimal digits in manifests and messages.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Digest([u8; 32]);

impl Sha256Digest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// The digest of everything `reader` yields, read in constant memory.
    pub fn of_reader(mut reader: impl Read) -> io::Result<Self> {
        let mut writer = HashingWriter::new(io::sink());
        io::copy(&mut reader, &mut writer)?;
        Ok(writer.finish().0)
    }

    /// The digest of a file's content.
    pub fn of_file(path: &std::path::Path) -> io::Result<Self> {
        Self::of_reader(std::fs::File::open(path)?)
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 64-digit lowercase hex form.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Digest({})", self.to_hex())
    }
}

/// Why a string is not a SHA-256 digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a SHA-256 digest of 64 lowercase hex digits, found {found:?} ({reason})")]
pub struct MalformedDigest {
    found: String,
    reason: &'static str,
}

impl FromStr for Sha256Digest {
    type Err = MalformedDigest;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let malformed = |reason| MalformedDigest { found: s.to_owned(), reason };
        if s.len() != 64 {
            return Err(malformed("wrong length"));
        }
        // Uppercase is refused so that a digest has exactly one spelling (manifests, cache paths).
        if !s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(malformed("not lowercase hex"));
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(s, &mut bytes).map_err(|_| malformed("not hex"))?;
        Ok(Self(bytes))
    }
}

/// A writer that hashes and counts every byte on its way to `inner`.
pub(crate) struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    hashing: bool,
    written: u64,
}

impl<W: Write> HashingWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        Self { inner, hasher: Sha256::new(), hashing: true, written: 0 }
    }

    /// With `false`, only counts (the digest returned is then meaningless).
    pub(crate) fn hashing(mut self, hashing: bool) -> Self {
        self.hashing = hashing;
        self
    }

    /// The digest and length of what was written, and the inner writer.
    pub(crate) fn finish(self) -> (Sha256Digest, u64, W) {
        (Sha256Digest(self.hasher.finalize().into()), self.written, self.inner)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if self.hashing {
            self.hasher.update(&buf[..n]);
        }
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that hashes and counts every byte read through it.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    read: u64,
}

impl<R: Read> HashingReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self { inner, hasher: Sha256::new(), read: 0 }
    }

    /// The digest and length of what was read (drain the reader first for the whole content).
    pub(crate) fn finish(self) -> (Sha256Digest, u64) {
        (Sha256Digest(self.hasher.finalize().into()), self.read)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_lowercase_hex() {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let digest: Sha256Digest = hex.parse().unwrap();
        assert_eq!(digest, Sha256Digest::of(b""));
        assert_eq!(digest.to_string(), hex);
    }

    #[test]
    fn refuses_malformed_digests() {
        for bad in ["", "abc", &"g".repeat(64), &"A".repeat(64), &"a".repeat(63), &"a".repeat(65)] {
            assert!(bad.parse::<Sha256Digest>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn hashing_writer_hashes_what_passes() {
        let mut w = HashingWriter::new(Vec::new());
        w.write_all(b"hello ").unwrap();
        w.write_all(b"world").unwrap();
        let (digest, len, inner) = w.finish();
        assert_eq!(inner, b"hello world");
        assert_eq!(len, 11);
        assert_eq!(digest, Sha256Digest::of(b"hello world"));
    }
}
