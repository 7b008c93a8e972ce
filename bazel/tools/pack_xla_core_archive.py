#!/usr/bin/env python3
"""Packs the XLA core archive: `lib/lib<name>.a`, `lib/LINK_LIBS` and `include/` in a .tar.zst.

Run by the `xla_core_archive` rule (xla_core_archive.bzl), never by hand. The layout is the one
the xla-artifacts engine expects of a `static-archive` artifact (crates/xla-artifacts/src/
build.rs, `link_static_archive`): exactly one `lib/*.a`, an optional `lib/LINK_LIBS` holding
`-l<lib>` and `-framework <name>` words, and the C headers under `include/`.

The tar is deterministic (sorted members, mtime 0, uid/gid 0, no user names), so the same
inputs give the same bytes before compression.
"""

import argparse
import io
import subprocess
import sys
import tarfile


def parse_args():
    parser = argparse.ArgumentParser(fromfile_prefix_chars="@", description=__doc__)
    parser.add_argument("--output", required=True, help="the .tar.zst to write")
    parser.add_argument("--zstd", required=True, help="the zstd command-line tool")
    parser.add_argument("--level", type=int, default=19, help="zstd compression level")
    parser.add_argument("--library", required=True, help="the merged static library")
    parser.add_argument("--linkopts", required=True, help="cc_static_library's linkopts file")
    parser.add_argument("--linkdeps", required=True, help="cc_static_library's linkdeps file")
    parser.add_argument("--link_lib", action="append", default=[],
                        help="a system library every consumer links (-lfoo, -framework Foo)")
    parser.add_argument("--header", action="append", default=[],
                        help="DEST=SRC: a header and its path under include/")
    parser.add_argument("--require", action="append", default=[],
                        help="a path under include/ that must be present")
    return parser.parse_args()


def fail(message):
    sys.stderr.write("pack_xla_core_archive: error: %s\n" % message)
    sys.exit(1)


def link_libs(base, linkopts_path):
    """The LINK_LIBS words: `base`, then what the merged libraries' own linkopts ask for.

    Only `-l<lib>` and `-framework <name>` survive (the only forms the engine reads); `-pthread`
    becomes `-lpthread` and `-Wl,-framework,<name>` becomes `-framework <name>`. Other linkopts
    (linker scripts, rpaths...) concern the objects' own binaries, not a consumer of the archive.
    """
    with open(linkopts_path, encoding="utf-8") as f:
        tokens = f.read().split()
    words = []  # Each a tuple: ("-lm",) or ("-framework", "CoreFoundation"); first wins.

    def add(*word):
        if word not in words:
            words.append(word)

    for lib in base:
        add(*lib.split())
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "-framework" and i + 1 < len(tokens):
            add("-framework", tokens[i + 1])
            i += 1
        elif token.startswith("-Wl,-framework,"):
            add("-framework", token[len("-Wl,-framework,"):])
        elif token == "-pthread":
            add("-lpthread")
        elif token.startswith("-l") and len(token) > 2:
            add(token)
        else:
            sys.stderr.write("pack_xla_core_archive: note: linkopt %r not carried to LINK_LIBS\n"
                             % token)
        i += 1
    return " ".join(" ".join(w) for w in words) + "\n"


def main():
    args = parse_args()

    library_name = args.library.rsplit("/", 1)[-1]
    if not (library_name.startswith("lib") and library_name.endswith(".a")):
        fail("the library must be named lib<name>.a, found %s" % library_name)

    # Libraries that cc_static_library could not merge (prebuilt .a/.so of some dependency):
    # the archive would not link on its own, so refuse to pack it.
    with open(args.linkdeps, encoding="utf-8") as f:
        linkdeps = [line.strip() for line in f if line.strip()]
    if linkdeps:
        fail("these dependencies provide libraries that are not merged into %s, so the archive "
             "would need them at link time: %s" % (library_name, ", ".join(linkdeps)))

    headers = {}
    for spec in args.header:
        dest, sep, src = spec.partition("=")
        if not sep or not dest or not src:
            fail("malformed --header %r (expected DEST=SRC)" % spec)
        headers["include/" + dest] = src
    missing = sorted(r for r in args.require if "include/" + r not in headers)
    if missing:
        fail("required headers are missing from include/: %s" % ", ".join(missing))

    members = {"lib/" + library_name: ("file", args.library),
               "lib/LINK_LIBS": ("bytes", link_libs(args.link_lib, args.linkopts).encode())}
    for dest, src in headers.items():
        members[dest] = ("file", src)

    with open(args.output, "wb") as out:
        zstd = subprocess.Popen(
            [args.zstd, "-q", "-%d" % args.level, "-T0", "-c", "-"],
            stdin=subprocess.PIPE, stdout=out)
        try:
            # "w|" streams: the multi-gigabyte library is never held in memory or copied to disk.
            with tarfile.open(fileobj=zstd.stdin, mode="w|", format=tarfile.GNU_FORMAT) as tar:
                for name in sorted(members):
                    kind, payload = members[name]
                    info = tarfile.TarInfo(name)
                    info.mode = 0o644
                    info.mtime = 0
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    if kind == "bytes":
                        info.size = len(payload)
                        tar.addfile(info, io.BytesIO(payload))
                    else:
                        with open(payload, "rb") as f:
                            f.seek(0, 2)
                            info.size = f.tell()
                            f.seek(0)
                            tar.addfile(info, f)
        finally:
            zstd.stdin.close()
        if zstd.wait() != 0:
            fail("zstd exited with status %d" % zstd.returncode)


if __name__ == "__main__":
    main()
