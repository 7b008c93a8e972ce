//! The one definition of how pjrt-sys's bindings are generated from the PJRT C API headers.
//!
//! Used by `cargo xtask bindings` (which commits the result) and by this crate's build script under
//! the `generate-bindings` feature. It runs bindgen over every C API header of the include tree,
//! then adds what the headers express only in macros or conventions: `STRUCT_SIZE` per struct,
//! checked function-pointer accessors for structs that grow by minor version, and the extension
//! type of each extension struct.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use quote::{ToTokens, format_ident, quote};

/// Generated sources.
pub struct Generated {
    /// Bindings of the PJRT C API and every extension header.
    pub pjrt: String,
    /// Bindings of the XLA FFI C API.
    pub xla_ffi: String,
    /// `PJRT_API_MAJOR.PJRT_API_MINOR` of the headers.
    pub api_version: (u32, u32),
    /// The PJRT headers bound, relative to the include directory.
    pub headers: Vec<String>,
    /// The XLA FFI headers bound.
    pub ffi_headers: Vec<String>,
    /// Extension structs found without a matching `PJRT_Extension_Type` (must stay empty).
    pub unmatched_extensions: Vec<String>,
}

/// Generates the bindings from the include directory `include` (the one holding `xla/`).
pub fn generate(include: &Path) -> Result<Generated, String> {
    let pjrt_c = include.join("xla/pjrt/c/pjrt_c_api.h");
    let main = std::fs::read_to_string(&pjrt_c).map_err(|e| format!("{}: {e}", pjrt_c.display()))?;
    let api_version = (define(&main, "PJRT_API_MAJOR")?, define(&main, "PJRT_API_MINOR")?);

    let mut headers = Vec::new();
    for dir in ["xla/pjrt/c", "xla/pjrt/extensions"] {
        collect_headers(include, &include.join(dir), &mut headers)?;
    }
    headers.retain(|h| defines_c_api(include, h));
    headers.sort();
    let ffi_headers: Vec<String> = std::fs::read_dir(include.join("xla/ffi/api"))
        .map_err(|e| format!("{}: {e}", include.join("xla/ffi/api").display()))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n == "c_api.h" || n.ends_with("_c_api.h"))
        .map(|n| format!("xla/ffi/api/{n}"))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();

    let shadow = shadow_cxx_includes(include, headers.iter().chain(&ffi_headers))?;
    std::fs::write(shadow.join(PRELUDE), xla_int_types(include, &shadow, &headers)?).map_err(|e| e.to_string())?;
    let pjrt_raw = run_bindgen(include, &shadow, &headers, "PJRT_.*|PLUGIN_Profiler.*")?;
    let ffi_raw = run_bindgen(include, &shadow, &ffi_headers, "XLA_FFI_.*")?;
    let _ = std::fs::remove_dir_all(&shadow);

    let (pjrt, unmatched_extensions) = augment(&pjrt_raw, true)?;
    let (xla_ffi, _) = augment(&ffi_raw, false)?;
    Ok(Generated { pjrt, xla_ffi, api_version, headers, ffi_headers, unmatched_extensions })
}

fn define(text: &str, name: &str) -> Result<u32, String> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(&format!("#define {name} ")))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("no `#define {name} <number>` in pjrt_c_api.h"))
}

fn collect_headers(include: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_headers(include, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "h") {
            let name = path.file_name().unwrap().to_string_lossy();
            // By XLA's naming, these hold C++ implementations of the C API, not the API itself.
            if name.contains("internal") || name.ends_with("_impl.h") {
                continue;
            }
            out.push(path.strip_prefix(include).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// Whether a header declares C API types (rather than C++ helpers around them).
fn defines_c_api(include: &Path, header: &str) -> bool {
    let text = std::fs::read_to_string(include.join(header)).unwrap_or_default();
    text.contains("PJRT_DEFINE_STRUCT_TRAITS") || text.contains("typedef struct PJRT_")
}

/// Some extension headers wrap their C block in a C++ file: it includes XLA's C++ headers and
/// ends with C++ helpers in a namespace. Bindgen reads a shadow tree first, where those includes are
/// empty files and those headers are copies without their `namespace` blocks, so that exactly the C
/// API is parsed.
fn shadow_cxx_includes<'a>(include: &Path, headers: impl Iterator<Item = &'a String>) -> Result<PathBuf, String> {
    // One per call: `cargo xtask bump-xla`'s tests generate from several threads of one process.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let shadow = std::env::temp_dir().join(format!("pjrt-sys-shadow-{}-{call}", std::process::id()));
    let _ = std::fs::remove_dir_all(&shadow);
    std::fs::create_dir_all(&shadow).map_err(|e| e.to_string())?;
    let write = |relative: &str, content: &str| -> Result<(), String> {
        let path = shadow.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
        std::fs::write(&path, content).map_err(|e| e.to_string())
    };
    for header in headers {
        let text = std::fs::read_to_string(include.join(header)).map_err(|e| format!("{header}: {e}"))?;
        if text.contains("namespace ") {
            write(header, &without_namespaces(&text))?;
        }
        for line in text.lines() {
            let Some(rest) = line.trim().strip_prefix("#include \"") else { continue };
            let Some(included) = rest.split('"').next() else { continue };
            let content = std::fs::read_to_string(include.join(included)).unwrap_or_default();
            if is_cxx(&content) && !shadow.join(included).exists() {
                write(included, "// shadowed by pjrt-sys's generator: C++ only\n")?;
            }
        }
    }
    Ok(shadow)
}

fn is_cxx(text: &str) -> bool {
    text.contains("namespace ") || text.lines().any(|l| is_cxx_std_include(l.trim()))
}

/// `text` without its top-level `namespace ... { ... }` blocks (comments and literals respected).
fn without_namespaces(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut depth, mut skip_from) = (0, 0usize, None::<usize>);
    let mut kept = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = text[i..].find('\n').map_or(bytes.len(), |n| i + n),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(bytes.len(), |n| i + 2 + n + 2)
            }
            b'"' | b'\'' => {
                let quote = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
                if depth == 0
                    && let Some(start) = skip_from.take()
                {
                    out.push_str(&text[kept..start]);
                    kept = i;
                }
            }
            _ if depth == 0 && skip_from.is_none() && text[i..].starts_with("namespace") && word_boundary(bytes, i) => {
                // Only a namespace *block*: `namespace x {`, not `using namespace x;`.
                let brace = text[i..].find(['{', ';']).map(|n| i + n);
                if let Some(b) = brace.filter(|b| bytes[*b] == b'{') {
                    skip_from = Some(i);
                    depth = 1;
                    i = b + 1;
                } else {
                    i += "namespace".len();
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[kept.min(text.len())..]);
    out
}

fn word_boundary(bytes: &[u8], i: usize) -> bool {
    let before = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
    let after = bytes.get(i + "namespace".len()).is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'));
    before && after
}

/// The file, in the shadow directory, that the wrapper includes first.
const PRELUDE: &str = "pjrt_sys_prelude.h";

/// A few C API structs point to XLA's strong integer types (`const xla::GlobalDeviceId*`). Their
/// layout is their underlying integer; they are declared here, from their
/// `TSL_LIB_GTL_DEFINE_INT_TYPE(Name, type)` definitions in the include tree, as one-field structs.
fn xla_int_types(include: &Path, shadow: &Path, headers: &[String]) -> Result<String, String> {
    let mut used = BTreeSet::new();
    for header in headers {
        // The C view where one was made: the C++ helpers are not parsed.
        let path = if shadow.join(header).is_file() { shadow.join(header) } else { include.join(header) };
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{header}: {e}"))?;
        let code: String = text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
        for (i, _) in code.match_indices("xla::") {
            let name: String = code[i + 5..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                used.insert(name);
            }
        }
    }
    let mut definitions = BTreeMap::new();
    if !used.is_empty() {
        find_int_types(&include.join("xla"), &mut definitions)?;
    }
    let mut prelude = String::from("#include <stdint.h>\n#ifdef __cplusplus\nnamespace xla {\n");
    for name in &used {
        let ty = definitions.get(name).ok_or_else(|| {
            format!("a C API header uses xla::{name}, which is no TSL_LIB_GTL_DEFINE_INT_TYPE of the include tree")
        })?;
        let _ = writeln!(prelude, "struct {name} {{ {ty} value; }};");
    }
    prelude.push_str("}\n#endif\n");
    Ok(prelude)
}

fn find_int_types(dir: &Path, out: &mut BTreeMap<String, String>) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            find_int_types(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "h") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for line in text.lines() {
                if let Some(args) = line.trim().strip_prefix("TSL_LIB_GTL_DEFINE_INT_TYPE(") {
                    let args = args.trim_end_matches(';').trim_end_matches(')');
                    if let Some((name, ty)) = args.split_once(',') {
                        out.insert(name.trim().to_owned(), ty.trim().to_owned());
                    }
                }
            }
        }
    }
    Ok(())
}

fn is_cxx_std_include(line: &str) -> bool {
    line.strip_prefix("#include <").and_then(|r| r.split('>').next()).is_some_and(|h| !h.ends_with(".h"))
}

fn run_bindgen(include: &Path, shadow: &Path, headers: &[String], allow: &str) -> Result<String, String> {
    let wrapper: String = std::iter::once(PRELUDE)
        .chain(headers.iter().map(String::as_str))
        .map(|h| format!("#include \"{h}\"\n"))
        .collect();
    let bindings = bindgen::Builder::default()
        .header_contents("pjrt_sys_wrapper.h", &wrapper)
        // C++ mode: the C blocks of some extension headers sit in C++ files. The layouts are the C ones.
        .clang_args(["-x", "c++", "-std=c++17"])
        .clang_arg(format!("-I{}", shadow.display()))
        .clang_arg(format!("-I{}", include.display()))
        .allowlist_item(allow)
        .generate_comments(false)
        .layout_tests(true)
        .derive_default(true)
        .derive_debug(true)
        // C enums may carry values newer than these bindings: newtypes, never Rust enums.
        .default_enum_style(bindgen::EnumVariation::Consts)
        .newtype_enum(allow)
        .prepend_enum_name(false)
        .size_t_is_usize(true)
        .merge_extern_blocks(true)
        .formatter(bindgen::Formatter::None)
        .generate()
        .map_err(|e| format!("bindgen failed: {e}"))?;
    Ok(bindings.to_string())
}

/// What the post-processing reads of bindgen's output.
#[derive(Default)]
struct Items {
    structs: BTreeMap<String, Vec<(String, String)>>,
    fn_aliases: BTreeSet<String>,
    struct_sizes: BTreeSet<String>,
    extension_types: Vec<String>,
}

fn scan(file: &syn::File) -> Items {
    let mut items = Items::default();
    for item in &file.items {
        match item {
            syn::Item::Struct(s) => {
                let fields = match &s.fields {
                    syn::Fields::Named(named) => named
                        .named
                        .iter()
                        .map(|f| (f.ident.as_ref().unwrap().to_string(), f.ty.to_token_stream().to_string()))
                        .collect(),
                    _ => Vec::new(),
                };
                items.structs.insert(s.ident.to_string(), fields);
            }
            syn::Item::Type(t) if t.ty.to_token_stream().to_string().contains("extern \"C\" fn") => {
                items.fn_aliases.insert(t.ident.to_string());
            }
            syn::Item::Const(c) => {
                let name = c.ident.to_string();
                if let Some(base) = name.strip_suffix("_STRUCT_SIZE") {
                    items.struct_sizes.insert(base.to_owned());
                }
            }
            // Newtype enums: `impl PJRT_Extension_Type { pub const PJRT_Extension_Type_X: Self = ...; }`
            syn::Item::Impl(i) if i.self_ty.to_token_stream().to_string() == "PJRT_Extension_Type" => {
                for impl_item in &i.items {
                    if let syn::ImplItem::Const(c) = impl_item {
                        items.extension_types.push(c.ident.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    items
}

/// The headers' `enum { X_STRUCT_SIZE = ... }` are anonymous enums, which bindgen turns into a
/// newtype per enum: they become plain `usize` constants.
fn struct_sizes_as_usize(file: &mut syn::File) {
    // `_bindgen_ty_N` itself, not the `Outer__bindgen_ty_N` of anonymous unions inside structs.
    let anonymous = |tokens: String| {
        tokens.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).any(|word| word.starts_with("_bindgen_ty_"))
    };
    let mut kept = Vec::with_capacity(file.items.len());
    for item in file.items.drain(..) {
        match item {
            syn::Item::Const(mut c) if anonymous(c.ty.to_token_stream().to_string()) => {
                let value = match &*c.expr {
                    syn::Expr::Call(call) if call.args.len() == 1 => call.args[0].clone(),
                    other => other.clone(),
                };
                c.ty = Box::new(syn::parse_quote!(usize));
                c.expr = Box::new(value);
                kept.push(syn::Item::Const(c));
            }
            other if anonymous(other.to_token_stream().to_string()) => {}
            other => kept.push(other),
        }
    }
    file.items = kept;
}

/// Appends `StructSize`, checked accessors and `Extension` impls to bindgen's output.
fn augment(raw: &str, pjrt: bool) -> Result<(String, Vec<String>), String> {
    let mut file = syn::parse_file(raw).map_err(|e| format!("bindgen produced unparsable Rust: {e}"))?;
    struct_sizes_as_usize(&mut file);
    let items = scan(&file);
    let mut extra = proc_macro2::TokenStream::new();
    let mut unmatched = Vec::new();
    let mut bound_extensions = Vec::new();

    for (name, fields) in &items.structs {
        let first = fields.first().map(|(n, t)| (n.as_str(), t.as_str()));
        let sized_by_field = matches!(first, Some(("struct_size", "usize")));
        let sized_by_base = matches!(first, Some(("base", t)) if t.ends_with("Extension_Base"));
        let ident = format_ident!("{name}");
        if items.struct_sizes.contains(name) && sized_by_field {
            let size = format_ident!("{name}_STRUCT_SIZE");
            extra.extend(quote! {
                // SAFETY: the struct's first field is `size_t struct_size` (checked by the generator).
                unsafe impl crate::StructSize for #ident { const STRUCT_SIZE: usize = #size; }
            });
        }
        // Structs that gain fields by minor version: the API tables and every extension.
        let grows = (name.ends_with("_Api") && sized_by_field) || sized_by_base;
        let functions: Vec<&String> = fields
            .iter()
            .filter(|(_, ty)| items.fn_aliases.contains(ty) || ty.contains("extern \"C\" fn"))
            .map(|(n, _)| n)
            .collect();
        if grows && !functions.is_empty() {
            let accessors = functions.iter().map(|field| {
                let f = format_ident!("{field}");
                let ty: syn::Type = syn::parse_str(&fields.iter().find(|(n, _)| n == *field).unwrap().1).unwrap();
                let doc = format!(" `{name}::{field}`, or `None` when the plugin's struct ends before it.");
                quote! {
                    #[doc = #doc]
                    #[allow(non_snake_case)]
                    #[inline]
                    pub fn #f(&self) -> #ty {
                        // SAFETY: `field` reads the field only when the struct's size covers it.
                        unsafe {
                            self.field(::core::mem::offset_of!(#ident, #f), |p| ::core::ptr::addr_of!((*p).#f).read())
                        }
                    }
                }
            });
            let names = functions.iter().map(|f| f.as_str());
            let offsets = functions.iter().map(|f| {
                let f = format_ident!("{f}");
                quote! { ::core::mem::offset_of!(#ident, #f) }
            });
            extra.extend(quote! {
                impl crate::Versioned<#ident> {
                    /// Every function pointer field of the struct in these bindings, with its offset:
                    /// those ending past [`Self::struct_size`] are absent from the plugin's struct.
                    pub const FUNCTIONS: &'static [(&'static str, usize)] = &[#((#names, #offsets)),*];
                    #(#accessors)*
                }
            });
        }
        if pjrt && sized_by_base {
            match extension_type_for(name, &items.extension_types) {
                Some(ty) => {
                    let ty = format_ident!("{ty}");
                    bound_extensions.push(ty.clone());
                    extra.extend(quote! {
                        // SAFETY: the struct starts with `PJRT_Extension_Base` and is the one its header
                        // documents for this extension type.
                        unsafe impl crate::Extension for #ident { const TYPE: PJRT_Extension_Type = PJRT_Extension_Type::#ty; }
                    });
                }
                None => unmatched.push(name.clone()),
            }
        }
    }
    if pjrt {
        extra.extend(quote! {
            /// The extension types these bindings have a struct for (see [`crate::Extension`]).
            pub const BOUND_EXTENSION_TYPES: &[PJRT_Extension_Type] = &[#(PJRT_Extension_Type::#bound_extensions),*];
        });
    }
    let extra_file: syn::File = syn::parse2(extra).map_err(|e| format!("generated additions do not parse: {e}"))?;
    file.items.extend(extra_file.items);
    Ok((prettyplease::unparse(&file), unmatched))
}

/// `PJRT_Layouts_Extension` ↔ `PJRT_Extension_Type_Layouts` (and `PJRT_Gpu_Custom_Call` ↔
/// `PJRT_Extension_Type_Gpu_Custom_Call`), by name, case and underscores ignored.
fn extension_type_for(struct_name: &str, types: &[String]) -> Option<String> {
    let key = |s: &str| s.replace('_', "").to_ascii_lowercase();
    let stem = struct_name.strip_prefix("PJRT_")?;
    let stem = stem.strip_suffix("_Extension").unwrap_or(stem);
    types
        .iter()
        .find(|t| t.strip_prefix("PJRT_Extension_Type_").is_some_and(|suffix| key(suffix) == key(stem)))
        .cloned()
}
