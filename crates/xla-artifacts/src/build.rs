//! The build-script front end: a `-sys` crate's `build.rs` says *what* it needs, this module does
//! the rest and tells cargo.
//!
//! ```no_run
//! // in `fn main` of a plugin crate's build.rs:
//! xla_artifacts::build::run(|build| build.expose("pjrt-cpu"));
//! ```
//!
//! Reruns are exact: the build script reruns when a variable the engine read changes, or when the
//! resolved file changes or disappears, and on nothing else.
//!
//! A plugin that cannot be resolved does not fail the build (so `cargo check`, `clippy`, `doc` and
//! rust-analyzer work without artifacts or network): the reason is compiled into the crate and
//! reported by its `load()`, which still honours the override variable at run time.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::env::{self, Env};
use crate::error::{Attempt, Error, Result};
use crate::library::provided_groups;
pub use crate::library::{Requirement, SymbolGroup};
use crate::manifest::{ArtifactKind, Manifest};
use crate::resolve::{Resolved, Resolver};

/// One build script's session with the engine.
pub struct BuildScript {
    target: String,
    out_dir: PathBuf,
    docs_rs: bool,
    resolver: Resolver<'static>,
    reruns_on: Vec<PathBuf>,
}

/// Runs `body` with a [`BuildScript`], then prints the rerun directives. On an error, prints it and
/// exits with status 1, which fails the build with that message.
pub fn run(body: impl FnOnce(&mut BuildScript) -> Result<()>) {
    let outcome = BuildScript::from_env().and_then(|mut build| {
        body(&mut build)?;
        build.finish();
        Ok(())
    });
    if let Err(error) = outcome {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

impl BuildScript {
    /// Reads cargo's variables and the engine's settings from the process environment.
    pub fn from_env() -> Result<Self> {
        let manifest: &'static Manifest = Manifest::embedded()?;
        let cargo_var = |name: &str| {
            std::env::var(name)
                .map_err(|_| Error::io("reading cargo's variable", name, std::io::ErrorKind::NotFound.into()))
        };
        let target = cargo_var("TARGET")?;
        let out_dir = PathBuf::from(cargo_var("OUT_DIR")?);
        let env = Env::process();
        let docs_rs = env.get(env::DOCS_RS).is_some();
        Ok(Self { target, out_dir, docs_rs, resolver: Resolver::new(manifest, env), reruns_on: Vec::new() })
    }

    /// The target being built.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The resolver, for build scripts that need more than [`Self::expose`].
    pub fn resolver(&self) -> &Resolver<'static> {
        &self.resolver
    }

    /// Makes a run-time artifact (a PJRT plugin) known to the crate being built, by writing
    /// `$OUT_DIR/xla-artifact-<name>.rs` with these constants:
    ///
    /// `ARTIFACT`, `ENV_VAR`, `FILE_NAME`, `BUNDLE_PATH` (`&str`); `PATH`, `SHA256`, `VERSION`,
    /// `ERROR`, `PJRT_API` (the API version the manifest pins) (`Option<&str>`); `ORIGIN` (`&str`). `ERROR` holds why `PATH` is `None`;
    /// `BUNDLE_PATH` is where a bundle keeps the file, relative to the executable (the member's
    /// path in its archive, so that relative run-time search paths keep working).
    ///
    /// Fails the build only when the target is unsupported or the name unknown.
    pub fn expose(&mut self, artifact: &str) -> Result<()> {
        self.expose_resolved(artifact, false)
    }

    /// Like [`Self::expose`], with the artifact's runtime artifacts (e.g. a CUDA plugin's CUDA
    /// libraries) laid out beside it, where its own search path finds them: `PATH` is the plugin's
    /// place in that layout, and bundle mode copies the whole layout.
    pub fn expose_with_runtime(&mut self, artifact: &str) -> Result<()> {
        self.expose_resolved(artifact, true)
    }

    fn expose_resolved(&mut self, artifact: &str, with_runtime: bool) -> Result<()> {
        let manifest = Manifest::embedded()?;
        let entry = manifest.artifact(artifact).ok_or_else(|| Error::UnknownArtifact {
            name: artifact.into(),
            known: manifest.artifacts.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", "),
        })?;
        let outcome = if self.docs_rs {
            Err("not resolved: this build is documentation only (DOCS_RS is set)".to_owned())
        } else {
            let resolved = if with_runtime {
                self.resolver.resolve_with_runtime(artifact, &self.target)
            } else {
                self.resolver.resolve(artifact, &self.target)
            };
            match resolved {
                Ok(resolved) => Ok(resolved),
                Err(hard @ (Error::UnsupportedTarget { .. } | Error::Manifest(_) | Error::UnknownArtifact { .. })) => {
                    return Err(hard);
                }
                Err(soft) => {
                    warn(&format!(
                        "{artifact} was not resolved; loading it will fail unless {} is set at run time. {soft}",
                        entry.env
                    ));
                    Err(soft.to_string())
                }
            }
        };
        if let Ok(resolved) = &outcome {
            self.reruns_on.push(resolved.path.clone());
        }
        let file_name = entry.file_name(&self.target).unwrap_or_default();
        let bundle_path = entry
            .sources_for(&self.target)
            .find_map(|s| s.member.as_ref().filter(|m| !m.is_subtree()).map(|m| m.as_str().to_owned()))
            .unwrap_or_else(|| file_name.clone());
        if let Ok(resolved) = &outcome {
            match resolved.path.to_string_lossy().strip_suffix(&bundle_path).filter(|_| with_runtime) {
                // The whole layout: the plugin and its runtime libraries, at their places.
                Some(root) => self.bundle_tree(Path::new(root), Path::new(root))?,
                None => drop(self.bundle(&resolved.path, &bundle_path)?),
            }
        }
        let pjrt_api = entry.pjrt_api.map(|v| v.to_string());
        let code = constants(artifact, &entry.env, &file_name, &bundle_path, pjrt_api.as_deref(), &outcome);
        let path = self.out_dir.join(format!("xla-artifact-{artifact}.rs"));
        std::fs::write(&path, code).map_err(|e| Error::io("writing", &path, e))
    }

    /// With `RYFT_XLA_SYS_BUNDLE` set, copies `file` beside the executables this build produces
    /// (`target/<profile>/` and its `examples/`), at `relative` (the layout its run-time lookup
    /// expects), so that the output folder copied to another machine still runs. Returns whether
    /// it did.
    pub fn bundle(&self, file: &Path, relative: &str) -> Result<bool> {
        if !self.resolver.env().flag(env::BUNDLE) || !file.is_file() {
            return Ok(false);
        }
        // OUT_DIR is <target dir>/[<triple>/]<profile>/build/<package>-<hash>/out.
        let Some(profile) = self.out_dir.ancestors().nth(3) else { return Ok(false) };
        for dir in [profile.to_owned(), profile.join("examples")] {
            let dest = dir.join(relative);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
            }
            let _ = std::fs::remove_file(&dest);
            // A hard link survives the cache being cleaned; across file systems, a copy.
            std::fs::hard_link(file, &dest)
                .or_else(|_| std::fs::copy(file, &dest).map(drop))
                .map_err(|e| Error::io("bundling", &dest, e))?;
            crate::log!("bundled {} as {}", file.display(), dest.display());
        }
        Ok(true)
    }

    /// [`Self::bundle`] for every file below `dir`, at its place relative to `root`.
    fn bundle_tree(&self, root: &Path, dir: &Path) -> Result<()> {
        for entry in std::fs::read_dir(dir).map_err(|e| Error::io("listing", dir, e))?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                self.bundle_tree(root, &path)?;
            } else if path.file_name().is_some_and(|n| !n.to_string_lossy().starts_with(".xla-artifacts")) {
                let relative = path.strip_prefix(root).expect("below root").to_string_lossy().into_owned();
                self.bundle(&path, &relative)?;
            }
        }
        Ok(())
    }

    /// Resolves `artifact` for the target, remembering the result for the rerun directives. Errors
    /// are returned, for the build script to decide (fall back to another artifact, or fail).
    pub fn resolve(&mut self, artifact: &str) -> Result<Resolved> {
        let resolved = self.resolver.resolve(artifact, &self.target)?;
        self.reruns_on.push(resolved.path.clone());
        Ok(resolved)
    }

    /// Links a resolved shared library: the crate's dependents link it by name, cargo's own `run`
    /// and `test` find it (through an alias in `OUT_DIR`, which cargo puts on the loader path),
    /// and this crate's examples, tests and benches carry an rpath to it, so they run directly.
    pub fn link_shared_library(&mut self, resolved: &Resolved) -> Result<Linked> {
        let library = resolved.path.clone();
        let file = library.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let name = link_name(&file).ok_or_else(|| Error::NotALibrary {
            path: library.clone(),
            expected: "a shared library named lib<name>.so or lib<name>.dylib".into(),
            found: file.clone(),
        })?;
        let aliases = self.out_dir.join("xla-artifacts-lib");
        std::fs::create_dir_all(&aliases).map_err(|e| Error::io("creating", &aliases, e))?;
        let alias = aliases.join(&file);
        let _ = std::fs::remove_file(&alias);
        alias_file(&library, &alias).map_err(|e| Error::io("linking", &alias, e))?;
        println!("cargo::rustc-link-search=native={}", aliases.display());
        println!("cargo::rustc-link-lib=dylib={name}");
        if !self.target.contains("windows") {
            println!("cargo::rustc-link-arg=-Wl,-rpath,{}", parent_dir(&library).display());
            if self.bundle(&library, &file)? {
                // A bundled library sits beside the executable: found there once moved elsewhere.
                let origin = if self.target.contains("apple") { "@executable_path" } else { "$ORIGIN" };
                println!("cargo::rustc-link-arg=-Wl,-rpath,{origin}");
            }
        }
        Ok(Linked { resolved: resolved.clone(), library, include: None, static_archive: false })
    }

    /// Links a resolved static archive: an unpacked tree with `lib/lib<name>.a`, `include/`, and
    /// optionally `lib/LINK_LIBS`, the system libraries it needs (`-lstdc++ -lm ...`).
    pub fn link_static_archive(&mut self, resolved: &Resolved) -> Result<Linked> {
        let lib_dir = resolved.path.join("lib");
        let mut archives: Vec<PathBuf> = std::fs::read_dir(&lib_dir)
            .map_err(|e| Error::io("listing", &lib_dir, e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "a"))
            .collect();
        archives.sort();
        let [library] = archives.as_slice() else {
            return Err(Error::NotALibrary {
                path: lib_dir,
                expected: "exactly one static archive lib<name>.a".into(),
                found: format!("{} archives", archives.len()),
            });
        };
        let file = library.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let name = link_name(&file).expect("a .a file name");
        println!("cargo::rustc-link-search=native={}", lib_dir.display());
        println!("cargo::rustc-link-lib=static={name}");
        if let Ok(libs) = std::fs::read_to_string(lib_dir.join("LINK_LIBS")) {
            let mut words = libs.split_whitespace();
            while let Some(word) = words.next() {
                match word {
                    "-framework" => {
                        words.next().into_iter().for_each(|f| println!("cargo::rustc-link-lib=framework={f}"))
                    }
                    _ => match word.strip_prefix("-l") {
                        Some(lib) => println!("cargo::rustc-link-lib=dylib={lib}"),
                        None => warn(&format!(
                            "ignoring {word:?} in {}: only -l<lib> and -framework <f>",
                            lib_dir.join("LINK_LIBS").display()
                        )),
                    },
                }
            }
        }
        let include = resolved.path.join("include");
        Ok(Linked {
            resolved: resolved.clone(),
            library: library.clone(),
            include: include.is_dir().then_some(include),
            static_archive: true,
        })
    }

    /// Links the first of `artifacts` that can be had (the preferred form first, then fallbacks),
    /// as its kind in the manifest says (`static-archive` or `shared-library`). An artifact that
    /// no source can serve, or that does not exist for the target, gives way to the next; any
    /// other error (an unusable override, a checksum mismatch) fails the build. Returns `None` in
    /// a documentation-only build (`DOCS_RS`), which links nothing, and when none can be had: then
    /// the crate still builds, and linking a binary fails with the reason (see
    /// [`Self::defer_link_error`]).
    ///
    /// The linked library is published to dependents' build scripts (`DEP_<LINKS>_<KEY>`, for a
    /// crate with `links`): `artifact`, `library`, `lib_dir`, `static`, and `include` when it
    /// came with headers; and to the crate's own code as `XLA_ARTIFACTS_LINKED_ARTIFACT`,
    /// `XLA_ARTIFACTS_LINKED_LIBRARY` and `XLA_ARTIFACTS_LINKED_STATIC` (`option_env!`).
    pub fn link_first(&mut self, artifacts: &[&str]) -> Result<Option<Linked>> {
        if self.docs_rs {
            return Ok(None);
        }
        let manifest = Manifest::embedded()?;
        let (mut attempts, mut remedies) = (Vec::new(), Vec::new());
        for &name in artifacts {
            match self.resolve(name) {
                Ok(resolved) => {
                    let kind = manifest.artifact(name).map(|a| a.kind);
                    let linked = match kind {
                        Some(ArtifactKind::StaticArchive) => self.link_static_archive(&resolved)?,
                        Some(ArtifactKind::SharedLibrary) => self.link_shared_library(&resolved)?,
                        _ => {
                            return Err(Error::NotALibrary {
                                path: resolved.path,
                                expected: "an artifact of kind static-archive or shared-library".into(),
                                found: format!("{name}, of kind {kind:?}"),
                            });
                        }
                    };
                    linked.publish();
                    return Ok(Some(linked));
                }
                Err(Error::Unresolved { attempts: tried, remedies: fixes, .. }) => {
                    crate::log!("{name} cannot be had here; trying the next artifact");
                    let tried = tried.into_iter().map(|a| Attempt { source: format!("{name}: {}", a.source), ..a });
                    attempts.extend(tried);
                    remedies.extend(fixes);
                }
                Err(Error::UnsupportedTarget { supported, .. }) => attempts.push(Attempt {
                    source: name.to_owned(),
                    outcome: format!("not available for {} (only for {supported})", self.target),
                }),
                Err(other) => return Err(other),
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        remedies.retain(|remedy| seen.insert(remedy.clone()));
        let error =
            Error::Unresolved { artifact: artifacts.join(" or "), target: self.target.clone(), attempts, remedies };
        self.defer_link_error(&error)?;
        Ok(None)
    }

    /// Lets the crate build (so `cargo check`, clippy, docs and rust-analyzer work without the
    /// library or a network) while any binary that links it fails, with `error` in the linker's
    /// own output: the crate links a stand-in `lib<links>_unresolved.so`, a GNU ld script whose
    /// `ASSERT` prints the message. The message is also a cargo warning.
    pub fn defer_link_error(&self, error: &Error) -> Result<()> {
        let package = std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| "this crate".into());
        let links = std::env::var("CARGO_MANIFEST_LINKS").unwrap_or_else(|_| package.replace('-', "_"));
        let text = error.to_string();
        warn(&format!("{package}: no library to link; linking a binary will fail until this is fixed. {text}"));
        let dir = self.out_dir.join("xla-artifacts-unresolved");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("creating", &dir, e))?;
        // A linker-script string: no double quotes, one line.
        let flat: String = text.replace('"', "'").lines().map(str::trim).collect::<Vec<_>>().join(" | ");
        let script = format!(
            "/* Written by xla-artifacts: {package} built without its library. */\nASSERT(0, \"{package}: the native library was not resolved when this crate was built, so nothing can link against it. {flat}. Fix that, then rebuild.\")\n"
        );
        let stand_in = dir.join(format!("lib{links}_unresolved.so"));
        std::fs::write(&stand_in, script).map_err(|e| Error::io("writing", &stand_in, e))?;
        println!("cargo::rustc-link-search=native={}", dir.display());
        println!("cargo::rustc-link-lib=dylib={links}_unresolved");
        Ok(())
    }

    /// Tells the crate which of its API groups the linked library provides: declares a cfg per
    /// group (`cargo::rustc-check-cfg`), sets those whose every function the library defines,
    /// publishes their names (`cargo::metadata=groups=a,b`), and fails when a group that is
    /// required (always, or by an enabled feature) is not provided, naming the library, the
    /// missing functions and the group's remedy. Without a library (documentation-only builds),
    /// the cfg of every group with functions is set.
    pub fn expose_symbol_groups(&self, linked: Option<&Linked>, groups: &[SymbolGroup<'_>]) -> Result<()> {
        for group in groups {
            println!("cargo::rustc-check-cfg=cfg({})", group.cfg);
        }
        let Some(linked) = linked else {
            // Documentation shows every group that has bindings.
            groups.iter().filter(|g| !g.functions.is_empty()).for_each(|g| println!("cargo::rustc-cfg={}", g.cfg));
            return Ok(());
        };
        let symbols = linked.symbols()?;
        let feature_on = |feature: &str| {
            std::env::var_os(format!("CARGO_FEATURE_{}", feature.to_uppercase().replace('-', "_"))).is_some()
        };
        let provided = provided_groups(groups, &symbols, feature_on).map_err(|unprovided| Error::Unresolved {
            artifact: format!("the {} API group ({})", unprovided.group.name, unprovided.required_by),
            target: self.target.clone(),
            attempts: vec![Attempt {
                source: format!(
                    "the linked library {} (artifact {}, {})",
                    linked.library.display(),
                    linked.resolved.artifact,
                    linked.resolved.origin
                ),
                outcome: unprovided.outcome(),
            }],
            remedies: vec![unprovided.group.help.to_owned()],
        })?;
        for group in groups.iter().filter(|g| provided.contains(&g.name)) {
            println!("cargo::rustc-cfg={}", group.cfg);
        }
        println!("cargo::metadata=groups={}", provided.join(","));
        Ok(())
    }

    /// Prints the rerun directives: every variable read, every file resolved.
    pub fn finish(self) {
        for name in self.resolver.env().names_read() {
            println!("cargo::rerun-if-env-changed={name}");
        }
        for path in &self.reruns_on {
            println!("cargo::rerun-if-changed={}", path.display());
        }
    }
}

/// A library linked by a [`BuildScript`].
#[derive(Debug, Clone)]
pub struct Linked {
    /// How it was resolved.
    pub resolved: Resolved,
    /// The library file linked (`.so`, `.dylib` or `.a`).
    pub library: PathBuf,
    /// The headers that came with it, if any.
    pub include: Option<PathBuf>,
    /// Whether it is a static archive.
    pub static_archive: bool,
}

impl Linked {
    /// The functions and data the library defines, to tell which APIs it carries.
    pub fn symbols(&self) -> Result<BTreeSet<String>> {
        if self.static_archive {
            crate::library::archive_symbols(&self.library)
        } else {
            crate::library::exported_symbols(&self.library)
        }
    }
}

impl Linked {
    /// Publishes the library to dependents and to the crate's code (see [`BuildScript::link_first`]).
    fn publish(&self) {
        let pairs = [
            ("artifact", self.resolved.artifact.clone()),
            ("library", self.library.display().to_string()),
            ("lib_dir", parent_dir(&self.library).display().to_string()),
            ("static", self.static_archive.to_string()),
        ];
        for (key, value) in &pairs {
            println!("cargo::metadata={key}={value}");
        }
        if let Some(include) = &self.include {
            println!("cargo::metadata=include={}", include.display());
        }
        for (key, value) in pairs.iter().filter(|(key, _)| *key != "lib_dir") {
            println!("cargo::rustc-env=XLA_ARTIFACTS_LINKED_{}={value}", key.to_uppercase());
        }
    }
}

/// `libfoo.so` → `foo` (also `.so.1`, `.dylib`, `.a`).
fn link_name(file: &str) -> Option<String> {
    let stem = file.strip_prefix("lib")?;
    let stem = stem
        .split(".so")
        .next()
        .filter(|s| *s != stem)
        .or_else(|| stem.strip_suffix(".dylib"))
        .or_else(|| stem.strip_suffix(".a"))?;
    (!stem.is_empty()).then(|| stem.to_owned())
}

fn alias_file(target: &Path, alias: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    return std::os::unix::fs::symlink(target, alias);
    #[cfg(not(unix))]
    return std::fs::hard_link(target, alias).or_else(|_| std::fs::copy(target, alias).map(drop));
}

fn constants(
    artifact: &str,
    env_var: &str,
    file_name: &str,
    bundle_path: &str,
    pjrt_api: Option<&str>,
    outcome: &std::result::Result<Resolved, String>,
) -> String {
    let some = |v: Option<String>| v.map_or("None".to_owned(), |v| format!("Some({v:?})"));
    let (path, origin, sha256, version, error) = match outcome {
        Ok(r) => (
            some(Some(r.path.display().to_string())),
            r.origin.to_string(),
            some(r.sha256.map(|s| s.to_hex())),
            some(r.version.clone()),
            "None".to_owned(),
        ),
        Err(e) => ("None".into(), "unresolved".into(), "None".into(), "None".into(), some(Some(e.clone()))),
    };
    let mut code = String::new();
    let _ = writeln!(code, "// Written by the xla-artifacts build script front end for `{artifact}`. Do not edit.");
    for (name, ty, value) in [
        ("ARTIFACT", "&str", format!("{artifact:?}")),
        ("ENV_VAR", "&str", format!("{env_var:?}")),
        ("FILE_NAME", "&str", format!("{file_name:?}")),
        ("BUNDLE_PATH", "&str", format!("{bundle_path:?}")),
        ("PJRT_API", "Option<&str>", pjrt_api.map_or("None".to_owned(), |v| format!("Some({v:?})"))),
        ("PATH", "Option<&str>", path),
        ("ORIGIN", "&str", format!("{origin:?}")),
        ("SHA256", "Option<&str>", sha256),
        ("VERSION", "Option<&str>", version),
        ("ERROR", "Option<&str>", error),
    ] {
        let _ = writeln!(code, "#[allow(dead_code)]\npub const {name}: {ty} = {value};");
    }
    code
}

/// A warning cargo shows (for path dependencies; others see it in the build log).
pub fn warn(message: &str) {
    for line in message.lines() {
        println!("cargo::warning={line}");
    }
}

/// The directory holding `path`, for link search paths.
pub fn parent_dir(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new("."))
}
