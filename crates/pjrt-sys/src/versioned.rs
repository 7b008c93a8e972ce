//! Reading structs that grow by minor version without reading past their end.
//!
//! A plugin built against an older minor version of the PJRT C API hands out a smaller `PJRT_Api`
//! (and smaller extension structs) than these bindings declare; its `struct_size` says how much of
//! it exists. Reading a function pointer past that is undefined behaviour, so these bindings never
//! create a Rust reference to such a struct: [`Versioned`] keeps a raw pointer and the size the
//! plugin reports, and its generated accessors return `None` for fields beyond it.

use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

use crate::{PJRT_Extension_Base, PJRT_Extension_Type};

/// A PJRT struct whose first field is `size_t struct_size`, with the size these bindings know.
///
/// # Safety
///
/// Implementors are C structs whose first field is a `usize` holding the struct's size, and for
/// which all-zero bytes are a valid value (pointers, integers, optional function pointers).
pub unsafe trait StructSize: Sized {
    /// `<Name>_STRUCT_SIZE` of the headers: the offset of the last field plus its size.
    const STRUCT_SIZE: usize;

    /// A zeroed value with `struct_size` set to [`Self::STRUCT_SIZE`]: the usual way to start an
    /// argument struct before filling its inputs.
    fn new() -> Self {
        let mut value = MaybeUninit::<Self>::zeroed();
        // SAFETY: all-zero bytes are a valid `Self` (trait contract), and the first field is a
        // `usize` at offset 0 (trait contract), so writing it through a `usize` pointer is sound.
        unsafe {
            value.as_mut_ptr().cast::<usize>().write(Self::STRUCT_SIZE);
            value.assume_init()
        }
    }
}

/// An extension struct: it starts with `PJRT_Extension_Base`, whose `type` is [`Self::TYPE`].
///
/// # Safety
///
/// Implementors start with a `PJRT_Extension_Base` and are the struct the headers define for
/// extension type `TYPE`.
pub unsafe trait Extension {
    /// The extension type a plugin's chain entry carries for this struct.
    const TYPE: PJRT_Extension_Type;
}

/// A struct a plugin owns (its `PJRT_Api`, one of its extensions), read only as far as the size it
/// reports. Generated accessors, one per function pointer, return `None` beyond that size.
pub struct Versioned<T> {
    ptr: NonNull<T>,
    size: usize,
    _owned_by_plugin: PhantomData<*const T>,
}

// SAFETY: `Versioned` only reads a table the plugin initialised before handing it out and never
// changes; PJRT requires plugins to accept calls from any thread.
unsafe impl<T> Send for Versioned<T> {}
// SAFETY: as for `Send`: shared reads of immutable data.
unsafe impl<T> Sync for Versioned<T> {}

impl<T> Clone for Versioned<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Versioned<T> {}

impl<T> std::fmt::Debug for Versioned<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Versioned").field("type", &std::any::type_name::<T>()).field("struct_size", &self.size).finish()
    }
}

impl<T> Versioned<T> {
    /// Wraps a struct whose first `usize` (its own `struct_size`, or its base's) is its size.
    ///
    /// # Safety
    ///
    /// `ptr` is null, or points to a `T`-shaped struct of at least `struct_size` readable bytes
    /// (itself at least one `usize`) that stays valid and unchanged while the result is used.
    pub unsafe fn new(ptr: *const T) -> Option<Self> {
        let ptr = NonNull::new(ptr.cast_mut())?;
        // SAFETY: the caller guarantees the first `usize` is readable.
        let size = unsafe { ptr.cast::<usize>().read_unaligned() };
        Some(Self { ptr, size, _owned_by_plugin: PhantomData })
    }

    /// The size the plugin reports for this struct.
    pub fn struct_size(&self) -> usize {
        self.size
    }

    /// The raw pointer, for passing back to C or reading fields by hand after [`Self::covers`].
    pub fn as_ptr(&self) -> *const T {
        self.ptr.as_ptr()
    }

    /// Whether the plugin's struct holds the `len` bytes at `offset` (use with `offset_of!`).
    pub fn covers(&self, offset: usize, len: usize) -> bool {
        offset.checked_add(len).is_some_and(|end| end <= self.size)
    }

    /// The names of the function pointers of `functions` (a generated `FUNCTIONS` table) that the
    /// plugin's struct holds.
    pub fn present<'a>(&'a self, functions: &'a [(&'static str, usize)]) -> impl Iterator<Item = &'static str> + 'a {
        functions.iter().filter(|(_, offset)| self.covers(*offset, size_of::<usize>())).map(|(name, _)| *name)
    }

    /// Reads the field at `offset` with `read`, or returns `F::default()` (`None` for function
    /// pointers) when the plugin's struct ends before the field does.
    ///
    /// # Safety
    ///
    /// `read` reads exactly the `size_of::<F>()` bytes at `offset` of the struct.
    #[doc(hidden)]
    #[inline]
    pub unsafe fn field<F: Default>(&self, offset: usize, read: impl FnOnce(*const T) -> F) -> F {
        if self.covers(offset, size_of::<F>()) { read(self.ptr.as_ptr()) } else { F::default() }
    }

    /// Reinterprets an extension chain entry as extension `T`, when its type matches.
    ///
    /// # Safety
    ///
    /// `base` is a live entry of a plugin's extension chain.
    pub unsafe fn from_extension(base: NonNull<PJRT_Extension_Base>) -> Option<Self>
    where
        T: Extension,
    {
        // SAFETY: the caller guarantees `base` is a live `PJRT_Extension_Base`, which is wholly
        // readable whatever the plugin's version (it has been three fields since 0.1).
        let ty = unsafe { std::ptr::addr_of!((*base.as_ptr()).type_).read() };
        if ty != T::TYPE {
            return None;
        }
        // SAFETY: the type matches, so the entry is a `T` whose first `usize` is its size.
        unsafe { Self::new(base.as_ptr().cast::<T>()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PJRT_Api, PJRT_Client_Create_Args};

    #[test]
    fn new_args_are_zeroed_with_their_size() {
        let args = PJRT_Client_Create_Args::new();
        assert_eq!(args.struct_size, PJRT_Client_Create_Args::STRUCT_SIZE);
        assert!(args.client.is_null() && args.create_options.is_null() && args.kv_get_callback.is_none());
        // The headers' size ends at the last field; Rust may pad after it.
        assert!(PJRT_Client_Create_Args::STRUCT_SIZE <= size_of::<PJRT_Client_Create_Args>());
    }

    #[test]
    fn fields_past_a_smaller_struct_read_as_absent() {
        // A plugin table that ends right after `PJRT_Error_Destroy`, in a buffer no larger than that.
        let end = std::mem::offset_of!(PJRT_Api, PJRT_Error_Destroy) + size_of::<usize>();
        let mut words = vec![0usize; end / size_of::<usize>()];
        words[0] = end;
        unsafe extern "C" fn destroy(_: *mut crate::PJRT_Error_Destroy_Args) {}
        let destroy_fn: unsafe extern "C" fn(*mut crate::PJRT_Error_Destroy_Args) = destroy;
        words[end / size_of::<usize>() - 1] = destroy_fn as usize;
        // SAFETY: the buffer holds `end` bytes and starts with that size.
        let api = unsafe { Versioned::new(words.as_ptr().cast::<PJRT_Api>()) }.unwrap();
        assert_eq!(api.struct_size(), end);
        assert!(api.PJRT_Error_Destroy().is_some());
        assert!(api.PJRT_Error_Message().is_none(), "the next field is past the table");
        assert!(api.PJRT_Client_Create().is_none());
        assert_eq!(api.present(Versioned::<PJRT_Api>::FUNCTIONS).collect::<Vec<_>>(), ["PJRT_Error_Destroy"]);
        // SAFETY: null is allowed.
        assert!(unsafe { Versioned::<PJRT_Api>::new(std::ptr::null()) }.is_none());
    }
}
