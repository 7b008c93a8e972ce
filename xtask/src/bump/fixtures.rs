//! Fixtures of bump-xla's tests, written on the fly: tiny wheels (zip files with the names and the
//! `.dist-info` pip reads), a tiny PJRT header tree in two versions, and a tiny descriptor set in
//! two versions, embedded in a "binary" the way protoc's generated code embeds it.

use std::io::Write as _;
use std::path::Path;

use prost::Message as _;
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{
    DescriptorProto, EnumDescriptorProto, EnumValueDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
};
use xla_artifacts::env::{CACHE_DIR, PIP_FIND_LINKS};

/// Settings that resolve with their own cache and only from the wheels in `links` (pip's
/// `--find-links`, with `--no-index`): no network.
pub fn settings(cache: &Path, links: &Path) -> super::plan::Settings {
    super::plan::Settings {
        vars: Some(vec![(CACHE_DIR.into(), cache.into()), (PIP_FIND_LINKS.into(), links.into())]),
        progress: false,
        host: crate::workspace::host_target().to_owned(),
    }
}

/// The wheels in a cache's downloads.
pub fn downloads(cache: &Path) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(cache.join("v1/downloads"))
        .map(|dirs| {
            dirs.flatten()
                .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten())
                .map(|f| f.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Writes wheel `file` into `dir` with `members` and the `.dist-info/METADATA` and `WHEEL` pip
/// reads (plus `extra_metadata` lines); returns its bytes.
pub fn wheel(dir: &Path, file: &str, members: &[(&str, &[u8])], extra_metadata: &str) -> Vec<u8> {
    let mut fields = file.trim_end_matches(".whl").split('-');
    let (name, version) = (fields.next().unwrap(), fields.next().unwrap());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{extra_metadata}");
    let info = [
        (format!("{name}-{version}.dist-info/METADATA"), metadata.into_bytes()),
        (format!("{name}-{version}.dist-info/WHEEL"), b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\n".to_vec()),
    ];
    let members = members.iter().map(|(n, c)| ((*n).to_owned(), c.to_vec())).chain(info);
    for (member, content) in members {
        zip.start_file(member, options).unwrap();
        zip.write_all(&content).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(file), &bytes).unwrap();
    bytes
}

/// A tiny PJRT header tree declaring PJRT C API 0.`minor` (1 or 2), as `(path, text)` below the
/// include directory. From 0.1 to 0.2: `PJRT_Client_Fade` goes, `PJRT_Client_Shine` comes,
/// `PJRT_Client_Create` takes a second argument, its args struct loses `legacy`, gains
/// `num_options` and changes `client`'s type, and the Sparkle extension appears.
pub fn header_tree(minor: u32) -> Vec<(String, String)> {
    let v2 = minor >= 2;
    let mut api = String::from(
        "#ifndef PJRT_C_API_H_\n#define PJRT_C_API_H_\n#include <stddef.h>\n#include <stdint.h>\n\
         #define PJRT_STRUCT_SIZE(t, f) offsetof(t, f) + sizeof(((t*)0)->f)\n\
         #define PJRT_DEFINE_STRUCT_TRAITS(s, f) typedef struct s s; enum { s##_STRUCT_SIZE = PJRT_STRUCT_SIZE(s, f) }\n\
         #define _PJRT_API_STRUCT_FIELD(fn_type) fn_type* fn_type\n\
         #ifdef __cplusplus\nextern \"C\" {\n#endif\n\
         typedef enum { PJRT_Extension_Type_Sparkle = 0 } PJRT_Extension_Type;\n\
         typedef struct PJRT_Extension_Base { size_t struct_size; PJRT_Extension_Type type; struct PJRT_Extension_Base* next; } PJRT_Extension_Base;\n\
         PJRT_DEFINE_STRUCT_TRAITS(PJRT_Extension_Base, next);\n#define PJRT_API_MAJOR 0\n",
    );
    api.push_str(&format!("#define PJRT_API_MINOR {minor}\n"));
    api.push_str(
        "typedef struct PJRT_Api_Version { size_t struct_size; PJRT_Extension_Base* extension_start; int major_version; int minor_version; } PJRT_Api_Version;\n\
         PJRT_DEFINE_STRUCT_TRAITS(PJRT_Api_Version, minor_version);\n\
         typedef struct PJRT_Error PJRT_Error;\ntypedef struct PJRT_Client PJRT_Client;\n",
    );
    let (client, last) = if v2 {
        ("const PJRT_Client* client; size_t num_options;", "num_options")
    } else {
        ("PJRT_Client* client; int legacy;", "legacy")
    };
    api.push_str(&format!(
        "struct PJRT_Client_Create_Args {{ size_t struct_size; PJRT_Extension_Base* extension_start; {client} }};\n\
         PJRT_DEFINE_STRUCT_TRAITS(PJRT_Client_Create_Args, {last});\n\
         typedef PJRT_Error* PJRT_Client_Create(PJRT_Client_Create_Args* args{});\n",
        if v2 { ", int flags" } else { "" }
    ));
    let other = if v2 { "Shine" } else { "Fade" };
    api.push_str(&format!(
        "struct PJRT_Client_{other}_Args {{ size_t struct_size; PJRT_Extension_Base* extension_start; PJRT_Client* client; }};\n\
         PJRT_DEFINE_STRUCT_TRAITS(PJRT_Client_{other}_Args, client);\n\
         typedef PJRT_Error* PJRT_Client_{other}(PJRT_Client_{other}_Args* args);\n\
         typedef struct PJRT_Api {{ size_t struct_size; PJRT_Extension_Base* extension_start; PJRT_Api_Version pjrt_api_version;\n\
         _PJRT_API_STRUCT_FIELD(PJRT_Client_Create); _PJRT_API_STRUCT_FIELD(PJRT_Client_{other}); }} PJRT_Api;\n\
         PJRT_DEFINE_STRUCT_TRAITS(PJRT_Api, PJRT_Client_{other});\n\
         #ifdef __cplusplus\n}}\n#endif\n#endif\n"
    ));
    let ffi = "#include <stddef.h>\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\
               typedef struct XLA_FFI_Error XLA_FFI_Error;\n\
               typedef struct XLA_FFI_Error_Destroy_Args { size_t struct_size; void* extension_start; XLA_FFI_Error* error; } XLA_FFI_Error_Destroy_Args;\n\
               typedef void XLA_FFI_Error_Destroy(XLA_FFI_Error_Destroy_Args* args);\n\
               typedef struct XLA_FFI_Api { size_t struct_size; void* extension_start; XLA_FFI_Error_Destroy* XLA_FFI_Error_Destroy; } XLA_FFI_Api;\n\
               #ifdef __cplusplus\n}\n#endif\n";
    let mut tree = vec![
        ("xla/pjrt/c/pjrt_c_api.h".to_owned(), api),
        ("xla/ffi/api/c_api.h".to_owned(), ffi.to_owned()),
        ("xla/pjrt/extensions/README".to_owned(), "no extension header here yet\n".to_owned()),
    ];
    if v2 {
        tree.push((
            "xla/pjrt/c/pjrt_c_api_sparkle_extension.h".to_owned(),
            "#include \"xla/pjrt/c/pjrt_c_api.h\"\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\
             #define PJRT_API_SPARKLE_EXTENSION_VERSION 1\n\
             struct PJRT_Sparkle_Glow_Args { size_t struct_size; PJRT_Extension_Base* extension_start; int level; };\n\
             PJRT_DEFINE_STRUCT_TRAITS(PJRT_Sparkle_Glow_Args, level);\n\
             typedef PJRT_Error* PJRT_Sparkle_Glow(PJRT_Sparkle_Glow_Args* args);\n\
             typedef struct PJRT_Sparkle_Extension { PJRT_Extension_Base base; _PJRT_API_STRUCT_FIELD(PJRT_Sparkle_Glow); } PJRT_Sparkle_Extension;\n\
             PJRT_DEFINE_STRUCT_TRAITS(PJRT_Sparkle_Extension, PJRT_Sparkle_Glow);\n\
             #ifdef __cplusplus\n}\n#endif\n"
                .to_owned(),
        ));
    }
    tree
}

/// Writes [`header_tree`] below `include`.
pub fn headers(include: &Path, minor: u32) {
    for (path, text) in header_tree(minor) {
        let path = include.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// A tiny descriptor set in version 1 or 2: `demo/api.proto` (importing `demo/shape.proto`), and
/// in version 2 `demo/unrelated.proto`, which nothing imports. From 1 to 2: `Legacy` goes,
/// `Options.old_flag` goes, `Options.tuning` and its message `Options.Tuning` come, `Shape.dims`
/// becomes int64, and `Kind` gains `KIND_SPARSE`.
pub fn descriptors(version: u32) -> Vec<FileDescriptorProto> {
    let v2 = version >= 2;
    let field = |name: &str, number: i32, label: Label, ty: Type, type_name: Option<&str>| FieldDescriptorProto {
        name: Some(name.into()),
        number: Some(number),
        label: Some(label as i32),
        r#type: Some(ty as i32),
        type_name: type_name.map(str::to_owned),
        ..Default::default()
    };
    let message = |name: &str, field: Vec<FieldDescriptorProto>, nested_type: Vec<DescriptorProto>| DescriptorProto {
        name: Some(name.into()),
        field,
        nested_type,
        ..Default::default()
    };
    let file =
        |name: &str, dependency: Vec<String>, message_type: Vec<DescriptorProto>, enum_type| FileDescriptorProto {
            name: Some(name.into()),
            package: Some("demo".into()),
            dependency,
            message_type,
            enum_type,
            syntax: Some("proto3".into()),
            ..Default::default()
        };
    let dims = if v2 { Type::Int64 } else { Type::Int32 };
    let shape = file(
        "demo/shape.proto",
        vec![],
        vec![message("Shape", vec![field("dims", 1, Label::Repeated, dims, None)], vec![])],
        vec![],
    );
    let mut options_fields = vec![field("shape", 2, Label::Optional, Type::Message, Some(".demo.Shape"))];
    let mut nested = Vec::new();
    let mut messages = Vec::new();
    if v2 {
        options_fields.push(field("tuning", 3, Label::Optional, Type::Message, Some(".demo.Options.Tuning")));
        nested.push(message("Tuning", vec![field("level", 1, Label::Optional, Type::Int32, None)], vec![]));
    } else {
        options_fields.insert(0, field("old_flag", 1, Label::Optional, Type::Bool, None));
        messages.push(message("Legacy", vec![], vec![]));
    }
    messages.insert(0, message("Options", options_fields, nested));
    let values = if v2 { &["KIND_DENSE", "KIND_SPARSE"][..] } else { &["KIND_DENSE"][..] };
    let kind = EnumDescriptorProto {
        name: Some("Kind".into()),
        value: values
            .iter()
            .enumerate()
            .map(|(i, v)| EnumValueDescriptorProto {
                name: Some((*v).into()),
                number: Some(i as i32),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    let api = file("demo/api.proto", vec!["demo/shape.proto".into()], messages, vec![kind]);
    let mut files = vec![api, shape];
    if v2 {
        files.push(file("demo/unrelated.proto", vec![], vec![message("Unrelated", vec![], vec![])], vec![]));
    }
    files
}

/// Bytes holding each descriptor's serialization the way a binary does: between other data, each
/// ended by the NUL of a C string.
pub fn binary_with_descriptors(files: &[FileDescriptorProto]) -> Vec<u8> {
    let mut binary = b"\x7fELF not really a library, just bytes around the descriptors\0".to_vec();
    for file in files {
        binary.extend(file.encode_to_vec());
        binary.extend(b"\0\0some other data\0");
    }
    binary
}
