//! Which StableHLO version to serialize a portable artifact for, so that a given plugin can read
//! it: the one helper every user of portable artifacts needs.

use std::ffi::c_void;

use super::{
    MlirStablehloCompatibilityRequirement, stablehloGetCurrentVersion, stablehloGetSmallerVersion,
    stablehloVersionFromCompatibilityRequirement,
};
use crate::mlir::{MlirStringCallback, MlirStringRef, mlirLogicalResultIsSuccess, mlirStringRefCreate};

/// The StableHLO version to serialize portable artifacts for, for a plugin that reports
/// `plugin_current` (its `stablehlo_current_version` attribute: major, minor, patch): the older
/// of that and this library's current version, since a plugin reads versions up to its own and
/// this library writes versions up to its own.
///
/// When the plugin does not say (or says something that is not a version), this library's version
/// of about 12 weeks earlier: StableHLO's forward-compatibility window, which a plugin built from
/// sources of the same season reads.
pub fn portable_artifact_target(plugin_current: Option<[i64; 3]>) -> String {
    // SAFETY: `text` gives the callback a live buffer for the duration of the call.
    let library = text(|callback, user| unsafe { stablehloGetCurrentVersion(callback, user) });
    if let Some([major, minor, patch]) = plugin_current.filter(|v| v.iter().all(|part| *part >= 0)) {
        let plugin = format!("{major}.{minor}.{patch}");
        let mut succeeded = false;
        let smaller = text(|callback, user| {
            // SAFETY: both references point to live strings; the callback writes into `text`'s buffer.
            let result = unsafe { stablehloGetSmallerVersion(reference(&library), reference(&plugin), callback, user) };
            succeeded = mlirLogicalResultIsSuccess(result);
        });
        if succeeded {
            return smaller;
        }
    }
    let requirement = MlirStablehloCompatibilityRequirement::WEEK_12;
    // SAFETY: a valid requirement; the callback writes into `text`'s buffer.
    text(|callback, user| unsafe { stablehloVersionFromCompatibilityRequirement(requirement, callback, user) })
}

fn reference(text: &str) -> MlirStringRef {
    mlirStringRefCreate(text.as_ptr().cast(), text.len())
}

/// Collects what the library writes through a string callback.
fn text(call: impl FnOnce(MlirStringCallback, *mut c_void)) -> String {
    unsafe extern "C" fn append(piece: MlirStringRef, user: *mut c_void) {
        if piece.length == 0 {
            return;
        }
        // SAFETY: `user` is the `Vec<u8>` below, alive for the call; the library passes a readable piece.
        unsafe {
            let bytes = std::slice::from_raw_parts(piece.data.cast::<u8>(), piece.length);
            (*user.cast::<Vec<u8>>()).extend_from_slice(bytes);
        }
    }
    let mut out = Vec::new();
    call(Some(append), (&raw mut out).cast());
    String::from_utf8_lossy(&out).into_owned()
}
