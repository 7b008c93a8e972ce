"""The `xla_core_archive` rule: packs a merged static library and the C headers of its C APIs.

The output is one `<name>.tar.zst` (one file, as `bazel cquery --output=files` must report for
the xla-artifacts engine) holding:

    lib/lib<library>.a   the cc_static_library given as `library`
    lib/LINK_LIBS        the system libraries a consumer links: `link_libs`, then the `-l` and
                         `-framework` linkopts the merged libraries declare themselves
    include/...          the headers of `header_deps` that match `header_patterns`, at the path
                         a C compiler includes them by (`#include "mlir-c/IR.h"`)

Headers are found through CcInfo rather than listed by hand, so a header added upstream (or a
generated `.capi.h.inc` an `mlir-c` header includes) is packed without editing this workspace.
"""

# rules_cc's defs.bzl re-exports the CcInfo provider (also how LLVM's own mlir/tblgen.bzl loads it).
load("@rules_cc//cc:defs.bzl", "CcInfo")

def _include_roots(compilation_context):
    """Every directory a compiler searches for the headers of `compilation_context`."""
    roots = []
    for field in ["includes", "quote_includes", "system_includes", "external_includes"]:
        # external_includes is absent from older Bazel versions.
        roots.extend(getattr(compilation_context, field, depset()).to_list())
    return roots

def _relative_to_include_root(path, roots):
    """`path` relative to the longest root it lies under, or None."""
    best = None
    for root in roots:
        prefix = "" if root in ("", ".") else root.rstrip("/") + "/"
        if path.startswith(prefix) and (best == None or len(prefix) > len(best)):
            best = prefix
    return None if best == None else path[len(best):]

def _matches(path, pattern):
    """Whether `path` matches `pattern`, in which one `*` stands for any characters (`/` too)."""
    if "*" not in pattern:
        return path == pattern
    prefix, _, suffix = pattern.partition("*")
    return len(path) >= len(prefix) + len(suffix) and path.startswith(prefix) and path.endswith(suffix)

def _collect_headers(ctx):
    """{path under include/: File} for every header of `header_deps` matching a pattern."""
    headers = {}
    for dep in ctx.attr.header_deps:
        compilation_context = dep[CcInfo].compilation_context
        roots = _include_roots(compilation_context)
        for header in compilation_context.headers.to_list():
            relative = _relative_to_include_root(header.path, roots)
            if relative == None or relative in headers:
                # A header reachable twice (its source and its _virtual_includes copy) is the
                # same file: the first one wins.
                continue
            for pattern in ctx.attr.header_patterns:
                if _matches(relative, pattern):
                    headers[relative] = header
                    break
    return headers

def _xla_core_archive_impl(ctx):
    libraries = [f for f in ctx.attr.library[DefaultInfo].files.to_list() if f.extension == "a"]
    if len(libraries) != 1:
        fail("%s must produce exactly one .a file, found %s" % (ctx.attr.library.label, libraries))
    library = libraries[0]
    output_groups = ctx.attr.library[OutputGroupInfo]
    linkopts = output_groups.linkopts.to_list()
    linkdeps = output_groups.linkdeps.to_list()
    if len(linkopts) != 1 or len(linkdeps) != 1:
        fail("%s must be a cc_static_library (output groups linkopts and linkdeps)" % ctx.attr.library.label)

    headers = _collect_headers(ctx)
    output = ctx.actions.declare_file(ctx.label.name + ".tar.zst")

    args = ctx.actions.args()
    args.set_param_file_format("multiline")
    args.use_param_file("@%s", use_always = True)
    args.add("--output", output)
    args.add("--zstd", ctx.executable._zstd)
    args.add("--level", str(ctx.attr.compression_level))
    args.add("--library", library)
    args.add("--linkopts", linkopts[0])
    args.add("--linkdeps", linkdeps[0])
    for lib in ctx.attr.link_libs:
        args.add("--link_lib=" + lib)
    for relative in sorted(headers):
        args.add("--header", "%s=%s" % (relative, headers[relative].path))
    for required in ctx.attr.required_headers:
        args.add("--require", required)

    ctx.actions.run(
        executable = ctx.executable._packer,
        arguments = [args],
        inputs = [library, linkopts[0], linkdeps[0]] + headers.values(),
        tools = [ctx.executable._zstd],
        outputs = [output],
        mnemonic = "XlaCoreArchive",
        progress_message = "Packing %{output}",
    )
    return [DefaultInfo(files = depset([output]))]

xla_core_archive = rule(
    implementation = _xla_core_archive_impl,
    doc = "Packs a cc_static_library and the C headers of its C APIs into a .tar.zst.",
    attrs = {
        "compression_level": attr.int(default = 19, doc = "zstd level (1-19)."),
        "header_deps": attr.label_list(
            providers = [CcInfo],
            doc = "Libraries whose headers (transitively) are searched with header_patterns.",
        ),
        "header_patterns": attr.string_list(
            mandatory = True,
            doc = "Include paths to keep; one `*` matches any characters, `/` included.",
        ),
        "library": attr.label(
            mandatory = True,
            doc = "A cc_static_library: its lib<name>.a becomes lib/lib<name>.a.",
        ),
        "link_libs": attr.string_list(
            doc = "System libraries every consumer links, as -l<lib> or '-framework <name>'.",
        ),
        "required_headers": attr.string_list(
            doc = "Include paths that must be packed: a missing one fails the build.",
        ),
        "_packer": attr.label(
            default = "//tools:pack_xla_core_archive",
            executable = True,
            cfg = "exec",
        ),
        "_zstd": attr.label(
            default = "@zstd//:zstd_cli",
            executable = True,
            cfg = "exec",
        ),
    },
)
