//! Extraction of well-formed and of hostile archives, built here byte by byte.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

use super::*;
use crate::digest::Sha256Digest;

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        path
    }

    fn dest(&self) -> PathBuf {
        let dest = self.dir.path().join("out");
        fs::create_dir_all(&dest).unwrap();
        dest
    }

    /// Nothing may appear outside `out/` but the archives themselves.
    fn assert_nothing_escaped(&self) {
        let mut names: Vec<String> = fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.retain(|n| n != "out" && !n.starts_with("archive"));
        assert!(names.is_empty(), "files escaped the destination: {names:?}");
    }
}

enum ZipEntry<'a> {
    File(&'a str, &'a [u8], u32),
    Symlink(&'a str, &'a str),
}

fn zip_bytes(entries: &[ZipEntry<'_>], method: zip::CompressionMethod) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for entry in entries {
        match entry {
            ZipEntry::File(name, data, mode) => {
                let options = SimpleFileOptions::default().compression_method(method).unix_permissions(*mode);
                writer.start_file_with_options(options.name(name.as_bytes())).unwrap();
                writer.write_all(data).unwrap();
            }
            ZipEntry::Symlink(name, target) => {
                writer.add_symlink(*name, *target, SimpleFileOptions::default()).unwrap();
            }
        }
    }
    writer.finish().unwrap().into_inner()
}

enum TarEntry<'a> {
    File(&'a str, &'a [u8]),
    Symlink(&'a str, &'a str),
    HardLink(&'a str, &'a str),
    Fifo(&'a str),
}

/// A tar stream with names written raw, so that hostile names survive.
fn tar_bytes(entries: &[TarEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        let (name, data, kind, link): (&str, &[u8], tar::EntryType, &str) = match entry {
            TarEntry::File(n, d) => (n, d, tar::EntryType::Regular, ""),
            TarEntry::Symlink(n, t) => (n, b"", tar::EntryType::Symlink, t),
            TarEntry::HardLink(n, t) => (n, b"", tar::EntryType::Link, t),
            TarEntry::Fifo(n) => (n, b"", tar::EntryType::Fifo, ""),
        };
        let gnu = header.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
        gnu.linkname[..link.len()].copy_from_slice(link.as_bytes());
        header.set_entry_type(kind);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn zst(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 3).unwrap()
}

fn member(m: &str) -> Member {
    Member::new(m).unwrap()
}

fn refused(result: Result<Vec<StampedFile>>, why: &str) {
    match result {
        Err(Error::UnsafeArchiveEntry { reason, .. }) => {
            assert!(reason.contains(why), "refused for {reason:?}, expected {why:?}")
        }
        other => panic!("expected a refusal ({why}), got {other:?}"),
    }
}

#[test]
fn a_wheel_member_is_extracted_hashed_and_read_only() {
    let fx = Fixture::new();
    let payload = b"\x7fELF not really a library".repeat(1000);
    let wheel = fx.write(
        "archive.whl",
        &zip_bytes(
            &[ZipEntry::File("pkg/__init__.py", b"", 0o644), ZipEntry::File("pkg/libdemo.so", &payload, 0o755)],
            zip::CompressionMethod::Deflated,
        ),
    );
    let files = extract(&wheel, "archive.whl", Some(&member("pkg/libdemo.so")), &fx.dest()).unwrap();
    assert_eq!(files.len(), 1, "only the member is written");
    assert_eq!(files[0].path, "pkg/libdemo.so");
    assert_eq!(files[0].size, payload.len() as u64);
    assert_eq!(files[0].sha256, Sha256Digest::of(&payload).to_hex());
    let written = fx.dest().join("pkg/libdemo.so");
    assert_eq!(fs::read(&written).unwrap(), payload);
    assert!(fs::metadata(&written).unwrap().permissions().readonly());
    assert!(!fx.dest().join("pkg/__init__.py").exists());
}

#[test]
fn a_subtree_member_takes_every_file_below_it() {
    let fx = Fixture::new();
    let wheel = fx.write(
        "archive.zip",
        &zip_bytes(
            &[
                ZipEntry::File("nvidia/cudnn/lib/libcudnn.so.9", b"a", 0o644),
                ZipEntry::File("nvidia/cudnn/lib/libcudnn_ops.so.9", b"b", 0o644),
                ZipEntry::File("nvidia/cudnn/include/cudnn.h", b"c", 0o644),
            ],
            zip::CompressionMethod::Stored,
        ),
    );
    let files = extract(&wheel, "archive.zip", Some(&member("nvidia/cudnn/lib/")), &fx.dest()).unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(names, ["nvidia/cudnn/lib/libcudnn.so.9", "nvidia/cudnn/lib/libcudnn_ops.so.9"]);
}

#[test]
fn a_missing_member_names_look_alikes() {
    let fx = Fixture::new();
    let wheel = fx.write(
        "archive.whl",
        &zip_bytes(&[ZipEntry::File("other/libdemo.so", b"x", 0o644)], zip::CompressionMethod::Stored),
    );
    match extract(&wheel, "archive.whl", Some(&member("pkg/libdemo.so")), &fx.dest()) {
        Err(Error::MemberMissing { member, similar, .. }) => {
            assert_eq!(member, "pkg/libdemo.so");
            assert_eq!(similar, ["other/libdemo.so"]);
        }
        other => panic!("expected MemberMissing, got {other:?}"),
    }
}

#[test]
fn zip_traversal_and_absolute_names_are_refused() {
    for (name, why) in [("../evil.so", "climbs out"), ("a/../../evil.so", "climbs out"), ("/tmp/evil.so", "absolute")] {
        let fx = Fixture::new();
        let wheel =
            fx.write("archive.zip", &zip_bytes(&[ZipEntry::File(name, b"x", 0o644)], zip::CompressionMethod::Stored));
        refused(extract(&wheel, "archive.zip", None, &fx.dest()), why);
        fx.assert_nothing_escaped();
    }
}

#[test]
fn zip_symlinks_leading_outside_are_refused() {
    let fx = Fixture::new();
    let wheel = fx.write(
        "archive.zip",
        &zip_bytes(&[ZipEntry::Symlink("lib/escape", "../../../etc")], zip::CompressionMethod::Stored),
    );
    refused(extract(&wheel, "archive.zip", None, &fx.dest()), "outside the extracted tree");
    let absolute = fx.write(
        "archive2.zip",
        &zip_bytes(&[ZipEntry::Symlink("lib/abs", "/etc/passwd")], zip::CompressionMethod::Stored),
    );
    refused(extract(&absolute, "archive2.zip", None, &fx.dest()), "absolute path");
}

/// Rewrites the uncompressed size of the first entry, in its local header and in the central
/// directory, to lie about it.
fn declare_size(mut zip: Vec<u8>, size: u32) -> Vec<u8> {
    assert_eq!(&zip[..4], b"PK\x03\x04");
    zip[22..26].copy_from_slice(&size.to_le_bytes());
    let central = zip.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    zip[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
    zip
}

#[test]
fn a_member_larger_than_declared_is_refused_and_removed() {
    for method in [zip::CompressionMethod::Stored, zip::CompressionMethod::Deflated] {
        let fx = Fixture::new();
        let honest = zip_bytes(&[ZipEntry::File("lib/big.so", &[7u8; 4096], 0o644)], method);
        let wheel = fx.write("archive.zip", &declare_size(honest, 100));
        refused(extract(&wheel, "archive.zip", Some(&member("lib/big.so")), &fx.dest()), "more than the 100 bytes");
        assert!(!fx.dest().join("lib/big.so").exists(), "the oversized member was left behind ({method:?})");
    }
}

#[test]
fn a_large_member_copied_on_two_threads_is_whole_hashed_or_refused() {
    let payload = pattern(LARGE_MEMBER as usize + (3 << 20) + 17);
    let fx = Fixture::new();
    let zip = zip_bytes(&[ZipEntry::File("lib/big.so", &payload, 0o755)], zip::CompressionMethod::Deflated);
    let wheel = fx.write("archive.whl", &zip);
    let files = extract(&wheel, "archive.whl", Some(&member("lib/big.so")), &fx.dest()).unwrap();
    assert_eq!(files[0].sha256, Sha256Digest::of(&payload).to_hex());
    assert!(fs::read(fx.dest().join("lib/big.so")).unwrap() == payload, "the large member differs");
    // Declared larger than the threshold, but smaller than it is: the reader's refusal comes back
    // through the writing thread, and nothing is left.
    for method in [zip::CompressionMethod::Stored, zip::CompressionMethod::Deflated] {
        let fx = Fixture::new();
        let honest = zip_bytes(&[ZipEntry::File("lib/big.so", &payload, 0o644)], method);
        let wheel = fx.write("archive.zip", &declare_size(honest, LARGE_MEMBER as u32));
        let extracted = extract(&wheel, "archive.zip", Some(&member("lib/big.so")), &fx.dest());
        refused(extracted, &format!("more than the {LARGE_MEMBER} bytes"));
        assert!(!fx.dest().join("lib/big.so").exists(), "the oversized member was left behind ({method:?})");
    }
}

#[test]
fn a_truncated_archive_is_reported_as_corrupt() {
    let fx = Fixture::new();
    let whole = zip_bytes(&[ZipEntry::File("lib/a.so", &[1u8; 10_000], 0o644)], zip::CompressionMethod::Deflated);
    let wheel = fx.write("archive.zip", &whole[..whole.len() / 2]);
    assert!(matches!(extract(&wheel, "archive.zip", None, &fx.dest()), Err(Error::CorruptArchive { .. })));
    let tarball = fx.write("archive.tar.gz", &gz(&tar_bytes(&[TarEntry::File("a.so", &[1u8; 10_000])]))[..40]);
    assert!(matches!(extract(&tarball, "archive.tar.gz", None, &fx.dest()), Err(Error::CorruptArchive { .. })));
}

#[test]
fn tar_traversal_absolute_and_special_files_are_refused() {
    for (entry, why) in [
        (TarEntry::File("../evil.so", b"x"), "climbs out"),
        (TarEntry::File("/tmp/evil.so", b"x"), "absolute"),
        (TarEntry::Fifo("lib/pipe"), "special files"),
    ] {
        let fx = Fixture::new();
        let tarball = fx.write("archive.tar.gz", &gz(&tar_bytes(&[entry])));
        refused(extract(&tarball, "archive.tar.gz", None, &fx.dest()), why);
        fx.assert_nothing_escaped();
    }
}

#[test]
fn tar_link_escapes_are_refused() {
    let cases: [(&[TarEntry<'_>], &str); 4] = [
        (&[TarEntry::Symlink("lib/up", "../../outside")], "outside the extracted tree"),
        (&[TarEntry::Symlink("lib/abs", "/etc")], "absolute path"),
        (&[TarEntry::HardLink("lib/passwd", "../../etc/passwd")], "outside the extracted tree"),
        // A link that stays inside, then a file written through it.
        (&[TarEntry::Symlink("lib/dir", "."), TarEntry::File("lib/dir/x.so", b"x")], "through a symbolic link"),
    ];
    for (entries, why) in cases {
        let fx = Fixture::new();
        let tarball = fx.write("archive.tar.zst", &zst(&tar_bytes(entries)));
        refused(extract(&tarball, "archive.tar.zst", None, &fx.dest()), why);
        fx.assert_nothing_escaped();
    }
}

#[test]
fn tar_links_inside_the_tree_are_kept() {
    let fx = Fixture::new();
    let tarball = fx.write(
        "archive.tar.zst",
        &zst(&tar_bytes(&[
            TarEntry::File("lib/libxla.so.1", b"library"),
            TarEntry::Symlink("lib/libxla.so", "libxla.so.1"),
            TarEntry::HardLink("lib/libxla-copy.so", "lib/libxla.so.1"),
            TarEntry::File("include/xla.h", b"header"),
        ])),
    );
    let files = extract(&tarball, "archive.tar.zst", None, &fx.dest()).unwrap();
    assert_eq!(files.len(), 4);
    assert_eq!(fs::read(fx.dest().join("lib/libxla.so")).unwrap(), b"library");
    assert_eq!(fs::read(fx.dest().join("lib/libxla-copy.so")).unwrap(), b"library");
    assert_eq!(fs::read_link(fx.dest().join("lib/libxla.so")).unwrap(), Path::new("libxla.so.1"));
}

#[test]
fn a_bare_file_is_placed_under_its_name() {
    let fx = Fixture::new();
    let bare = fx.write("archive-download", b"\x7fELF...");
    let files = extract(&bare, "libplugin.so", None, &fx.dest()).unwrap();
    assert_eq!(files[0].path, "libplugin.so");
    assert_eq!(fs::read(fx.dest().join("libplugin.so")).unwrap(), b"\x7fELF...");
    assert!(matches!(
        extract(&bare, "libplugin.so", Some(&member("x/libplugin.so")), &fx.dest()),
        Err(Error::MemberMissing { .. })
    ));
}

#[test]
fn formats_are_judged_by_name() {
    assert_eq!(ArchiveFormat::of("a.whl"), ArchiveFormat::Zip);
    assert_eq!(ArchiveFormat::of("A.ZIP"), ArchiveFormat::Zip);
    assert_eq!(ArchiveFormat::of("a.tar.gz"), ArchiveFormat::TarGz);
    assert_eq!(ArchiveFormat::of("a.tgz"), ArchiveFormat::TarGz);
    assert_eq!(ArchiveFormat::of("a.tar.zst"), ArchiveFormat::TarZst);
    assert_eq!(ArchiveFormat::of("libtpu.so"), ArchiveFormat::Bare);
}

/// A RECORD line for `path` with `data`, as wheels write them.
fn record_line(path: &str, data: &[u8]) -> String {
    use base64::Engine as _;
    let digest = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256Digest::of(data).as_bytes());
    format!("{path},sha256={digest},{}\n", data.len())
}

#[test]
fn a_streamed_wheel_takes_its_digests_from_the_record() {
    let fx = Fixture::new();
    let payload = b"\x7fELF streamed".repeat(500);
    let record = record_line("pkg/libdemo.so", &payload) + "pkg-1.0.dist-info/RECORD,,\n";
    let wheel = zip_bytes(
        &[
            ZipEntry::File("pkg/libdemo.so", &payload, 0o755),
            ZipEntry::File("pkg-1.0.dist-info/RECORD", record.as_bytes(), 0o644),
        ],
        zip::CompressionMethod::Deflated,
    );
    let files = extract_zip_stream(Path::new("demo.whl"), &mut &wheel[..], Some(&member("pkg/libdemo.so")), &fx.dest())
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].sha256, Sha256Digest::of(&payload).to_hex(), "the RECORD's digest, which is the file's");
    assert_eq!(fs::read(fx.dest().join("pkg/libdemo.so")).unwrap(), payload);

    // Modes come from the central directory once the whole archive is there.
    let archive = fx.write("archive.whl", &wheel);
    let path = fx.dest().join("pkg/libdemo.so");
    assert!(!is_executable(&path), "streamed files come out without modes");
    apply_zip_modes(&archive, &fx.dest(), &files).unwrap();
    assert!(is_executable(&path), "the central directory's executable bit is applied");
}

#[test]
fn a_streamed_archive_without_a_record_is_hashed_and_links_are_refused_afterwards() {
    let fx = Fixture::new();
    let zip = zip_bytes(
        &[ZipEntry::File("lib/a.so", b"first", 0o644), ZipEntry::Symlink("lib/b.so", "a.so")],
        zip::CompressionMethod::Stored,
    );
    let files = extract_zip_stream(Path::new("demo.zip"), &mut &zip[..], Some(&member("lib/")), &fx.dest()).unwrap();
    let a = files.iter().find(|f| f.path == "lib/a.so").unwrap();
    assert_eq!(a.sha256, Sha256Digest::of(b"first").to_hex(), "hashed from disk without a RECORD");
    // The link came out as a file (local headers do not say it is one): the central directory does.
    let archive = fx.write("archive.zip", &zip);
    match apply_zip_modes(&archive, &fx.dest(), &files) {
        Err(Error::UnsafeArchiveEntry { entry, .. }) => assert_eq!(entry, "lib/b.so"),
        other => panic!("expected the link to be refused, got {other:?}"),
    }
}

#[test]
fn record_lines_are_read_as_wheels_write_them() {
    let line = record_line("dir/file.so", b"x");
    let digests = record_digests(&format!("{line}pkg.dist-info/RECORD,,\n\"odd,name.py\",sha256=bad,1\n"));
    assert_eq!(digests.get("dir/file.so"), Some(&Sha256Digest::of(b"x").to_hex()));
    assert_eq!(digests.len(), 1, "lines without a valid sha256 are skipped: {digests:?}");
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o111 != 0
}

/// Yields `data` in pieces of odd sizes, then fails with `error` (if any) instead of ending.
struct Dribble {
    data: Vec<u8>,
    at: usize,
    error: Option<&'static str>,
}

impl Read for Dribble {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.data.len() {
            return match self.error {
                Some(message) => Err(io::Error::other(message)),
                None => Ok(0),
            };
        }
        let n = buf.len().min(self.data.len() - self.at).min(1 + self.at % 70_001);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Accepts `room` bytes, then fails.
struct FullDisk {
    kept: Vec<u8>,
    room: usize,
}

impl Write for FullDisk {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.kept.len() + buf.len() > self.room {
            return Err(io::Error::other("no space left on the fake disk"));
        }
        self.kept.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + i / 4099) as u8).collect()
}

#[test]
fn the_pipelined_copy_keeps_every_byte_in_order() {
    // Several times the piece size, not a multiple of it, read in uneven pieces.
    let data = pattern((7 << 20) / 2 + 12_345);
    let mut out = Vec::new();
    let n = copy_large(&mut Dribble { data: data.clone(), at: 0, error: None }, &mut out).unwrap();
    assert_eq!(n, data.len() as u64);
    assert!(out == data, "the copy differs from its source");
    let mut empty = Vec::new();
    assert_eq!(copy_large(&mut io::empty(), &mut empty).unwrap(), 0);
    assert!(empty.is_empty());
}

#[test]
fn the_pipelined_copy_stops_at_a_failing_writer() {
    let data = pattern(32 << 20);
    let mut out = FullDisk { kept: Vec::new(), room: 5 << 20 };
    let mut reader = Dribble { data, at: 0, error: None };
    let error = copy_large(&mut reader, &mut out).unwrap_err();
    assert_eq!(error.to_string(), "no space left on the fake disk");
    // It stopped reading soon after: the few pieces in flight, not the rest of the member.
    assert!(reader.at <= 10 << 20, "read {} of 32 MiB although the writer failed at 5", reader.at);
}

#[test]
fn the_pipelined_copy_reports_the_reader_error_first() {
    let data = pattern(3 << 20);
    let mut out = Vec::new();
    let mut reader = Dribble { data, at: 0, error: Some("the member is corrupt") };
    assert_eq!(copy_large(&mut reader, &mut out).unwrap_err().to_string(), "the member is corrupt");
    // Both fail: the writer on the first piece, the reader in the second, which it is given
    // whatever the writer does, so both errors always happen.
    let mut full = FullDisk { kept: Vec::new(), room: 1 << 19 };
    let mut reader = Dribble { data: pattern(3 << 19), at: 0, error: Some("the member is corrupt") };
    assert_eq!(copy_large(&mut reader, &mut full).unwrap_err().to_string(), "the member is corrupt");
}
