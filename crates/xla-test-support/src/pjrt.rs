//! A small PJRT driver over pjrt-sys, for the workspace's tests, benchmarks and examples: clients,
//! devices, compilation, buffers, execution. It is not a safe API for users (that belongs to the
//! crates built on ryft-xla-sys); it keeps each test about what it tests.

use std::ffi::c_void;
use std::ptr;

use pjrt_sys::*;

/// What every call returns: the plugin's own error, read and destroyed.
pub type Result<T, E = PluginError> = std::result::Result<T, E>;

/// Calls `$plugin`'s `$function` with `$args`, returning the plugin's error as `Err`, or an
/// `UNIMPLEMENTED` error when the plugin's API is too old to have the function.
#[macro_export]
macro_rules! pjrt_call {
    ($plugin:expr, $function:ident, $args:expr) => {{
        let plugin: &'static pjrt_sys::Plugin = $plugin;
        let args = $args;
        match plugin.api().$function() {
            None => Err($crate::pjrt::missing(stringify!($function))),
            // SAFETY: `$args` is the function's argument struct, initialised by the caller (with
            // `StructSize::new()` and its inputs), and the function comes from this plugin.
            Some(function) => match unsafe { plugin.take_error(function(args)) } {
                None => Ok(()),
                Some(error) => Err(error),
            },
        }
    }};
}
pub use pjrt_call as call;

/// The error for a function an older plugin does not have.
pub fn missing(function: &str) -> PluginError {
    PluginError {
        code: PJRT_Error_Code::PJRT_Error_Code_UNIMPLEMENTED,
        message: format!("the plugin's PJRT_Api has no {function} (older minor version)"),
    }
}

/// Copies a (pointer, length) string the plugin owns.
///
/// # Safety
///
/// `ptr` is null or points to `len` readable bytes.
pub unsafe fn string(ptr: *const std::ffi::c_char, len: usize) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: the caller guarantees `len` readable bytes.
    String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) }).into_owned()
}

/// Copies a (pointer, count) array the plugin owns.
///
/// # Safety
///
/// `ptr` is null or points to `len` readable values.
pub unsafe fn slice<T: Copy>(ptr: *const T, len: usize) -> Vec<T> {
    if ptr.is_null() || len == 0 {
        return Vec::new();
    }
    // SAFETY: the caller guarantees `len` readable values.
    unsafe { std::slice::from_raw_parts(ptr, len) }.to_vec()
}

/// The value of one `PJRT_NamedValue` (attributes, options).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string.
    String(String),
    /// A 64-bit integer.
    Int64(i64),
    /// A list of 64-bit integers.
    Int64List(Vec<i64>),
    /// A float.
    Float(f32),
    /// A boolean.
    Bool(bool),
}

/// Reads a plugin's array of named values.
///
/// # Safety
///
/// `values` is null or points to `len` valid `PJRT_NamedValue`s.
pub unsafe fn named_values(values: *const PJRT_NamedValue, len: usize) -> Vec<(String, Value)> {
    // SAFETY: forwarded from the caller.
    unsafe { slice(values, len) }
        .into_iter()
        .map(|v| {
            // SAFETY: the union member read is the one `type_` names; strings and lists have
            // `value_size` elements.
            let value = unsafe {
                match v.type_ {
                    PJRT_NamedValue_Type::PJRT_NamedValue_kString => {
                        Value::String(string(v.__bindgen_anon_1.string_value, v.value_size))
                    }
                    PJRT_NamedValue_Type::PJRT_NamedValue_kInt64 => Value::Int64(v.__bindgen_anon_1.int64_value),
                    PJRT_NamedValue_Type::PJRT_NamedValue_kInt64List => {
                        Value::Int64List(slice(v.__bindgen_anon_1.int64_array_value, v.value_size))
                    }
                    PJRT_NamedValue_Type::PJRT_NamedValue_kFloat => Value::Float(v.__bindgen_anon_1.float_value),
                    PJRT_NamedValue_Type::PJRT_NamedValue_kBool => Value::Bool(v.__bindgen_anon_1.bool_value),
                    other => Value::String(format!("(unknown PJRT_NamedValue type {})", other.0)),
                }
            };
            // SAFETY: names are `name_size` bytes owned by the plugin.
            (unsafe { string(v.name, v.name_size) }, value)
        })
        .collect()
}

/// The plugin's attributes (`PJRT_Plugin_Attributes`).
pub fn plugin_attributes(plugin: &'static Plugin) -> Result<Vec<(String, Value)>> {
    let mut args = PJRT_Plugin_Attributes_Args::new();
    call!(plugin, PJRT_Plugin_Attributes, &mut args)?;
    // SAFETY: the plugin returned `num_attributes` values it owns.
    Ok(unsafe { named_values(args.attributes, args.num_attributes) })
}

/// The StableHLO version the plugin reads up to (its `stablehlo_current_version` attribute), when
/// it says.
pub fn stablehlo_current_version(plugin: &'static Plugin) -> Option<[i64; 3]> {
    let attributes = plugin_attributes(plugin).ok()?;
    attributes.into_iter().find_map(|(name, value)| match value {
        Value::Int64List(v) if name == "stablehlo_current_version" => v.try_into().ok(),
        _ => None,
    })
}

/// A PJRT client, destroyed on drop.
pub struct Client {
    plugin: &'static Plugin,
    raw: *mut PJRT_Client,
}

impl Client {
    /// Creates a client with no options.
    pub fn new(plugin: &'static Plugin) -> Result<Self> {
        let mut args = PJRT_Client_Create_Args::new();
        call!(plugin, PJRT_Client_Create, &mut args)?;
        Ok(Self { plugin, raw: args.client })
    }

    /// The plugin behind this client.
    pub fn plugin(&self) -> &'static Plugin {
        self.plugin
    }

    /// The raw client.
    pub fn raw(&self) -> *mut PJRT_Client {
        self.raw
    }

    /// `PJRT_Client_PlatformName`.
    pub fn platform_name(&self) -> Result<String> {
        let mut args = PJRT_Client_PlatformName_Args::new();
        args.client = self.raw;
        call!(self.plugin, PJRT_Client_PlatformName, &mut args)?;
        // SAFETY: the plugin returned this string, owned by the client.
        Ok(unsafe { string(args.platform_name, args.platform_name_size) })
    }

    /// `PJRT_Client_PlatformVersion`.
    pub fn platform_version(&self) -> Result<String> {
        let mut args = PJRT_Client_PlatformVersion_Args::new();
        args.client = self.raw;
        call!(self.plugin, PJRT_Client_PlatformVersion, &mut args)?;
        // SAFETY: as above.
        Ok(unsafe { string(args.platform_version, args.platform_version_size) })
    }

    /// The devices this process can address.
    pub fn addressable_devices(&self) -> Result<Vec<Device>> {
        let mut args = PJRT_Client_AddressableDevices_Args::new();
        args.client = self.raw;
        call!(self.plugin, PJRT_Client_AddressableDevices, &mut args)?;
        // SAFETY: the plugin returned `num_addressable_devices` devices, owned by the client.
        let raw = unsafe { slice(args.addressable_devices, args.num_addressable_devices) };
        Ok(raw.into_iter().map(|d| Device { plugin: self.plugin, raw: d }).collect())
    }

    /// Compiles `code` (format `"mlir"` for StableHLO text or bytecode, `"hlo"` for an
    /// `HloModuleProto`) with serialized `CompileOptionsProto` bytes.
    pub fn compile(&self, code: &[u8], format: &str, compile_options: &[u8]) -> Result<Executable> {
        let mut program = PJRT_Program::new();
        program.code = code.as_ptr().cast_mut().cast();
        program.code_size = code.len();
        program.format = format.as_ptr().cast();
        program.format_size = format.len();
        let mut args = PJRT_Client_Compile_Args::new();
        args.client = self.raw;
        args.program = &program;
        args.compile_options = compile_options.as_ptr().cast();
        args.compile_options_size = compile_options.len();
        call!(self.plugin, PJRT_Client_Compile, &mut args)?;
        Ok(Executable { plugin: self.plugin, raw: args.executable })
    }

    /// Loads an executable serialized by [`Executable::serialize`].
    pub fn deserialize(&self, bytes: &[u8]) -> Result<Executable> {
        let mut args = PJRT_Executable_DeserializeAndLoad_Args::new();
        args.client = self.raw;
        args.serialized_executable = bytes.as_ptr().cast();
        args.serialized_executable_size = bytes.len();
        call!(self.plugin, PJRT_Executable_DeserializeAndLoad, &mut args)?;
        Ok(Executable { plugin: self.plugin, raw: args.loaded_executable })
    }

    /// Copies a dense, row-major host array to `device`, waiting until the host bytes are no
    /// longer needed.
    pub fn buffer_from_host(&self, data: &[u8], ty: PJRT_Buffer_Type, dims: &[i64], device: &Device) -> Result<Buffer> {
        let mut args = PJRT_Client_BufferFromHostBuffer_Args::new();
        args.client = self.raw;
        args.data = data.as_ptr().cast();
        args.type_ = ty;
        args.dims = dims.as_ptr();
        args.num_dims = dims.len();
        args.host_buffer_semantics =
            PJRT_HostBufferSemantics::PJRT_HostBufferSemantics_kImmutableUntilTransferCompletes;
        args.device = device.raw;
        call!(self.plugin, PJRT_Client_BufferFromHostBuffer, &mut args)?;
        let buffer = Buffer { plugin: self.plugin, raw: args.buffer };
        Event { plugin: self.plugin, raw: args.done_with_host_buffer }.wait()?;
        Ok(buffer)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let mut args = PJRT_Client_Destroy_Args::new();
        args.client = self.raw;
        let _ = call!(self.plugin, PJRT_Client_Destroy, &mut args);
    }
}

/// A device of a client (owned by the client).
#[derive(Clone, Copy)]
pub struct Device {
    plugin: &'static Plugin,
    raw: *mut PJRT_Device,
}

impl Device {
    /// The raw device.
    pub fn raw(&self) -> *mut PJRT_Device {
        self.raw
    }

    fn description(&self) -> Result<*mut PJRT_DeviceDescription> {
        let mut args = PJRT_Device_GetDescription_Args::new();
        args.device = self.raw;
        call!(self.plugin, PJRT_Device_GetDescription, &mut args)?;
        Ok(args.device_description)
    }

    /// The device's id.
    pub fn id(&self) -> Result<i32> {
        let mut args = PJRT_DeviceDescription_Id_Args::new();
        args.device_description = self.description()?;
        call!(self.plugin, PJRT_DeviceDescription_Id, &mut args)?;
        Ok(args.id)
    }

    /// The device's kind, e.g. `cpu`.
    pub fn kind(&self) -> Result<String> {
        let mut args = PJRT_DeviceDescription_Kind_Args::new();
        args.device_description = self.description()?;
        call!(self.plugin, PJRT_DeviceDescription_Kind, &mut args)?;
        // SAFETY: owned by the description.
        Ok(unsafe { string(args.device_kind, args.device_kind_size) })
    }

    /// The description's attributes.
    pub fn attributes(&self) -> Result<Vec<(String, Value)>> {
        let mut args = PJRT_DeviceDescription_Attributes_Args::new();
        args.device_description = self.description()?;
        call!(self.plugin, PJRT_DeviceDescription_Attributes, &mut args)?;
        // SAFETY: the plugin returned `num_attributes` values, owned by the description.
        Ok(unsafe { named_values(args.attributes, args.num_attributes) })
    }

    /// The kinds of the memories this device can address, e.g. `device`, `pinned_host`.
    pub fn memory_kinds(&self) -> Result<Vec<String>> {
        let mut args = PJRT_Device_AddressableMemories_Args::new();
        args.device = self.raw;
        call!(self.plugin, PJRT_Device_AddressableMemories, &mut args)?;
        // SAFETY: `num_memories` memories owned by the client.
        let memories = unsafe { slice(args.memories, args.num_memories) };
        memories
            .into_iter()
            .map(|memory| {
                let mut kind = PJRT_Memory_Kind_Args::new();
                kind.memory = memory;
                call!(self.plugin, PJRT_Memory_Kind, &mut kind)?;
                // SAFETY: owned by the memory.
                Ok(unsafe { string(kind.kind, kind.kind_size) })
            })
            .collect()
    }
}

/// A compiled, loaded executable, destroyed on drop.
pub struct Executable {
    plugin: &'static Plugin,
    raw: *mut PJRT_LoadedExecutable,
}

/// Releases a `PJRT_Executable` obtained from a loaded one.
struct ExecutableView {
    plugin: &'static Plugin,
    raw: *mut PJRT_Executable,
}

impl Drop for ExecutableView {
    fn drop(&mut self) {
        let mut args = PJRT_Executable_Destroy_Args::new();
        args.executable = self.raw;
        let _ = call!(self.plugin, PJRT_Executable_Destroy, &mut args);
    }
}

impl Executable {
    /// The raw loaded executable.
    pub fn raw(&self) -> *mut PJRT_LoadedExecutable {
        self.raw
    }

    fn view(&self) -> Result<ExecutableView> {
        let mut args = PJRT_LoadedExecutable_GetExecutable_Args::new();
        args.loaded_executable = self.raw;
        call!(self.plugin, PJRT_LoadedExecutable_GetExecutable, &mut args)?;
        Ok(ExecutableView { plugin: self.plugin, raw: args.executable })
    }

    /// The executable's name.
    pub fn name(&self) -> Result<String> {
        let view = self.view()?;
        let mut args = PJRT_Executable_Name_Args::new();
        args.executable = view.raw;
        call!(self.plugin, PJRT_Executable_Name, &mut args)?;
        // SAFETY: owned by the executable.
        Ok(unsafe { string(args.executable_name, args.executable_name_size) })
    }

    /// The number of outputs.
    pub fn num_outputs(&self) -> Result<usize> {
        let view = self.view()?;
        let mut args = PJRT_Executable_NumOutputs_Args::new();
        args.executable = view.raw;
        call!(self.plugin, PJRT_Executable_NumOutputs, &mut args)?;
        Ok(args.num_outputs)
    }

    /// Each output's element type.
    pub fn output_element_types(&self) -> Result<Vec<PJRT_Buffer_Type>> {
        let view = self.view()?;
        let mut args = PJRT_Executable_OutputElementTypes_Args::new();
        args.executable = view.raw;
        call!(self.plugin, PJRT_Executable_OutputElementTypes, &mut args)?;
        // SAFETY: `num_output_types` values owned by the executable.
        Ok(unsafe { slice(args.output_types, args.num_output_types) })
    }

    /// Each output's dimensions.
    pub fn output_dimensions(&self) -> Result<Vec<Vec<i64>>> {
        let view = self.view()?;
        let mut args = PJRT_Executable_OutputDimensions_Args::new();
        args.executable = view.raw;
        call!(self.plugin, PJRT_Executable_OutputDimensions, &mut args)?;
        // SAFETY: `dim_sizes` has `num_outputs` entries and `dims` their sum, owned by the executable.
        let sizes = unsafe { slice(args.dim_sizes, args.num_outputs) };
        // SAFETY: as above.
        let all = unsafe { slice(args.dims, sizes.iter().sum()) };
        let mut offset = 0;
        Ok(sizes
            .into_iter()
            .map(|n| {
                offset += n;
                all[offset - n..offset].to_vec()
            })
            .collect())
    }

    /// The plugin's fingerprint of the executable.
    pub fn fingerprint(&self) -> Result<String> {
        let view = self.view()?;
        let mut args = PJRT_Executable_Fingerprint_Args::new();
        args.executable = view.raw;
        call!(self.plugin, PJRT_Executable_Fingerprint, &mut args)?;
        // SAFETY: owned by the executable.
        Ok(unsafe { string(args.executable_fingerprint, args.executable_fingerprint_size) })
    }

    /// `PJRT_Executable_Serialize`: bytes [`Client::deserialize`] loads back.
    pub fn serialize(&self) -> Result<Vec<u8>> {
        let view = self.view()?;
        let mut args = PJRT_Executable_Serialize_Args::new();
        args.executable = view.raw;
        call!(self.plugin, PJRT_Executable_Serialize, &mut args)?;
        // SAFETY: `serialized_bytes_size` bytes, alive until the deleter runs.
        let bytes = unsafe { slice(args.serialized_bytes.cast::<u8>(), args.serialized_bytes_size) };
        if let Some(deleter) = args.serialized_executable_deleter {
            // SAFETY: releasing what the plugin allocated, once.
            unsafe { deleter(args.serialized_executable) };
        }
        Ok(bytes)
    }

    /// The optimized program: its format (e.g. `hlo_with_config`) and bytes.
    pub fn optimized_program(&self) -> Result<(String, Vec<u8>)> {
        let view = self.view()?;
        let mut program = PJRT_Program::new();
        let mut args = PJRT_Executable_OptimizedProgram_Args::new();
        args.executable = view.raw;
        args.program = &mut program;
        // The first call, with no code buffer, reports the size.
        call!(self.plugin, PJRT_Executable_OptimizedProgram, &mut args)?;
        let mut code = vec![0u8; program.code_size];
        program.code = code.as_mut_ptr().cast();
        call!(self.plugin, PJRT_Executable_OptimizedProgram, &mut args)?;
        // SAFETY: the format string is owned by the executable.
        let format = unsafe { string(program.format, program.format_size) };
        Ok((format, code))
    }

    /// Runs on `device` with `arguments`, returning the outputs. `donate` lists argument indices
    /// whose buffers the executable may consume (all others are marked non-donatable).
    pub fn execute_on(&self, device: &Device, arguments: &[&Buffer], donate: &[usize]) -> Result<Vec<Buffer>> {
        let outputs = self.num_outputs()?;
        let keep: Vec<i64> = (0..arguments.len() as i64).filter(|i| !donate.contains(&(*i as usize))).collect();
        let mut options = PJRT_ExecuteOptions::new();
        options.non_donatable_input_indices = keep.as_ptr();
        options.num_non_donatable_input_indices = keep.len();
        let argument_list: Vec<*mut PJRT_Buffer> = arguments.iter().map(|b| b.raw).collect();
        let argument_lists = [argument_list.as_ptr()];
        let mut output_list: Vec<*mut PJRT_Buffer> = vec![ptr::null_mut(); outputs];
        let output_lists = [output_list.as_mut_ptr()];
        let mut complete: [*mut PJRT_Event; 1] = [ptr::null_mut()];
        let mut args = PJRT_LoadedExecutable_Execute_Args::new();
        args.executable = self.raw;
        args.options = &mut options;
        args.argument_lists = argument_lists.as_ptr();
        args.num_devices = 1;
        args.num_args = arguments.len();
        args.output_lists = output_lists.as_ptr();
        args.device_complete_events = complete.as_mut_ptr();
        args.execute_device = device.raw;
        call!(self.plugin, PJRT_LoadedExecutable_Execute, &mut args)?;
        let outputs: Vec<Buffer> = output_list.into_iter().map(|raw| Buffer { plugin: self.plugin, raw }).collect();
        Event { plugin: self.plugin, raw: complete[0] }.wait()?;
        Ok(outputs)
    }
}

impl Drop for Executable {
    fn drop(&mut self) {
        let mut args = PJRT_LoadedExecutable_Destroy_Args::new();
        args.executable = self.raw;
        let _ = call!(self.plugin, PJRT_LoadedExecutable_Destroy, &mut args);
    }
}

/// A device buffer, destroyed on drop.
pub struct Buffer {
    plugin: &'static Plugin,
    raw: *mut PJRT_Buffer,
}

impl Buffer {
    /// The raw buffer.
    pub fn raw(&self) -> *mut PJRT_Buffer {
        self.raw
    }

    /// The element type.
    pub fn element_type(&self) -> Result<PJRT_Buffer_Type> {
        let mut args = PJRT_Buffer_ElementType_Args::new();
        args.buffer = self.raw;
        call!(self.plugin, PJRT_Buffer_ElementType, &mut args)?;
        Ok(args.type_)
    }

    /// The dimensions.
    pub fn dimensions(&self) -> Result<Vec<i64>> {
        let mut args = PJRT_Buffer_Dimensions_Args::new();
        args.buffer = self.raw;
        call!(self.plugin, PJRT_Buffer_Dimensions, &mut args)?;
        // SAFETY: `num_dims` values owned by the buffer.
        Ok(unsafe { slice(args.dims, args.num_dims) })
    }

    /// The buffer's size on its device.
    pub fn on_device_size(&self) -> Result<usize> {
        let mut args = PJRT_Buffer_OnDeviceSizeInBytes_Args::new();
        args.buffer = self.raw;
        call!(self.plugin, PJRT_Buffer_OnDeviceSizeInBytes, &mut args)?;
        Ok(args.on_device_size_in_bytes)
    }

    /// Copies the buffer to the host, dense and row-major, and waits.
    pub fn to_host(&self) -> Result<Vec<u8>> {
        let mut args = PJRT_Buffer_ToHostBuffer_Args::new();
        args.src = self.raw;
        // The first call, with no destination, reports the size.
        call!(self.plugin, PJRT_Buffer_ToHostBuffer, &mut args)?;
        let mut bytes = vec![0u8; args.dst_size];
        args.dst = bytes.as_mut_ptr().cast::<c_void>();
        call!(self.plugin, PJRT_Buffer_ToHostBuffer, &mut args)?;
        Event { plugin: self.plugin, raw: args.event }.wait()?;
        Ok(bytes)
    }

    /// Copies the buffer to another device (or the same one).
    pub fn copy_to(&self, device: &Device) -> Result<Buffer> {
        let mut args = PJRT_Buffer_CopyToDevice_Args::new();
        args.buffer = self.raw;
        args.dst_device = device.raw;
        call!(self.plugin, PJRT_Buffer_CopyToDevice, &mut args)?;
        Ok(Buffer { plugin: self.plugin, raw: args.dst_buffer })
    }

    /// Frees the device memory now (the handle stays valid until dropped).
    pub fn delete(&self) -> Result<()> {
        let mut args = PJRT_Buffer_Delete_Args::new();
        args.buffer = self.raw;
        call!(self.plugin, PJRT_Buffer_Delete, &mut args)
    }

    /// Whether the buffer was deleted (or donated).
    pub fn is_deleted(&self) -> Result<bool> {
        let mut args = PJRT_Buffer_IsDeleted_Args::new();
        args.buffer = self.raw;
        call!(self.plugin, PJRT_Buffer_IsDeleted, &mut args)?;
        Ok(args.is_deleted)
    }

    /// The event that fires when the buffer's data is ready.
    pub fn ready_event(&self) -> Result<Event> {
        let mut args = PJRT_Buffer_ReadyEvent_Args::new();
        args.buffer = self.raw;
        call!(self.plugin, PJRT_Buffer_ReadyEvent, &mut args)?;
        Ok(Event { plugin: self.plugin, raw: args.event })
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        let mut args = PJRT_Buffer_Destroy_Args::new();
        args.buffer = self.raw;
        let _ = call!(self.plugin, PJRT_Buffer_Destroy, &mut args);
    }
}

/// A PJRT event, destroyed on drop (a null event is already complete).
pub struct Event {
    plugin: &'static Plugin,
    raw: *mut PJRT_Event,
}

impl Event {
    /// The raw event.
    pub fn raw(&self) -> *mut PJRT_Event {
        self.raw
    }

    /// Blocks until the event fires; its error, if any, is returned.
    pub fn wait(self) -> Result<()> {
        if self.raw.is_null() {
            return Ok(());
        }
        let mut args = PJRT_Event_Await_Args::new();
        args.event = self.raw;
        call!(self.plugin, PJRT_Event_Await, &mut args)
    }

    /// Runs `callback` with the event's outcome once it fires (perhaps on another thread).
    pub fn on_ready(&self, callback: impl FnOnce(Result<()>) + Send + 'static) -> Result<()> {
        type Callback = Box<dyn FnOnce(Result<()>) + Send>;
        struct Context {
            plugin: &'static Plugin,
            callback: Callback,
        }
        unsafe extern "C" fn trampoline(error: *mut PJRT_Error, user_arg: *mut c_void) {
            // SAFETY: `user_arg` is the `Context` boxed below, handed to the plugin once and called once.
            let context = unsafe { Box::from_raw(user_arg.cast::<Context>()) };
            // SAFETY: the plugin passes an error it created (or null); the callback owns it.
            let outcome = match unsafe { context.plugin.take_error(error) } {
                None => Ok(()),
                Some(error) => Err(error),
            };
            (context.callback)(outcome);
        }
        let context = Box::into_raw(Box::new(Context { plugin: self.plugin, callback: Box::new(callback) }));
        let mut args = PJRT_Event_OnReady_Args::new();
        args.event = self.raw;
        args.callback = Some(trampoline);
        args.user_arg = context.cast();
        call!(self.plugin, PJRT_Event_OnReady, &mut args).inspect_err(|_| {
            // SAFETY: registration failed, so the plugin will not call back: reclaim the context.
            drop(unsafe { Box::from_raw(context) });
        })
    }
}

impl Drop for Event {
    fn drop(&mut self) {
        if self.raw.is_null() {
            return;
        }
        let mut args = PJRT_Event_Destroy_Args::new();
        args.event = self.raw;
        let _ = call!(self.plugin, PJRT_Event_Destroy, &mut args);
    }
}

/// Bytes per element of a PJRT buffer type, for the types with whole-byte elements.
pub fn element_size(ty: PJRT_Buffer_Type) -> Option<usize> {
    use PJRT_Buffer_Type as T;
    Some(match ty {
        T::PJRT_Buffer_Type_PRED | T::PJRT_Buffer_Type_S8 | T::PJRT_Buffer_Type_U8 => 1,
        T::PJRT_Buffer_Type_S16 | T::PJRT_Buffer_Type_U16 | T::PJRT_Buffer_Type_F16 | T::PJRT_Buffer_Type_BF16 => 2,
        T::PJRT_Buffer_Type_S32 | T::PJRT_Buffer_Type_U32 | T::PJRT_Buffer_Type_F32 => 4,
        T::PJRT_Buffer_Type_S64 | T::PJRT_Buffer_Type_U64 | T::PJRT_Buffer_Type_F64 | T::PJRT_Buffer_Type_C64 => 8,
        T::PJRT_Buffer_Type_C128 => 16,
        T::PJRT_Buffer_Type_F8E5M2
        | T::PJRT_Buffer_Type_F8E4M3FN
        | T::PJRT_Buffer_Type_F8E4M3B11FNUZ
        | T::PJRT_Buffer_Type_F8E5M2FNUZ
        | T::PJRT_Buffer_Type_F8E4M3FNUZ
        | T::PJRT_Buffer_Type_F8E4M3
        | T::PJRT_Buffer_Type_F8E3M4
        | T::PJRT_Buffer_Type_F8E8M0FNU => 1,
        _ => return None,
    })
}

/// The serialized `CompileOptionsProto` for one replica and one partition:
/// `executable_build_options { num_replicas: 1, num_partitions: 1 }` (bytes `1a 04 20 01 28 01`).
/// Tests that need others build them with xla-protos.
pub const SINGLE_DEVICE_COMPILE_OPTIONS: &[u8] = &[0x1a, 0x04, 0x20, 0x01, 0x28, 0x01];
