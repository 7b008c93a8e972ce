//! The bindings against the release set's real CPU plugin: loading, the client, compilation,
//! buffers of every element type, events, execution and errors. No mock of PJRT.

use std::sync::mpsc;
use std::time::Duration;

use pjrt_sys::*;
use xla_test_support::fixtures::cpu_plugin;
use xla_test_support::pjrt::{self, Client, Value, call, element_size};
use xla_test_support::programs;

#[test]
fn loads_with_the_release_sets_api_version_and_known_extensions() {
    let plugin = cpu_plugin();
    assert_eq!(plugin.version(), ApiVersion { major: 0, minor: 115 });
    assert_eq!(plugin.version(), ApiVersion::BINDINGS);
    assert_eq!(plugin.api().struct_size(), PJRT_Api_STRUCT_SIZE);
    assert_eq!(PJRT_Api_STRUCT_SIZE, 1144);

    let chain: Vec<u32> = plugin.extensions().map(|(ty, _)| ty.0).collect();
    assert_eq!(chain, [24, 19, 9, 5, 6, 4], "the CPU plugin's extension chain");
    for (ty, _) in plugin.extensions() {
        assert!(BOUND_EXTENSION_TYPES.contains(&ty), "extension type {} has no struct in these bindings", ty.0);
    }
    let layouts = plugin.extension::<PJRT_Layouts_Extension>().expect("the CPU plugin has the layouts extension");
    assert!(layouts.struct_size() >= size_of::<PJRT_Extension_Base>());
    assert!(layouts.PJRT_Layouts_MemoryLayout_Destroy().is_some());
    assert!(plugin.extension::<PJRT_FFI_Extension>().is_some());
    assert!(plugin.extension::<PJRT_Gpu_Custom_Call>().is_none(), "no GPU extension on the CPU plugin");

    // The same path twice gives the same plugin, initialized once.
    let again = Plugin::load(plugin.path()).unwrap();
    assert!(std::ptr::eq(plugin, again));
}

#[test]
fn plugin_attributes_name_the_stablehlo_versions() {
    let plugin = cpu_plugin();
    let mut args = PJRT_Plugin_Attributes_Args::new();
    call!(plugin, PJRT_Plugin_Attributes, &mut args).unwrap();
    // SAFETY: the plugin returned `num_attributes` values it owns.
    let attributes = unsafe { pjrt::named_values(args.attributes, args.num_attributes) };
    let get = |name: &str| attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    match get("stablehlo_current_version") {
        Some(Value::Int64List(version)) => assert_eq!(version.len(), 3, "{version:?}"),
        other => panic!("stablehlo_current_version: {other:?} (all: {attributes:?})"),
    }
    assert!(matches!(get("stablehlo_minimum_version"), Some(Value::Int64List(_))), "{attributes:?}");
}

#[test]
fn the_client_describes_its_platform_devices_and_memories() {
    let client = Client::new(cpu_plugin()).unwrap();
    assert_eq!(client.platform_name().unwrap(), "cpu");
    assert!(!client.platform_version().unwrap().is_empty());
    let devices = client.addressable_devices().unwrap();
    assert!(!devices.is_empty());
    let mut ids: Vec<i32> = devices.iter().map(|d| d.id().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, (0..devices.len() as i32).collect::<Vec<_>>(), "device ids are 0..n");
    for device in &devices {
        assert_eq!(device.kind().unwrap(), "cpu");
        let attributes = device.attributes().unwrap();
        for (name, _) in &attributes {
            assert!(!name.is_empty());
        }
        let kinds = device.memory_kinds().unwrap();
        assert!(!kinds.is_empty(), "a CPU device addresses at least one memory");
    }
}

#[test]
fn a_text_program_compiles_runs_and_describes_itself() {
    let client = Client::new(cpu_plugin()).unwrap();
    let device = client.addressable_devices().unwrap()[0];
    let executable =
        client.compile(programs::ADD_F32_4.as_bytes(), "mlir", pjrt::SINGLE_DEVICE_COMPILE_OPTIONS).unwrap();
    assert!(!executable.name().unwrap().is_empty());
    assert_eq!(executable.num_outputs().unwrap(), 1);
    assert_eq!(executable.output_element_types().unwrap(), [PJRT_Buffer_Type::PJRT_Buffer_Type_F32]);
    assert_eq!(executable.output_dimensions().unwrap(), [vec![4]]);
    let fingerprint = executable.fingerprint().unwrap();
    assert!(!fingerprint.is_empty());

    let a = f32_buffer(&client, &device, &[1.0, 2.0, 3.0, 4.0]);
    let b = f32_buffer(&client, &device, &[10.0, 20.0, 30.0, 40.0]);
    let out = executable.execute_on(&device, &[&a, &b], &[]).unwrap();
    assert_eq!(f32s(&out[0].to_host().unwrap()), [11.0, 22.0, 33.0, 44.0]);

    // Serialized and loaded back, it computes the same.
    let bytes = executable.serialize().unwrap();
    assert!(bytes.len() > 100, "{} bytes", bytes.len());
    let loaded = client.deserialize(&bytes).unwrap();
    let out = loaded.execute_on(&device, &[&a, &b], &[]).unwrap();
    assert_eq!(f32s(&out[0].to_host().unwrap()), [11.0, 22.0, 33.0, 44.0]);

    let (format, program) = executable.optimized_program().unwrap();
    assert_eq!(format, "hlo_with_config");
    assert!(program.len() > 50, "{} bytes", program.len());
}

/// Element types of the CPU plugin, their MLIR spelling, and sample values as bytes.
fn element_types() -> Vec<(PJRT_Buffer_Type, &'static str, Vec<u8>)> {
    use PJRT_Buffer_Type as T;
    let bytes =
        |values: &[f64], encode: fn(f64) -> Vec<u8>| values.iter().flat_map(|v| encode(*v)).collect::<Vec<u8>>();
    let six = [1.0, -2.0, 3.5, 0.0, 100.0, -0.25];
    let ints = [1.0, -2.0, 3.0, 0.0, 100.0, -7.0];
    let uints = [1.0, 2.0, 3.0, 0.0, 100.0, 255.0];
    vec![
        (T::PJRT_Buffer_Type_PRED, "i1", vec![1, 0, 1, 1, 0, 0]),
        (T::PJRT_Buffer_Type_S8, "i8", bytes(&ints, |v| (v as i8).to_le_bytes().to_vec())),
        (T::PJRT_Buffer_Type_S16, "i16", bytes(&ints, |v| (v as i16).to_le_bytes().to_vec())),
        (T::PJRT_Buffer_Type_S32, "i32", bytes(&ints, |v| (v as i32).to_le_bytes().to_vec())),
        (T::PJRT_Buffer_Type_S64, "i64", bytes(&ints, |v| (v as i64).to_le_bytes().to_vec())),
        (T::PJRT_Buffer_Type_U8, "ui8", bytes(&uints, |v| (v as u8).to_le_bytes().to_vec())),
        (T::PJRT_Buffer_Type_U16, "ui16", bytes(&uints, |v| (v as u16).to_le_bytes().to_vec())),
        (T::PJRT_Buffer_Type_U32, "ui32", bytes(&uints, |v| (v as u32).to_le_bytes().to_vec())),
        (T::PJRT_Buffer_Type_U64, "ui64", bytes(&uints, |v| (v as u64).to_le_bytes().to_vec())),
        // f16 and bf16 bit patterns of the same six values.
        (
            T::PJRT_Buffer_Type_F16,
            "f16",
            [0x3c00u16, 0xc000, 0x4300, 0x0000, 0x5640, 0xb400].iter().flat_map(|v| v.to_le_bytes()).collect(),
        ),
        (
            T::PJRT_Buffer_Type_BF16,
            "bf16",
            [0x3f80u16, 0xc000, 0x4060, 0x0000, 0x42c8, 0xbe80].iter().flat_map(|v| v.to_le_bytes()).collect(),
        ),
        (T::PJRT_Buffer_Type_F32, "f32", bytes(&six, |v| (v as f32).to_le_bytes().to_vec())),
        (T::PJRT_Buffer_Type_F64, "f64", bytes(&six, |v| v.to_le_bytes().to_vec())),
        (
            T::PJRT_Buffer_Type_C64,
            "complex<f32>",
            bytes(&six, |v| [(v as f32).to_le_bytes(), (-v as f32).to_le_bytes()].concat()),
        ),
        (T::PJRT_Buffer_Type_C128, "complex<f64>", bytes(&six, |v| [v.to_le_bytes(), (-v).to_le_bytes()].concat())),
    ]
}

#[test]
fn every_cpu_element_type_goes_to_the_device_through_a_program_and_back() {
    let client = Client::new(cpu_plugin()).unwrap();
    let devices = client.addressable_devices().unwrap();
    let (device, other) = (devices[0], devices[devices.len() - 1]);
    for (ty, mlir, host) in element_types() {
        let size = element_size(ty).unwrap();
        assert_eq!(host.len(), 6 * size, "{mlir}: test data");
        let buffer = client.buffer_from_host(&host, ty, &[2, 3], &device).unwrap();
        assert_eq!(buffer.element_type().unwrap(), ty, "{mlir}");
        assert_eq!(buffer.dimensions().unwrap(), [2, 3], "{mlir}");
        assert!(buffer.on_device_size().unwrap() >= 6 * size, "{mlir}");
        assert_eq!(buffer.to_host().unwrap(), host, "{mlir}: host → device → host");

        let executable = client
            .compile(programs::identity(mlir).as_bytes(), "mlir", pjrt::SINGLE_DEVICE_COMPILE_OPTIONS)
            .unwrap_or_else(|e| panic!("{mlir}: {e}"));
        assert_eq!(executable.output_element_types().unwrap(), [ty], "{mlir}");
        let out = executable.execute_on(&device, &[&buffer], &[]).unwrap();
        assert_eq!(out[0].to_host().unwrap(), host, "{mlir}: through an execution");

        let copy = buffer.copy_to(&other).unwrap();
        assert_eq!(copy.to_host().unwrap(), host, "{mlir}: device → device");
        buffer.delete().unwrap();
        assert!(buffer.is_deleted().unwrap(), "{mlir}");
        assert!(!copy.is_deleted().unwrap(), "{mlir}: the copy lives on");
    }
}

#[test]
fn a_donated_argument_is_consumed_and_a_kept_one_is_not() {
    let client = Client::new(cpu_plugin()).unwrap();
    let device = client.addressable_devices().unwrap()[0];
    let aliasing = r#"
func.func @main(%x: tensor<4xf32> {tf.aliasing_output = 0 : i32}) -> tensor<4xf32> {
  %0 = stablehlo.add %x, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}"#;
    let executable = client.compile(aliasing.as_bytes(), "mlir", pjrt::SINGLE_DEVICE_COMPILE_OPTIONS).unwrap();
    let kept = f32_buffer(&client, &device, &[1.0, 2.0, 3.0, 4.0]);
    let out = executable.execute_on(&device, &[&kept], &[]).unwrap();
    assert_eq!(f32s(&out[0].to_host().unwrap()), [2.0, 4.0, 6.0, 8.0]);
    assert!(!kept.is_deleted().unwrap(), "a non-donated argument survives");
    let donated = f32_buffer(&client, &device, &[1.0, 2.0, 3.0, 4.0]);
    let out = executable.execute_on(&device, &[&donated], &[0]).unwrap();
    assert_eq!(f32s(&out[0].to_host().unwrap()), [2.0, 4.0, 6.0, 8.0]);
    assert!(donated.is_deleted().unwrap(), "a donated argument is consumed");
}

#[test]
fn events_are_awaited_and_call_back_when_ready() {
    let client = Client::new(cpu_plugin()).unwrap();
    let device = client.addressable_devices().unwrap()[0];
    let buffer = f32_buffer(&client, &device, &[1.0, 2.0, 3.0, 4.0]);
    buffer.ready_event().unwrap().wait().unwrap();
    let event = buffer.ready_event().unwrap();
    let (sender, receiver) = mpsc::channel();
    event.on_ready(move |outcome| sender.send(outcome).unwrap()).unwrap();
    let outcome = receiver.recv_timeout(Duration::from_secs(30)).expect("the on-ready callback ran");
    assert!(outcome.is_ok(), "{outcome:?}");
}

#[test]
fn an_execution_with_several_outputs_returns_each() {
    let client = Client::new(cpu_plugin()).unwrap();
    let device = client.addressable_devices().unwrap()[0];
    let executable =
        client.compile(programs::THREE_OUTPUTS.as_bytes(), "mlir", pjrt::SINGLE_DEVICE_COMPILE_OPTIONS).unwrap();
    use PJRT_Buffer_Type as T;
    assert_eq!(
        executable.output_element_types().unwrap(),
        [T::PJRT_Buffer_Type_F32, T::PJRT_Buffer_Type_F32, T::PJRT_Buffer_Type_PRED]
    );
    assert_eq!(executable.output_dimensions().unwrap(), [vec![2, 2], vec![], vec![2, 2]]);
    let a =
        client.buffer_from_host(&bytes_of(&[1.0, 5.0, 3.0, 4.0]), T::PJRT_Buffer_Type_F32, &[2, 2], &device).unwrap();
    let b =
        client.buffer_from_host(&bytes_of(&[2.0, 2.0, 3.0, 8.0]), T::PJRT_Buffer_Type_F32, &[2, 2], &device).unwrap();
    let out = executable.execute_on(&device, &[&a, &b], &[]).unwrap();
    assert_eq!(out.len(), 3);
    assert_eq!(f32s(&out[0].to_host().unwrap()), [3.0, 7.0, 6.0, 12.0]);
    assert_eq!(f32s(&out[1].to_host().unwrap()), [2.0 + 10.0 + 9.0 + 32.0]);
    assert_eq!(out[2].to_host().unwrap(), [1, 0, 0, 1]);
}

#[test]
fn wrong_arguments_and_bad_programs_are_plugin_errors_not_crashes() {
    let client = Client::new(cpu_plugin()).unwrap();
    let device = client.addressable_devices().unwrap()[0];
    let executable =
        client.compile(programs::ADD_F32_4.as_bytes(), "mlir", pjrt::SINGLE_DEVICE_COMPILE_OPTIONS).unwrap();
    let a = f32_buffer(&client, &device, &[1.0, 2.0, 3.0, 4.0]);

    let count = executable.execute_on(&device, &[&a], &[]).err().expect("one argument of two is refused");
    assert_eq!(count.code, PJRT_Error_Code::PJRT_Error_Code_INVALID_ARGUMENT, "{count}");
    assert!(count.message.contains("argument"), "{count}");

    let wrong_shape = client
        .buffer_from_host(&bytes_of(&[1.0, 2.0, 3.0]), PJRT_Buffer_Type::PJRT_Buffer_Type_F32, &[3], &device)
        .unwrap();
    let shape = executable.execute_on(&device, &[&a, &wrong_shape], &[]).err().expect("f32[3] for f32[4] is refused");
    assert_eq!(shape.code, PJRT_Error_Code::PJRT_Error_Code_INVALID_ARGUMENT, "{shape}");
    assert!(!shape.message.is_empty());

    let parse = client
        .compile(b"func.func @main( this is not MLIR", "mlir", pjrt::SINGLE_DEVICE_COMPILE_OPTIONS)
        .err()
        .unwrap();
    assert!(!parse.message.is_empty(), "{parse}");
}

fn bytes_of(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect()
}

fn f32_buffer(client: &Client, device: &pjrt::Device, values: &[f32]) -> pjrt::Buffer {
    client
        .buffer_from_host(&bytes_of(values), PJRT_Buffer_Type::PJRT_Buffer_Type_F32, &[values.len() as i64], device)
        .unwrap()
}
