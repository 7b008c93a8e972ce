//! A plugin of an older minor version (OpenXLA's xla-cpu-pjrt 0.0.1, PJRT C API 0.81) through the
//! same bindings: its smaller `PJRT_Api` is read only as far as it reaches. Its own process: two
//! CPU plugins in one process would share LLVM's global state.

use pjrt_sys::*;
use xla_test_support::fixtures;
use xla_test_support::pjrt::{self, Client};
use xla_test_support::programs;

#[test]
fn an_api_0_81_plugin_loads_runs_and_reports_newer_functions_absent() {
    let plugin = Plugin::load(fixtures::artifact("pjrt-cpu-api-0-81")).unwrap();
    assert_eq!(plugin.version(), ApiVersion { major: 0, minor: 81 });
    let size = plugin.api().struct_size();
    assert!(size < PJRT_Api_STRUCT_SIZE, "an older plugin has a smaller PJRT_Api ({size} bytes)");

    // Some functions of 0.115 lie past a 0.81 table: they are absent, never read.
    let all = Versioned::<PJRT_Api>::FUNCTIONS;
    let present: Vec<&str> = plugin.api().present(all).collect();
    assert!(present.len() < all.len(), "0.81 lacks some functions of 0.115");
    assert!(present.contains(&"PJRT_Client_Create") && present.contains(&"PJRT_LoadedExecutable_Execute"));
    let (last, offset) = *all.last().unwrap();
    assert_eq!(last, "PJRT_TopologyDescription_GetMemorySpaceKindIds");
    assert!(offset + size_of::<usize>() > size, "the newest function lies past the 0.81 table");
    assert!(plugin.api().PJRT_TopologyDescription_GetMemorySpaceKindIds().is_none(), "absent, not read");
    assert!(plugin.api().PJRT_Client_Create().is_some());
    let missing =
        xla_test_support::pjrt::call!(plugin, PJRT_TopologyDescription_GetMemorySpaceKindIds, std::ptr::null_mut())
            .unwrap_err();
    assert_eq!(missing.code, PJRT_Error_Code::PJRT_Error_Code_UNIMPLEMENTED);

    // The same program, through the same driver, gives the same numbers.
    let client = Client::new(plugin).unwrap();
    let device = client.addressable_devices().unwrap()[0];
    let executable =
        client.compile(programs::ADD_F32_4.as_bytes(), "mlir", pjrt::SINGLE_DEVICE_COMPILE_OPTIONS).unwrap();
    let bytes = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let ty = PJRT_Buffer_Type::PJRT_Buffer_Type_F32;
    let a = client.buffer_from_host(&bytes(&[1.0, 2.0, 3.0, 4.0]), ty, &[4], &device).unwrap();
    let b = client.buffer_from_host(&bytes(&[10.0, 20.0, 30.0, 40.0]), ty, &[4], &device).unwrap();
    let out = executable.execute_on(&device, &[&a, &b], &[]).unwrap();
    assert_eq!(out[0].to_host().unwrap(), bytes(&[11.0, 22.0, 33.0, 44.0]));
}
