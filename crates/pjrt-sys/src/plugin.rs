//! Loading a PJRT plugin: checking that the file is a plugin for this machine, `GetPjrtApi`, the
//! version check, and `PJRT_Plugin_Initialize` exactly once per library, for the life of the process.

use std::ffi::c_char;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::Mutex;

use crate::error::LoadError;
use crate::versioned::{Extension, StructSize, Versioned};
use crate::{
    PJRT_API_MAJOR, PJRT_API_MINOR, PJRT_Api, PJRT_Error, PJRT_Error_Code, PJRT_Error_Destroy_Args,
    PJRT_Error_GetCode_Args, PJRT_Error_Message_Args, PJRT_Extension_Base, PJRT_Extension_Type,
    PJRT_Plugin_Initialize_Args,
};

/// A PJRT C API version, as a plugin reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion {
    /// Changes on ABI-incompatible changes.
    pub major: i32,
    /// Grows as fields are appended.
    pub minor: i32,
}

impl ApiVersion {
    /// The version of the headers these bindings were generated from.
    pub const BINDINGS: ApiVersion = ApiVersion { major: PJRT_API_MAJOR as i32, minor: PJRT_API_MINOR as i32 };
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A loaded, initialized PJRT plugin. It stays loaded for the life of the process.
pub struct Plugin {
    path: PathBuf,
    api: Versioned<PJRT_Api>,
    version: ApiVersion,
    _library: libloading::Library,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin").field("path", &self.path).field("version", &self.version).finish()
    }
}

/// An error a plugin returned, read and destroyed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginError {
    /// The plugin's error code.
    pub code: PJRT_Error_Code,
    /// The plugin's message.
    pub message: String,
}

impl std::fmt::Display for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (PJRT error code {})", self.message, self.code.0)
    }
}

impl std::error::Error for PluginError {}

/// Plugins loaded so far, by file identity, so that a library is initialized once whatever path
/// names it.
static LOADED: Mutex<Vec<(FileId, &'static Plugin)>> = Mutex::new(Vec::new());

#[derive(PartialEq, Eq, Clone, Debug)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg(not(unix))]
    Path(PathBuf),
}

fn file_id(path: &Path) -> std::io::Result<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path)?;
        Ok(FileId::Inode(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        Ok(FileId::Path(std::fs::canonicalize(path)?))
    }
}

type GetPjrtApi = unsafe extern "C" fn() -> *const PJRT_Api;

impl Plugin {
    /// Loads the plugin at `path`, checks it, and initializes it; the same library twice gives the
    /// same plugin.
    pub fn load(path: impl AsRef<Path>) -> Result<&'static Plugin, LoadError> {
        let path = path.as_ref();
        let id = file_id(path).map_err(|source| LoadError::NotFound { path: path.into(), source })?;
        // Held across loading: two threads loading one library must not both initialize it.
        let mut loaded = LOADED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, plugin)) = loaded.iter().find(|(known, _)| *known == id) {
            return Ok(plugin);
        }
        crate::inspect::check_loadable(path)?;
        // SAFETY: loading runs the library's initializers. The file was just checked to be a
        // shared library for this machine; running its code is what loading a plugin means.
        let library = unsafe { libloading::Library::new(path) }.map_err(|e| crate::inspect::load_error(path, &e))?;
        // SAFETY: `GetPjrtApi` has this signature in every PJRT plugin (pjrt_c_api.h).
        let get_api = unsafe { library.get::<GetPjrtApi>(b"GetPjrtApi\0") }
            .map_err(|_| LoadError::NoGetPjrtApi { path: path.into() })?;
        // SAFETY: calling the plugin's entry point, per the C API.
        let raw = unsafe { get_api() };
        // SAFETY: a non-null result points to the plugin's `PJRT_Api`, which starts with its size
        // and stays valid while the library is loaded (forever: it is never unloaded).
        let api = unsafe { Versioned::new(raw) }.ok_or_else(|| LoadError::NullApi { path: path.into() })?;
        let version_end = std::mem::offset_of!(PJRT_Api, pjrt_api_version) + size_of::<crate::PJRT_Api_Version>();
        if !api.covers(0, version_end) {
            return Err(LoadError::ApiTooSmall { path: path.into(), struct_size: api.struct_size() });
        }
        // SAFETY: covered, checked just above.
        let reported = unsafe { std::ptr::addr_of!((*api.as_ptr()).pjrt_api_version).read() };
        let version = ApiVersion { major: reported.major_version, minor: reported.minor_version };
        if version.major != ApiVersion::BINDINGS.major {
            return Err(LoadError::MajorVersionMismatch {
                path: path.into(),
                expected: ApiVersion::BINDINGS,
                found: version,
            });
        }
        let plugin = Plugin { path: path.into(), api, version, _library: library };
        plugin.initialize()?;
        let plugin: &'static Plugin = Box::leak(Box::new(plugin));
        loaded.push((id, plugin));
        Ok(plugin)
    }

    fn initialize(&self) -> Result<(), LoadError> {
        // Plugins older than `PJRT_Plugin_Initialize` need no initialization.
        let Some(initialize) = self.api.PJRT_Plugin_Initialize() else { return Ok(()) };
        let mut args = PJRT_Plugin_Initialize_Args::new();
        // SAFETY: a valid args struct for this function, per the C API.
        let error = unsafe { initialize(&mut args) };
        // SAFETY: `error` was just returned by this plugin.
        match unsafe { self.take_error(error) } {
            None => Ok(()),
            Some(error) => Err(LoadError::InitializationFailed { path: self.path.clone(), error }),
        }
    }

    /// The file the plugin was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The plugin's `PJRT_Api`, read only as far as it reaches.
    pub fn api(&self) -> &Versioned<PJRT_Api> {
        &self.api
    }

    /// The PJRT C API version the plugin reports.
    pub fn version(&self) -> ApiVersion {
        self.version
    }

    /// The plugin's extension chain, in order.
    pub fn extensions(&self) -> impl Iterator<Item = (PJRT_Extension_Type, NonNull<PJRT_Extension_Base>)> + '_ {
        // SAFETY: `extension_start` is at a fixed offset present in every version (checked on load).
        let mut next = unsafe { std::ptr::addr_of!((*self.api.as_ptr()).extension_start).read() };
        std::iter::from_fn(move || {
            let entry = NonNull::new(next)?;
            // SAFETY: chain entries are `PJRT_Extension_Base`s owned by the plugin, alive forever.
            let (ty, following) = unsafe { ((*entry.as_ptr()).type_, (*entry.as_ptr()).next) };
            next = following;
            Some((ty, entry))
        })
    }

    /// The first extension of type `E::TYPE` in the chain, if the plugin has it.
    pub fn extension<E: Extension>(&self) -> Option<Versioned<E>> {
        // SAFETY: entries come from this plugin's live chain.
        self.extensions()
            .find(|(ty, _)| *ty == E::TYPE)
            .and_then(|(_, base)| unsafe { Versioned::from_extension(base) })
    }

    /// Reads the code and message of `error`, then destroys it. `None` when `error` is null (the
    /// call succeeded).
    ///
    /// # Safety
    ///
    /// `error` is null or an error this plugin returned and nobody destroyed.
    pub unsafe fn take_error(&self, error: *mut PJRT_Error) -> Option<PluginError> {
        if error.is_null() {
            return None;
        }
        let mut message = PJRT_Error_Message_Args::new();
        message.error = error;
        let mut code = PJRT_Error_GetCode_Args::new();
        code.error = error;
        let text = match self.api.PJRT_Error_Message() {
            Some(get_message) => {
                // SAFETY: valid args; the message stays valid until the error is destroyed.
                unsafe { get_message(&mut message) };
                // SAFETY: the plugin returned `message_size` bytes at `message`.
                unsafe { c_bytes(message.message, message.message_size) }
            }
            None => "(the plugin offers no PJRT_Error_Message)".to_owned(),
        };
        let code_value = match self.api.PJRT_Error_GetCode() {
            // SAFETY: valid args for this function.
            Some(get_code) => match unsafe { self.take_error(get_code(&mut code)) } {
                None => code.code,
                Some(_) => PJRT_Error_Code::PJRT_Error_Code_UNKNOWN,
            },
            None => PJRT_Error_Code::PJRT_Error_Code_UNKNOWN,
        };
        if let Some(destroy) = self.api.PJRT_Error_Destroy() {
            let mut args = PJRT_Error_Destroy_Args::new();
            args.error = error;
            // SAFETY: destroying an error we own, once.
            unsafe { destroy(&mut args) };
        }
        Some(PluginError { code: code_value, message: text })
    }
}

/// Copies `len` bytes at `ptr` (not necessarily NUL-terminated) into a `String`.
///
/// # Safety
///
/// `ptr` is null or points to `len` readable bytes.
pub(crate) unsafe fn c_bytes(ptr: *const c_char, len: usize) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: the caller guarantees `len` readable bytes.
    String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) }).into_owned()
}
