//! NumPy `.npy` files (format versions 1 to 3), mapped to PJRT element types.
//!
//! bfloat16 has no NumPy type of its own: ml_dtypes' `bfloat16` arrays are saved with the
//! descriptor `<V2` (raw 2-byte values), which is read as bf16 here and written for bf16 outputs
//! (load them with `np.load(path).view(ml_dtypes.bfloat16)`).

use std::io::Write;
use std::path::Path;

use pjrt_sys::PJRT_Buffer_Type as T;

/// A dense, row-major array.
pub struct Array {
    /// Its element type.
    pub element_type: T,
    /// Its shape.
    pub shape: Vec<i64>,
    /// Its elements, little-endian.
    pub data: Vec<u8>,
}

const TYPES: &[(T, &str, usize)] = &[
    (T::PJRT_Buffer_Type_PRED, "|b1", 1),
    (T::PJRT_Buffer_Type_S8, "|i1", 1),
    (T::PJRT_Buffer_Type_S16, "<i2", 2),
    (T::PJRT_Buffer_Type_S32, "<i4", 4),
    (T::PJRT_Buffer_Type_S64, "<i8", 8),
    (T::PJRT_Buffer_Type_U8, "|u1", 1),
    (T::PJRT_Buffer_Type_U16, "<u2", 2),
    (T::PJRT_Buffer_Type_U32, "<u4", 4),
    (T::PJRT_Buffer_Type_U64, "<u8", 8),
    (T::PJRT_Buffer_Type_F16, "<f2", 2),
    (T::PJRT_Buffer_Type_BF16, "<V2", 2),
    (T::PJRT_Buffer_Type_F32, "<f4", 4),
    (T::PJRT_Buffer_Type_F64, "<f8", 8),
    (T::PJRT_Buffer_Type_C64, "<c8", 8),
    (T::PJRT_Buffer_Type_C128, "<c16", 16),
];

/// The NumPy descriptor and element size of a PJRT element type.
pub fn descriptor(ty: T) -> Option<(&'static str, usize)> {
    TYPES.iter().find(|(t, _, _)| *t == ty).map(|(_, d, size)| (*d, *size))
}

/// Reads an `.npy` file.
pub fn read(path: &Path) -> Result<Array, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let fail = |what: &str| format!("{} is not a .npy file NumPy writes: {what}", path.display());
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(fail("no \\x93NUMPY magic"));
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize, 12),
        other => return Err(fail(&format!("format version {other}"))),
    };
    let header = std::str::from_utf8(bytes.get(start..start + header_len).ok_or_else(|| fail("header cut short"))?)
        .map_err(|_| fail("header is not text"))?;
    let field = |key: &str| -> Option<&str> {
        let at = header.find(&format!("'{key}'"))? + key.len() + 2;
        let rest = header[at..].trim_start().strip_prefix(':')?.trim_start();
        Some(rest)
    };
    let descr = field("descr")
        .and_then(|r| r.strip_prefix('\''))
        .and_then(|r| r.split('\'').next())
        .ok_or_else(|| fail("no descr"))?;
    // `|V2` is how NumPy spells a 2-byte void when no byte order applies.
    let descr = if descr == "|V2" { "<V2" } else { descr };
    let (element_type, size) = TYPES
        .iter()
        .find(|(_, d, _)| *d == descr || (d.starts_with('<') && descr == format!("={}", &d[1..])))
        .map(|(t, _, s)| (*t, *s))
        .ok_or_else(|| {
            format!(
                "{}: element type {descr:?} is not one PJRT takes (big-endian or object arrays are not)",
                path.display()
            )
        })?;
    if field("fortran_order").is_some_and(|r| r.starts_with("True")) {
        return Err(format!(
            "{}: Fortran-ordered arrays are not supported; save it with np.ascontiguousarray",
            path.display()
        ));
    }
    let shape_text = field("shape")
        .and_then(|r| r.strip_prefix('('))
        .and_then(|r| r.split(')').next())
        .ok_or_else(|| fail("no shape"))?;
    let shape: Vec<i64> = shape_text
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.trim_end_matches('L').parse().map_err(|_| fail("a dimension is not a number")))
        .collect::<Result<_, _>>()?;
    let data = bytes[start + header_len..].to_vec();
    let expected = shape.iter().product::<i64>() as usize * size;
    if data.len() != expected {
        return Err(format!(
            "{}: {} bytes of data for shape {shape:?} of {descr}, expected {expected}",
            path.display(),
            data.len()
        ));
    }
    Ok(Array { element_type, shape, data })
}

/// Writes an `.npy` file (format version 1.0).
pub fn write(path: &Path, array: &Array) -> Result<(), String> {
    let (descr, _) = descriptor(array.element_type)
        .ok_or_else(|| format!("element type {} has no .npy form", array.element_type.0))?;
    let shape = match array.shape.as_slice() {
        [one] => format!("({one},)"),
        dims => format!("({})", dims.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    // Pad with spaces so that magic + header ends on a multiple of 64 bytes, then a newline.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::with_capacity(10 + header.len() + array.data.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(&array.data);
    file.write_all(&out).map_err(|e| format!("{}: {e}", path.display()))
}
