//! The release set's TPU plugin (libtpu), as this crate resolved it. It loads and reports its
//! version anywhere; a client is never created here (without a TPU it blocks for minutes).

use pjrt_sys::ApiVersion;

#[test]
fn loads_and_reports_the_release_sets_api_version() {
    let path = pjrt_tpu_sys::build_time_path().expect("the build resolved the plugin");
    assert!(path.ends_with("libtpu/libtpu.so"), "{}", path.display());
    let plugin = pjrt_tpu_sys::load().unwrap();
    assert_eq!(plugin.version(), ApiVersion { major: 0, minor: 115 });
    assert!(plugin.api().PJRT_Client_Create().is_some());
}
