//! The messages against the release set's real CPU plugin: compile options built in Rust are what
//! the plugin compiles with, and every proto the plugin hands out decodes and means what it should.
//! Needs the `pjrt-cpu` artifact (resolved through the engine on first use).

use pjrt_sys::*;
use xla_protos::prost::{Message, Name};
use xla_protos::xla;
use xla_test_support::pjrt::{self, Buffer, Client, Device, Executable};
use xla_test_support::{fixtures, programs};

/// `programs::ADD_F32_4`'s signature: `(f32[4], f32[4]) -> f32[4]`.
const ELEMENT_TYPE: xla::PrimitiveType = xla::PrimitiveType::F32;
const DIMENSIONS: [i64; 1] = [4];
const PARAMETERS: usize = 2;

const A: [f32; 4] = [1.0, 2.0, 3.0, 4.0];
const B: [f32; 4] = [10.0, 20.0, 30.0, 40.0];

fn client() -> Client {
    Client::new(fixtures::cpu_plugin()).expect("a CPU client")
}

fn compile(client: &Client, options: &xla::CompileOptionsProto) -> pjrt::Result<Executable> {
    client.compile(programs::ADD_F32_4.as_bytes(), "mlir", &options.encode_to_vec())
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn buffer(client: &Client, values: &[f32], device: &Device) -> Buffer {
    client.buffer_from_host(&f32_bytes(values), PJRT_Buffer_Type::PJRT_Buffer_Type_F32, &DIMENSIONS, device).unwrap()
}

/// Runs `executable` on `device` with `A` and `B`; the output as floats.
fn run_add(client: &Client, executable: &Executable, device: &Device) -> pjrt::Result<Vec<f32>> {
    let (a, b) = (buffer(client, &A, device), buffer(client, &B, device));
    let outputs = executable.execute_on(device, &[&a, &b], &[])?;
    let bytes = outputs[0].to_host()?;
    Ok(bytes.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect())
}

fn expected_sum() -> Vec<f32> {
    A.iter().zip(&B).map(|(a, b)| a + b).collect()
}

/// The device with id `id`.
fn device(client: &Client, id: i32) -> Device {
    client.addressable_devices().unwrap().into_iter().find(|d| d.id().unwrap() == id).unwrap()
}

/// The optimized program as the plugin reports it: an `HloModuleProtoWithConfig`.
fn optimized_program(executable: &Executable) -> xla::HloModuleProtoWithConfig {
    let (format, code) = executable.optimized_program().unwrap();
    assert_eq!(format, "hlo_with_config", "the CPU plugin's optimized program format");
    xla::HloModuleProtoWithConfig::decode(&code[..]).unwrap()
}

/// Bytes the plugin returns with a deleter, copied and released.
///
/// # Safety
///
/// `data` points to `len` bytes alive until `deleter(holder)` runs; `deleter` releases `holder`.
unsafe fn take<H>(
    data: *const std::ffi::c_char,
    len: usize,
    holder: *mut H,
    deleter: Option<unsafe extern "C" fn(*mut H)>,
) -> Vec<u8> {
    // SAFETY: `len` readable bytes (caller).
    let bytes = unsafe { pjrt::slice(data.cast::<u8>(), len) };
    if let Some(deleter) = deleter {
        // SAFETY: releasing what the plugin allocated, once (caller).
        unsafe { deleter(holder) };
    }
    bytes
}

/// The `PJRT_Executable` of a loaded executable, destroyed on drop.
struct ExecutableView(*mut PJRT_Executable);

impl ExecutableView {
    fn of(executable: &Executable) -> Self {
        let mut args = PJRT_LoadedExecutable_GetExecutable_Args::new();
        args.loaded_executable = executable.raw();
        pjrt::call!(fixtures::cpu_plugin(), PJRT_LoadedExecutable_GetExecutable, &mut args).unwrap();
        Self(args.executable)
    }
}

impl Drop for ExecutableView {
    fn drop(&mut self) {
        let mut args = PJRT_Executable_Destroy_Args::new();
        args.executable = self.0;
        pjrt::call!(fixtures::cpu_plugin(), PJRT_Executable_Destroy, &mut args).unwrap();
    }
}

/// `PJRT_Executable_GetCompileOptions`: the options the executable was compiled with, serialized.
fn compile_options_of(executable: &Executable) -> Vec<u8> {
    let view = ExecutableView::of(executable);
    let mut args = PJRT_Executable_GetCompileOptions_Args::new();
    args.executable = view.0;
    pjrt::call!(fixtures::cpu_plugin(), PJRT_Executable_GetCompileOptions, &mut args).unwrap();
    // SAFETY: the plugin's bytes live until the deleter releases their holder.
    unsafe {
        take(
            args.serialized_bytes,
            args.serialized_bytes_size,
            args.serialized_compile_options,
            args.serialized_compile_options_deleter,
        )
    }
}

/// `PJRT_LoadedExecutable_GetDeviceAssignment`, serialized.
fn device_assignment_of(executable: &Executable) -> Vec<u8> {
    let mut args = PJRT_LoadedExecutable_GetDeviceAssignment_Args::new();
    args.executable = executable.raw();
    pjrt::call!(fixtures::cpu_plugin(), PJRT_LoadedExecutable_GetDeviceAssignment, &mut args).unwrap();
    // SAFETY: as in `compile_options_of`.
    unsafe {
        take(
            args.serialized_bytes,
            args.serialized_bytes_size,
            args.serialized_device_assignment,
            args.serialized_device_assignment_deleter,
        )
    }
}

/// `PJRT_Client_TopologyDescription` then `PJRT_TopologyDescription_Serialize`.
fn serialized_topology(client: &Client) -> Vec<u8> {
    let plugin = fixtures::cpu_plugin();
    let mut topology = PJRT_Client_TopologyDescription_Args::new();
    topology.client = client.raw();
    // The topology is owned by the client: not destroyed here.
    pjrt::call!(plugin, PJRT_Client_TopologyDescription, &mut topology).unwrap();
    let mut args = PJRT_TopologyDescription_Serialize_Args::new();
    args.topology = topology.topology;
    pjrt::call!(plugin, PJRT_TopologyDescription_Serialize, &mut args).unwrap();
    // SAFETY: as in `compile_options_of`.
    unsafe {
        take(
            args.serialized_bytes,
            args.serialized_bytes_size,
            args.serialized_topology,
            args.serialized_topology_deleter,
        )
    }
}

#[test]
fn real_compile_options_built_in_rust_compile_and_the_program_runs() {
    let client = client();
    let options = xla::CompileOptionsProto::for_replicas_and_partitions(1, 1).unwrap();
    let executable = compile(&client, &options).unwrap();
    let first = &client.addressable_devices().unwrap()[0];
    assert_eq!(run_add(&client, &executable, first).unwrap(), expected_sum());
}

#[test]
fn real_a_device_assignment_built_in_rust_decides_where_the_program_runs() {
    let client = client();
    let devices = client.addressable_devices().unwrap();
    // The last device, so that the assignment differs from any default.
    let chosen = devices.last().unwrap().id().unwrap();
    let assignment = xla::DeviceAssignmentProto::from_fn(1, 1, |_, _| chosen.into()).unwrap();
    let executable = compile(&client, &xla::CompileOptionsProto::for_device_assignment(assignment.clone())).unwrap();

    // The plugin reports our assignment back, and runs the program there and nowhere else.
    assert_eq!(xla::DeviceAssignmentProto::decode(&device_assignment_of(&executable)[..]).unwrap(), assignment);
    assert_eq!(run_add(&client, &executable, &device(&client, chosen)).unwrap(), expected_sum());
    for other in devices.iter().filter(|d| d.id().unwrap() != chosen) {
        let error = run_add(&client, &executable, other).unwrap_err();
        let id = other.id().unwrap();
        assert!(error.message.contains(&format!("device id {id}")), "running on device {id}: {error:?}");
    }
}

#[test]
fn real_invalid_compile_options_come_back_as_the_plugins_error() {
    let client = client();
    let devices = client.addressable_devices().unwrap().len();
    // One replica more than there are devices: the last one has no device to run on.
    let options = xla::CompileOptionsProto::for_replicas_and_partitions(devices + 1, 1).unwrap();
    let error = compile(&client, &options).err().expect("more replicas than devices must not compile");
    assert_eq!(error.code, PJRT_Error_Code::PJRT_Error_Code_INVALID_ARGUMENT, "{error:?}");
    assert!(error.message.contains(&format!("device_id {devices}")), "{error:?}");

    // Bytes that are no CompileOptionsProto are refused too: the plugin does parse what it gets.
    let error = client.compile(programs::ADD_F32_4.as_bytes(), "mlir", &[0xff, 0xff]).err().unwrap();
    assert_eq!(error.code, PJRT_Error_Code::PJRT_Error_Code_INVALID_ARGUMENT, "{error:?}");
}

#[test]
fn real_optimized_program_is_an_hlo_module_matching_the_program() {
    let client = client();
    let options = xla::CompileOptionsProto::for_replicas_and_partitions(1, 1).unwrap();
    let executable = compile(&client, &options).unwrap();
    let with_config = optimized_program(&executable);
    let module = with_config.hlo_module.expect("an HLO module");

    // The entry computation is the one the module names, made from the program's @main.
    let entry =
        module.computations.iter().find(|c| c.id == module.entry_computation_id).expect("the entry computation");
    assert_eq!(entry.name, module.entry_computation_name);
    assert!(entry.name == "main" || entry.name.starts_with("main."), "entry computation {:?}", entry.name);

    // Its signature is the program's: two f32[4] parameters and an f32[4] result.
    let shape = entry.program_shape.as_ref().expect("the entry's program shape");
    assert_eq!(shape.parameters.len(), PARAMETERS);
    for parameter in shape.parameters.iter().chain(shape.result.as_ref()) {
        assert_eq!((parameter.element_type(), &parameter.dimensions[..]), (ELEMENT_TYPE, &DIMENSIONS[..]));
    }
    let mut parameters: Vec<_> = entry.instructions.iter().filter(|i| i.opcode == "parameter").collect();
    parameters.sort_by_key(|i| i.parameter_number);
    assert_eq!(
        parameters.iter().map(|i| i.parameter_number).collect::<Vec<_>>(),
        (0..PARAMETERS as i64).collect::<Vec<_>>()
    );
    for parameter in parameters {
        let shape = parameter.shape.as_ref().unwrap();
        assert_eq!((shape.element_type(), &shape.dimensions[..]), (ELEMENT_TYPE, &DIMENSIONS[..]));
    }

    // The module was configured by our options.
    let config = with_config.config.expect("the module's config");
    assert_eq!((config.replica_count, config.num_partitions), (1, 1));
    let build = options.executable_build_options.unwrap();
    assert_eq!(config.static_device_assignment, build.device_assignment);
    assert!(config.debug_options.is_some(), "the config carries the debug options the plugin compiled with");
}

#[test]
fn real_debug_options_from_the_plugin_go_back_to_it_and_take_effect() {
    let client = client();
    let mut options = xla::CompileOptionsProto::for_replicas_and_partitions(1, 1).unwrap();
    // A `debug_options` replaces XLA's defaults entirely, so start from the ones the plugin used.
    let defaults = optimized_program(&compile(&client, &options).unwrap()).config.unwrap().debug_options.unwrap();
    let dump = tempfile_dir("debug-options");
    let debug_options = xla::DebugOptions {
        xla_dump_to: Some(dump.display().to_string()),
        xla_dump_hlo_as_text: Some(true),
        ..defaults
    };
    options.executable_build_options.as_mut().unwrap().debug_options = Some(debug_options.clone());
    let executable = compile(&client, &options).unwrap();

    // The plugin dumped the module where we asked, as text.
    let texts: Vec<String> = std::fs::read_dir(&dump)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(texts.iter().any(|t| t.contains("HloModule") && t.contains("ENTRY")), "no HLO text in {}", dump.display());
    // And compiled with exactly those options.
    assert_eq!(optimized_program(&executable).config.unwrap().debug_options, Some(debug_options));
    assert_eq!(run_add(&client, &executable, &client.addressable_devices().unwrap()[0]).unwrap(), expected_sum());
    std::fs::remove_dir_all(dump).unwrap();
}

/// A fresh, empty directory for this test process.
fn tempfile_dir(what: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("xla-protos-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn real_compile_options_the_executable_reports_are_ours() {
    let client = client();
    let devices = client.addressable_devices().unwrap();
    let last = devices.last().unwrap().id().unwrap();
    let options = xla::CompileOptionsProto::for_device_assignment(
        xla::DeviceAssignmentProto::from_fn(1, 1, |_, _| last.into()).unwrap(),
    );
    let executable = compile(&client, &options).unwrap();
    let reported = xla::CompileOptionsProto::decode(&compile_options_of(&executable)[..]).unwrap();
    let (ours, theirs) = (options.executable_build_options.unwrap(), reported.executable_build_options.unwrap());
    assert_eq!((theirs.num_replicas, theirs.num_partitions), (ours.num_replicas, ours.num_partitions));
    assert_eq!(theirs.device_assignment, ours.device_assignment);
}

#[test]
fn real_serialized_executable_decodes_and_reencoded_still_loads_and_runs() {
    let client = client();
    let options = xla::CompileOptionsProto::for_replicas_and_partitions(1, 1).unwrap();
    let executable = compile(&client, &options).unwrap();
    let serialized = executable.serialize().unwrap();

    // An ExecutableAndOptionsProto: our options, and the CPU compiler's own result.
    let outer = xla::ExecutableAndOptionsProto::decode(&serialized[..]).unwrap();
    let build = outer.compile_options.as_ref().and_then(|o| o.executable_build_options.as_ref()).unwrap();
    assert_eq!(build.device_assignment, options.executable_build_options.as_ref().unwrap().device_assignment);
    let result = xla::cpu::CompilationResultProto::decode(&outer.serialized_executable[..]).unwrap();
    let module = result.hlo_module.as_ref().and_then(|m| m.hlo_module.as_ref()).unwrap();
    let optimized = optimized_program(&executable).hlo_module.unwrap();
    assert_eq!(module.entry_computation_name, optimized.entry_computation_name);
    assert!(!result.thunk_sequence.as_ref().unwrap().thunks.is_empty(), "the executable's thunks");

    // Everything survives decoding: encoded again by prost, the plugin loads and runs it.
    let reencoded =
        xla::ExecutableAndOptionsProto { serialized_executable: result.encode_to_vec(), ..outer }.encode_to_vec();
    let loaded = client.deserialize(&reencoded).unwrap();
    assert_eq!(run_add(&client, &loaded, &client.addressable_devices().unwrap()[0]).unwrap(), expected_sum());
}

#[test]
fn real_topology_description_decodes_with_the_cpu_topology_inside() {
    let client = client();
    let topology = xla::PjRtTopologyDescriptionProto::decode(&serialized_topology(&client)[..]).unwrap();
    assert_eq!(topology.platform_name, client.platform_name().unwrap());
    assert_eq!(topology.platform_version, client.platform_version().unwrap());

    let any = topology.platform_specific_topology.expect("the CPU topology, as an Any");
    assert_eq!(any.type_url, xla::CpuTopologyProto::type_url());
    let cpu = any.to_msg::<xla::CpuTopologyProto>().unwrap();
    let mut ids: Vec<i64> = cpu.cpu_devices.iter().map(|d| d.local_hardware_id.into()).collect();
    let mut expected: Vec<i64> = client.addressable_devices().unwrap().iter().map(|d| d.id().unwrap().into()).collect();
    ids.sort();
    expected.sort();
    assert_eq!(ids, expected);
    assert!(cpu.target_machine_options.is_some_and(|t| !t.triple.is_empty()), "the host's target machine");
}
