//! Streaming extraction of the members an artifact needs from `.whl`/`.zip`, `.tar.gz` and
//! `.tar.zst` archives, or the placement of a bare file.
//!
//! Only wanted members are written. Every written path is checked first: no absolute paths, no
//! `..`, no writing through a link, no link pointing outside the destination, no device files or
//! pipes, and no member yielding more bytes than its header declares. Files are hashed while they
//! are written and left read-only.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};

use crate::cache::{StampedFile, mtime_ns};
use crate::digest::HashingWriter;
use crate::error::{Error, Result};
use crate::manifest::Member;

/// How a file is packed, judged by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// `.whl`, `.zip`.
    Zip,
    /// `.tar.gz`, `.tgz`.
    TarGz,
    /// `.tar.zst`, `.tzst`.
    TarZst,
    /// Anything else: the file is the artifact.
    Bare,
}

impl ArchiveFormat {
    /// The format of a file called `name`.
    pub fn of(name: &str) -> Self {
        let name = name.to_ascii_lowercase();
        if name.ends_with(".whl") || name.ends_with(".zip") {
            Self::Zip
        } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            Self::TarGz
        } else if name.ends_with(".tar.zst") || name.ends_with(".tzst") {
            Self::TarZst
        } else {
            Self::Bare
        }
    }
}

/// Writes `member` of `archive` (or all of it) under `dest`, returning each file written.
/// `bare_name` names the file when the archive is not an archive.
pub fn extract(archive: &Path, bare_name: &str, member: Option<&Member>, dest: &Path) -> Result<Vec<StampedFile>> {
    let mut writer = TreeWriter::new(archive, dest);
    let format = ArchiveFormat::of(&archive.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    match format {
        ArchiveFormat::Zip => extract_zip(archive, member, &mut writer)?,
        ArchiveFormat::TarGz => {
            let file = open(archive)?;
            extract_tar(
                archive,
                flate2::read::GzDecoder::new(BufReader::with_capacity(1 << 20, file)),
                member,
                &mut writer,
            )?
        }
        ArchiveFormat::TarZst => {
            let file = open(archive)?;
            let decoder = zstd::stream::read::Decoder::new(file).map_err(|e| corrupt(archive, e))?;
            extract_tar(archive, decoder, member, &mut writer)?
        }
        ArchiveFormat::Bare => {
            if let Some(m) = member {
                return Err(Error::MemberMissing {
                    archive: archive.into(),
                    member: m.as_str().into(),
                    similar: vec![],
                });
            }
            let mut file = open(archive)?;
            let size = file.metadata().map_err(|e| Error::io("reading", archive, e))?.len();
            writer.file(bare_name, &mut file, size, true)?;
        }
    }
    if writer.files.is_empty() {
        let member = member.map_or_else(|| "(any file)".to_owned(), |m| m.as_str().to_owned());
        return Err(Error::MemberMissing { archive: archive.into(), similar: writer.similar, member });
    }
    Ok(writer.files)
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| Error::io("opening", path, e))
}

fn corrupt(archive: &Path, e: impl std::fmt::Display) -> Error {
    Error::CorruptArchive { archive: archive.into(), message: e.to_string() }
}

/// Whether archive entry `name` is part of `member`.
fn wanted(name: &str, member: Option<&Member>) -> bool {
    match member {
        None => true,
        Some(m) if m.is_subtree() => name.starts_with(m.as_str()) && name.len() > m.as_str().len(),
        Some(m) => name == m.as_str(),
    }
}

fn extract_zip(archive: &Path, member: Option<&Member>, writer: &mut TreeWriter) -> Result<()> {
    let file = open(archive)?;
    let mut zip = zip::ZipArchive::new(BufReader::with_capacity(1 << 16, file)).map_err(|e| corrupt(archive, e))?;
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).map_err(|e| corrupt(archive, e))?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        if !wanted(&name, member) {
            writer.note_unwanted(&name, member);
            continue;
        }
        if entry.is_dir() {
            writer.dir(&name)?;
        } else if entry.is_symlink() {
            let mut target = String::new();
            (&mut entry).take(4096).read_to_string(&mut target).map_err(|e| corrupt(archive, e))?;
            writer.symlink(&name, &target)?;
        } else {
            let executable = entry.unix_mode().is_some_and(|m| m & 0o111 != 0);
            let declared = entry.size();
            writer.file(&name, &mut entry, declared, executable)?;
        }
    }
    Ok(())
}

/// Extracts `member` (or everything) from a zip read front to back, by its local headers rather
/// than its central directory: for a wheel still being downloaded. Those headers lack the entries'
/// modes, so files come out read-only, not executable, and a link would come out as a file:
/// [`apply_zip_modes`] settles both once the whole archive is there. `name` names the archive in
/// errors.
pub fn extract_zip_stream(
    name: &Path,
    reader: &mut impl Read,
    member: Option<&Member>,
    dest: &Path,
) -> Result<Vec<StampedFile>> {
    let mut writer = TreeWriter::new(name, dest);
    // Hashing the files here would slow the extraction that races the download; a wheel's RECORD,
    // read at its end, gives their digests (the wheel itself is pinned by its checksum, and the
    // zip CRC-32 of each member is checked as it is inflated).
    writer.hash = false;
    let mut record = None;
    while let Some(mut entry) = zip::read::read_zipfile_from_stream(reader).map_err(|e| corrupt(name, e))? {
        let entry_name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        if !wanted(&entry_name, member) {
            if entry_name.ends_with(".dist-info/RECORD") && !entry_name[..entry_name.len() - 7].contains('/') {
                let mut text = String::new();
                (&mut entry).take(64 << 20).read_to_string(&mut text).map_err(|e| corrupt(name, e))?;
                record = Some(text);
            }
            writer.note_unwanted(&entry_name, member);
            continue;
        }
        if entry.is_dir() {
            writer.dir(&entry_name)?;
        } else {
            let declared = entry.size();
            writer.file(&entry_name, &mut entry, declared, false)?;
        }
    }
    if writer.files.is_empty() {
        let member = member.map_or_else(|| "(any file)".to_owned(), |m| m.as_str().to_owned());
        return Err(Error::MemberMissing { archive: name.into(), similar: writer.similar, member });
    }
    let digests = record.as_deref().map(record_digests).unwrap_or_default();
    for file in writer.files.iter_mut().filter(|f| f.link.is_none()) {
        file.sha256 = match digests.get(&file.path) {
            Some(hex) => hex.clone(),
            None => crate::digest::Sha256Digest::of_file(&dest.join(&file.path))
                .map_err(|e| Error::io("reading", dest.join(&file.path), e))?
                .to_hex(),
        };
    }
    Ok(writer.files)
}

/// The SHA-256 digests a wheel's RECORD lists (`path,sha256=<urlsafe base64>,size`), in hex.
fn record_digests(record: &str) -> std::collections::BTreeMap<String, String> {
    use base64::Engine as _;
    record
        .lines()
        .filter_map(|line| {
            let mut fields = line.rsplitn(3, ',');
            let (_size, hash, path) = (fields.next()?, fields.next()?, fields.next()?);
            let encoded = hash.strip_prefix("sha256=")?;
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded).ok()?;
            (bytes.len() == 32).then(|| (path.trim_matches('"').to_owned(), hex::encode(bytes)))
        })
        .collect()
}

/// Gives files extracted by [`extract_zip_stream`] the executable bit their central-directory
/// entries record. Fails when one of them is a link there: extract such archives from the file.
pub fn apply_zip_modes(archive: &Path, dest: &Path, files: &[StampedFile]) -> Result<()> {
    let mut zip = zip::ZipArchive::new(BufReader::new(open(archive)?)).map_err(|e| corrupt(archive, e))?;
    for file in files {
        let entry = zip.by_name(&file.path).map_err(|e| corrupt(archive, e))?;
        if entry.is_symlink() {
            return Err(Error::UnsafeArchiveEntry {
                archive: archive.into(),
                entry: file.path.clone(),
                reason: "it is a link, which a streamed extraction cannot tell".into(),
            });
        }
        if entry.unix_mode().is_some_and(|m| m & 0o111 != 0) {
            set_read_only(&dest.join(&file.path), true)?;
        }
    }
    Ok(())
}

fn extract_tar(archive: &Path, reader: impl Read, member: Option<&Member>, writer: &mut TreeWriter) -> Result<()> {
    let mut tar = tar::Archive::new(reader);
    for entry in tar.entries().map_err(|e| corrupt(archive, e))? {
        let mut entry = entry.map_err(|e| corrupt(archive, e))?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = name.strip_prefix("./").unwrap_or(&name).to_owned();
        if name.is_empty() || !wanted(&name, member) {
            writer.note_unwanted(&name, member);
            continue;
        }
        let kind = entry.header().entry_type();
        let link_name = || -> Result<String> {
            let link = entry.link_name_bytes().ok_or_else(|| writer.refuse(&name, "a link without a target"))?;
            Ok(String::from_utf8_lossy(&link).into_owned())
        };
        match kind {
            tar::EntryType::Directory => writer.dir(&name)?,
            tar::EntryType::Symlink => {
                let target = link_name()?;
                writer.symlink(&name, &target)?
            }
            tar::EntryType::Link => {
                let target = link_name()?;
                writer.hard_link(&name, target.strip_prefix("./").unwrap_or(&target))?
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let declared = entry.header().size().map_err(|e| corrupt(archive, e))?;
                let executable = entry.header().mode().is_ok_and(|m| m & 0o111 != 0);
                writer.file(&name, &mut entry, declared, executable)?
            }
            other => return Err(writer.refuse(&name, &format!("special files ({other:?}) are never extracted"))),
        }
    }
    Ok(())
}

/// Writes checked paths under one destination directory.
struct TreeWriter<'a> {
    archive: &'a Path,
    dest: &'a Path,
    /// Whether files are hashed as written (otherwise their digests are filled in later).
    hash: bool,
    files: Vec<StampedFile>,
    written: BTreeSet<String>,
    links: BTreeSet<String>,
    similar: Vec<String>,
}

impl<'a> TreeWriter<'a> {
    fn new(archive: &'a Path, dest: &'a Path) -> Self {
        Self {
            archive,
            dest,
            hash: true,
            files: Vec::new(),
            written: BTreeSet::new(),
            links: BTreeSet::new(),
            similar: Vec::new(),
        }
    }

    fn refuse(&self, entry: &str, reason: &str) -> Error {
        Error::UnsafeArchiveEntry { archive: self.archive.into(), entry: entry.into(), reason: reason.into() }
    }

    fn record(&mut self, file: StampedFile) {
        self.written.insert(file.path.clone());
        self.files.push(file);
    }

    /// Remembers entries that share the wanted member's file name, to suggest them when it is missing.
    fn note_unwanted(&mut self, name: &str, member: Option<&Member>) {
        if let Some(m) = member.filter(|m| !m.is_subtree())
            && name.rsplit('/').next() == Some(m.file_name())
            && self.similar.len() < 5
        {
            self.similar.push(name.to_owned());
        }
    }

    /// The destination of entry `name`, after checking that it stays inside `dest` and does not
    /// pass through a link written earlier.
    fn path_for(&self, name: &str) -> Result<PathBuf> {
        let relative = normalized(name).map_err(|reason| self.refuse(name, reason))?;
        let mut prefix = String::new();
        for component in relative.split('/') {
            if !prefix.is_empty() {
                if self.links.contains(&prefix) {
                    return Err(self.refuse(name, "it would be written through a symbolic link"));
                }
                prefix.push('/');
            }
            prefix.push_str(component);
        }
        if self.written.contains(&relative) {
            return Err(self.refuse(name, "the archive holds it twice"));
        }
        Ok(self.dest.join(relative))
    }

    fn parent_dirs(&self, path: &Path) -> Result<()> {
        let parent = path.parent().expect("entry paths are below dest");
        fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))
    }

    fn dir(&mut self, name: &str) -> Result<()> {
        let path = self.path_for(name.trim_end_matches('/'))?;
        fs::create_dir_all(&path).map_err(|e| Error::io("creating", &path, e))
    }

    fn file(&mut self, name: &str, reader: &mut dyn Read, declared: u64, executable: bool) -> Result<()> {
        let path = self.path_for(name)?;
        self.parent_dirs(&path)?;
        let out = File::create_new(&path).map_err(|e| Error::io("creating", &path, e))?;
        let mut hashing = HashingWriter::new(out).hashing(self.hash);
        // One byte past the declared size tells a member that lies about its size.
        let copied = copy_member(&mut reader.take(declared.saturating_add(1)), &mut hashing, declared);
        let failure = match copied {
            Ok(n) if n > declared => Some(self.larger_than_declared(name, declared)),
            Ok(n) if n < declared => Some(Error::CorruptArchive {
                archive: self.archive.into(),
                message: format!("{name} ends after {n} of its {declared} bytes"),
            }),
            Ok(_) => None,
            // The zip reader checks the declared size itself, before our extra byte is asked for.
            Err(e) if e.to_string().contains("larger than its declared") => {
                Some(self.larger_than_declared(name, declared))
            }
            Err(e) => Some(Error::CorruptArchive { archive: self.archive.into(), message: format!("{name}: {e}") }),
        };
        if let Some(error) = failure {
            drop(hashing);
            let _ = fs::remove_file(&path);
            return Err(error);
        }
        let (sha, size, out) = hashing.finish();
        // No fsync: what was written survives the process being killed (it is in the page cache);
        // only a machine crash could lose it, which `cargo xtask cache verify` (or
        // RYFT_XLA_SYS_VERIFY=full) finds. Syncing would slow every extraction for that case alone.
        drop(out);
        set_read_only(&path, executable)?;
        let meta = fs::metadata(&path).map_err(|e| Error::io("reading", &path, e))?;
        let relative = normalized(name).expect("checked by path_for");
        let sha256 = if self.hash { sha.to_hex() } else { String::new() };
        self.record(StampedFile { path: relative, size, sha256, mtime_ns: mtime_ns(&meta), link: None });
        Ok(())
    }

    fn larger_than_declared(&self, name: &str, declared: u64) -> Error {
        self.refuse(name, &format!("it yields more than the {declared} bytes its header declares"))
    }

    fn symlink(&mut self, name: &str, target: &str) -> Result<()> {
        let path = self.path_for(name)?;
        let relative = normalized(name).expect("checked by path_for");
        if target.starts_with('/') || target.contains('\\') || Path::new(target).is_absolute() {
            return Err(self.refuse(name, &format!("it links to the absolute path {target:?}")));
        }
        let parent = relative.rsplit_once('/').map_or("", |(p, _)| p);
        let joined = if parent.is_empty() { target.to_owned() } else { format!("{parent}/{target}") };
        if normalized(&joined).is_err() {
            return Err(self.refuse(name, &format!("it links to {target:?}, outside the extracted tree")));
        }
        self.parent_dirs(&path)?;
        make_symlink(target, &path).map_err(|e| Error::io("linking", &path, e))?;
        let meta = fs::symlink_metadata(&path).map_err(|e| Error::io("reading", &path, e))?;
        self.record(StampedFile {
            path: relative.clone(),
            size: 0,
            sha256: String::new(),
            mtime_ns: mtime_ns(&meta),
            link: Some(target.to_owned()),
        });
        self.links.insert(relative);
        Ok(())
    }

    fn hard_link(&mut self, name: &str, target: &str) -> Result<()> {
        let target = normalized(target)
            .map_err(|_| self.refuse(name, &format!("it links to {target:?}, outside the extracted tree")))?;
        let Some(source) = self.files.iter().find(|f| f.path == target && f.link.is_none()).cloned() else {
            return Err(self.refuse(name, &format!("it is a hard link to {target:?}, which is not an extracted file")));
        };
        let path = self.path_for(name)?;
        self.parent_dirs(&path)?;
        let from = self.dest.join(&source.path);
        fs::hard_link(&from, &path)
            .or_else(|_| fs::copy(&from, &path).map(drop))
            .map_err(|e| Error::io("linking", &path, e))?;
        let meta = fs::metadata(&path).map_err(|e| Error::io("reading", &path, e))?;
        let relative = normalized(name).expect("checked by path_for");
        self.record(StampedFile { path: relative, mtime_ns: mtime_ns(&meta), ..source });
        Ok(())
    }
}

/// `name` as a clean relative path, or why it is not one.
fn normalized(name: &str) -> std::result::Result<String, &'static str> {
    if name.contains('\0') {
        return Err("its name contains a NUL byte");
    }
    if name.starts_with('/') || name.starts_with('\\') || Path::new(name).has_root() || name.contains(':') {
        return Err("it has an absolute path");
    }
    let mut parts: Vec<&str> = Vec::new();
    for component in Path::new(name).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str().ok_or("its name is not UTF-8")?),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err("it climbs out of the destination with `..`");
                }
            }
            Component::RootDir | Component::Prefix(_) => return Err("it has an absolute path"),
        }
    }
    if parts.is_empty() {
        return Err("it names the destination itself");
    }
    Ok(parts.join("/"))
}

/// Members at least this large are copied on two threads (see [`copy_large`]); below it, a thread
/// and its buffers cost more than they save (wheels hold hundreds of small files).
const LARGE_MEMBER: u64 = 8 << 20;

/// Copies a member whose header declares `declared` bytes.
fn copy_member(reader: &mut impl Read, writer: &mut (impl Write + Send), declared: u64) -> io::Result<u64> {
    if declared >= LARGE_MEMBER { copy_large(reader, writer) } else { io::copy(reader, writer) }
}

/// `io::copy` in 1 MiB pieces, with the writing (and the hashing behind it) on a second thread:
/// inflating a member and writing it out each take about as long as the other, so doing both at
/// once shortens extraction by a third on two cores, which matters most when it races a download.
/// Memory stays at a few buffers, whatever the member's size. A reader error wins over a writer
/// error, since it says what is wrong with the archive.
fn copy_large(reader: &mut impl Read, writer: &mut (impl Write + Send)) -> io::Result<u64> {
    use std::sync::mpsc;
    const PIECE: usize = 1 << 20;
    const PIECES: usize = 3;
    let (full, filled) = mpsc::sync_channel::<(Vec<u8>, usize)>(PIECES);
    let (recycle, empty) = mpsc::sync_channel::<Vec<u8>>(PIECES);
    for _ in 0..PIECES {
        recycle.send(vec![0u8; PIECE]).expect("the receiver is alive");
    }
    std::thread::scope(|scope| {
        let writing = scope.spawn(move || -> io::Result<()> {
            for (buffer, n) in filled {
                writer.write_all(&buffer[..n])?;
                // The reader may have stopped: then nobody needs the buffer back.
                let _ = recycle.send(buffer);
            }
            Ok(())
        });
        let mut total = 0u64;
        let read = loop {
            // No buffer comes back only when the writer failed: its error is returned below.
            let Ok(mut buffer) = empty.recv() else { break Ok(total) };
            let mut n = 0;
            let end = loop {
                match reader.read(&mut buffer[n..]) {
                    Ok(0) => break Ok(true),
                    Ok(k) => {
                        n += k;
                        if n == buffer.len() {
                            break Ok(false);
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => break Err(e),
                }
            };
            total += n as u64;
            match end {
                Err(e) => break Err(e),
                Ok(end) => {
                    if n > 0 && full.send((buffer, n)).is_err() {
                        break Ok(total);
                    }
                    if end {
                        break Ok(total);
                    }
                }
            }
        };
        drop(full);
        let written = writing.join().expect("writing does not panic");
        let total = read?;
        written.map(|()| total)
    })
}

fn set_read_only(path: &Path, executable: bool) -> Result<()> {
    #[cfg(unix)]
    let permissions = {
        use std::os::unix::fs::PermissionsExt;
        fs::Permissions::from_mode(if executable { 0o555 } else { 0o444 })
    };
    #[cfg(not(unix))]
    let permissions = {
        let _ = executable;
        let mut p = fs::metadata(path).map_err(|e| Error::io("reading", path, e))?.permissions();
        p.set_readonly(true);
        p
    };
    fs::set_permissions(path, permissions).map_err(|e| Error::io("protecting", path, e))
}

#[cfg(unix)]
fn make_symlink(target: &str, path: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, path)
}

#[cfg(windows)]
fn make_symlink(target: &str, path: &Path) -> io::Result<()> {
    std::os::windows::fs::symlink_file(target, path)
}

#[cfg(test)]
mod tests;
