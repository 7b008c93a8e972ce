//! Finds the `FileDescriptorProto`s a binary embeds (protobuf's generated descriptor tables).
//!
//! protoc's C++ code keeps each `.proto` file's serialized `FileDescriptorProto` as a byte array in
//! the binary. Every such serialization starts with field 1, the file's name: the tag byte `0a`, the
//! name's length as a varint, then a name ending in `.proto`. This module finds those starts,
//! measures how far valid `FileDescriptorProto` fields run from each, and keeps what decodes with
//! prost-types: it parses protobuf, it never trusts an offset or a size taken from elsewhere.
//!
//! Self-contained (std, prost, prost-types, memchr): `cargo xtask protos` and the tests of
//! xla-protos, which read the release set's schemas at run time, both include this file.

use std::collections::BTreeMap;
use std::fmt;

use prost::Message as _;
use prost_types::FileDescriptorProto;

/// One `FileDescriptorProto` found in a binary.
#[derive(Debug, Clone)]
pub struct EmbeddedFile {
    /// The descriptor, decoded.
    pub descriptor: FileDescriptorProto,
    /// Where its serialization starts in the binary.
    pub offset: usize,
    /// Its serialization (what [`descriptor`](Self::descriptor) was decoded from). prost-types
    /// drops the fields it does not know, such as the features of protobuf editions; these keep them.
    pub bytes: Vec<u8>,
}

impl EmbeddedFile {
    /// The `.proto` file's name (e.g. `xla/xla_data.proto`).
    pub fn name(&self) -> &str {
        self.descriptor.name()
    }
}

/// What a binary embeds.
#[derive(Debug, Clone, Default)]
pub struct Embedded {
    /// Every `.proto` file found in one version, by name.
    pub files: BTreeMap<String, EmbeddedFile>,
    /// Files found in different versions (a binary linking two copies of a library): which one
    /// the binary uses cannot be told from the bytes, so they are left out of `files`.
    pub conflicts: Vec<ConflictingDescriptors>,
}

/// Two different descriptors of one `.proto` file in one binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictingDescriptors {
    /// The file's name.
    pub name: String,
    /// Where each version starts.
    pub offsets: Vec<usize>,
}

impl fmt::Display for ConflictingDescriptors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the binary embeds different descriptors of {} (at offsets {:?}); expected one version of each file",
            self.name, self.offsets
        )
    }
}

impl std::error::Error for ConflictingDescriptors {}

/// Every `.proto` file whose descriptor `binary` embeds. A file found more than once is one file
/// when every copy decodes to the same descriptor, and a conflict otherwise.
pub fn embedded_files(binary: &[u8]) -> Embedded {
    let mut files: BTreeMap<String, EmbeddedFile> = BTreeMap::new();
    let mut conflicts: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for start in candidate_starts(binary) {
        let Some(found) = descriptor_at(binary, start) else { continue };
        match files.get(found.name()) {
            None => {
                files.insert(found.name().to_owned(), found);
            }
            Some(kept) if kept.descriptor == found.descriptor => {}
            Some(kept) => {
                conflicts.entry(found.name().to_owned()).or_insert_with(|| vec![kept.offset]).push(found.offset);
            }
        }
    }
    files.retain(|name, _| !conflicts.contains_key(name));
    let conflicts = conflicts.into_iter().map(|(name, offsets)| ConflictingDescriptors { name, offsets }).collect();
    Embedded { files, conflicts }
}

/// Offsets where a serialization could start: `0a <varint n> <n bytes of a path ending in .proto>`.
pub fn candidate_starts(binary: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    for suffix in memchr::memmem::find_iter(binary, b".proto") {
        let end = suffix + b".proto".len();
        // The longest run of path characters ending at the suffix; the name is a tail of it.
        let run_start = binary[..suffix].iter().rposition(|&b| !is_path_byte(b)).map_or(0, |i| i + 1);
        for name_start in run_start..suffix {
            let name_len = end - name_start;
            let mut prefix = vec![0x0a];
            prost::encoding::encode_varint(name_len as u64, &mut prefix);
            if name_start >= prefix.len() && binary[name_start - prefix.len()..name_start] == prefix[..] {
                starts.push(name_start - prefix.len());
            }
        }
    }
    starts
}

fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/')
}

/// The descriptor whose serialization starts at `start`, if the bytes there are one.
///
/// The serialization's end is where the bytes stop being `FileDescriptorProto` fields: a tag that is
/// not one of its fields (such as the NUL after a C string literal), a field number smaller than
/// the one before (serializers write fields in number order, so this is where the next file's
/// name starts when nothing separates two arrays), or a length running past the binary. What lies
/// before must then decode completely, nested messages included.
pub fn descriptor_at(binary: &[u8], start: usize) -> Option<EmbeddedFile> {
    let len = field_run(&binary[start..]);
    let bytes = &binary[start..start + len];
    let descriptor = FileDescriptorProto::decode(bytes).ok()?;
    let name = descriptor.name();
    // The candidate's name is what made it one; a valid name and some content make it a file.
    let has_content = descriptor.package.is_some()
        || descriptor.syntax.is_some()
        || !descriptor.message_type.is_empty()
        || !descriptor.enum_type.is_empty()
        || !descriptor.extension.is_empty();
    (name.ends_with(".proto") && name.bytes().all(is_path_byte) && has_content).then(|| EmbeddedFile {
        descriptor,
        offset: start,
        bytes: bytes.to_vec(),
    })
}

/// How many leading bytes of `bytes` are well-formed `FileDescriptorProto` fields in number order.
fn field_run(bytes: &[u8]) -> usize {
    let mut at = 0;
    let mut previous_field = 0;
    while at < bytes.len() {
        let mut rest = &bytes[at..];
        let Ok(tag) = prost::encoding::decode_varint(&mut rest) else { break };
        let (field, wire_type) = (tag >> 3, tag & 7);
        if !is_file_descriptor_field(field, wire_type) || field < previous_field || (field == 1 && previous_field == 1)
        {
            break;
        }
        let skipped = match wire_type {
            VARINT => prost::encoding::decode_varint(&mut rest).is_ok(),
            _ => match prost::encoding::decode_varint(&mut rest) {
                Ok(len) if len <= rest.len() as u64 => {
                    rest = &rest[len as usize..];
                    true
                }
                _ => false,
            },
        };
        if !skipped {
            break;
        }
        previous_field = field;
        at = bytes.len() - rest.len();
    }
    at
}

const VARINT: u64 = 0;
const LENGTH_DELIMITED: u64 = 2;

/// Whether `field` is a field of `google.protobuf.FileDescriptorProto` with that wire type.
fn is_file_descriptor_field(field: u64, wire_type: u64) -> bool {
    match field {
        // name, package, dependency, message_type, enum_type, service, extension, options,
        // source_code_info, syntax, option_dependency.
        1..=9 | 12 | 15 => wire_type == LENGTH_DELIMITED,
        // public_dependency, weak_dependency: int32, packed or not.
        10 | 11 => wire_type == VARINT || wire_type == LENGTH_DELIMITED,
        // edition.
        14 => wire_type == VARINT,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost_types::{DescriptorProto, FieldDescriptorProto, field_descriptor_proto};

    fn file(name: &str, package: &str, dependencies: &[&str]) -> FileDescriptorProto {
        FileDescriptorProto {
            name: Some(name.into()),
            package: Some(package.into()),
            dependency: dependencies.iter().map(|d| d.to_string()).collect(),
            message_type: vec![DescriptorProto {
                name: Some("Message".into()),
                field: vec![FieldDescriptorProto {
                    name: Some("value".into()),
                    number: Some(1),
                    r#type: Some(field_descriptor_proto::Type::Int64 as i32),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            syntax: Some("proto3".into()),
            ..Default::default()
        }
    }

    fn noise(len: usize, seed: u8) -> Vec<u8> {
        (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) | 0x80).collect()
    }

    #[test]
    fn finds_descriptors_between_noise_and_c_string_terminators() {
        let a = file("a/first.proto", "first", &[]);
        let b = file("b/second.proto", "second", &["a/first.proto"]);
        let mut binary = noise(100, 1);
        let a_at = binary.len();
        binary.extend(a.encode_to_vec());
        binary.push(0);
        binary.extend(noise(37, 2));
        let b_at = binary.len();
        binary.extend(b.encode_to_vec());
        binary.push(0);
        binary.extend(noise(50, 3));

        let found = embedded_files(&binary).files;
        assert_eq!(found.keys().collect::<Vec<_>>(), ["a/first.proto", "b/second.proto"]);
        assert_eq!(found["a/first.proto"].descriptor, a);
        assert_eq!(found["a/first.proto"].offset, a_at);
        assert_eq!(found["a/first.proto"].bytes, a.encode_to_vec());
        assert_eq!(found["b/second.proto"].descriptor, b);
        assert_eq!(found["b/second.proto"].offset, b_at);
    }

    #[test]
    fn splits_descriptors_that_follow_each_other_without_a_separator() {
        let a = file("x/a.proto", "x", &[]);
        let b = file("x/b.proto", "x", &["x/a.proto"]);
        let binary = [a.encode_to_vec(), b.encode_to_vec()].concat();
        let found = embedded_files(&binary).files;
        assert_eq!(found["x/a.proto"].descriptor, a);
        assert_eq!(found["x/b.proto"].descriptor, b);
    }

    #[test]
    fn finds_names_longer_than_127_bytes() {
        let name = format!("{}/long.proto", "d".repeat(140));
        let a = file(&name, "long", &[]);
        let binary = [noise(9, 4), a.encode_to_vec(), vec![0]].concat();
        assert_eq!(embedded_files(&binary).files[&name].descriptor, a);
    }

    #[test]
    fn skips_truncated_descriptors_and_bare_names() {
        let a = FileDescriptorProto { syntax: None, ..file("t/truncated.proto", "t", &[]) }.encode_to_vec();
        let name_only = &a[..2 + "t/truncated.proto".len()];
        let mut binary = noise(20, 5);
        binary.extend(name_only);
        binary.push(0);
        // A string that merely names a file, as a dependency would, is no file.
        binary.extend(b"\x1a\x0bdep/a.proto\x00");
        assert!(embedded_files(&binary).files.is_empty());

        // Cut inside the message type, the last field: the run stops before it, at the package.
        let truncated = &a[..a.len() - 3];
        let found = embedded_files(truncated).files;
        assert_eq!(found["t/truncated.proto"].descriptor.message_type.len(), 0);
        assert_eq!(found["t/truncated.proto"].descriptor.package(), "t");
    }

    #[test]
    fn rejects_fields_that_do_not_decode() {
        // Name, then a message type (field 4) whose content is not a DescriptorProto.
        let mut bytes = vec![0x0a, 7];
        bytes.extend(b"b.proto");
        bytes.extend([0x22, 2, 0xff, 0xff]);
        assert!(descriptor_at(&bytes, 0).is_none());
    }

    #[test]
    fn identical_copies_are_one_file_and_different_ones_a_conflict() {
        let a = file("dup/a.proto", "dup", &[]).encode_to_vec();
        let twice = [a.clone(), vec![0], a.clone(), vec![0]].concat();
        let found = embedded_files(&twice);
        assert_eq!((found.files.len(), found.conflicts.len()), (1, 0));

        let other = file("dup/a.proto", "other", &[]).encode_to_vec();
        let b = file("dup/b.proto", "dup", &[]).encode_to_vec();
        let conflicting = [a.clone(), vec![0], other, vec![0], b, vec![0]].concat();
        let found = embedded_files(&conflicting);
        // The conflict leaves that file out, and only that file.
        assert_eq!(found.files.keys().collect::<Vec<_>>(), ["dup/b.proto"]);
        assert_eq!(
            found.conflicts,
            [ConflictingDescriptors { name: "dup/a.proto".into(), offsets: vec![0, a.len() + 1] }]
        );
    }
}
