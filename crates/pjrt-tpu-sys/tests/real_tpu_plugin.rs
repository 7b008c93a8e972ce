//! The release set's TPU plugin (libtpu), as this crate resolved it. It loads and reports its
//! version anywhere; a client is never created here (without a TPU it blocks for minutes).
//!
//! libtpu's `PJRT_Plugin_Initialize` asks the cloud metadata server about the machine, retrying for
//! about ten minutes when the server refuses (as this network's proxy does);
//! `TPU_SKIP_MDS_QUERY=1` tells it not to ask, which is right on a machine that is no TPU VM.

use pjrt_sys::ApiVersion;

#[test]
fn loads_and_reports_the_release_sets_api_version() {
    // SAFETY: the only test of this binary; nothing else reads the environment yet.
    unsafe { std::env::set_var("TPU_SKIP_MDS_QUERY", "1") };
    let path = pjrt_tpu_sys::build_time_path().expect("the build resolved the plugin");
    assert!(path.ends_with("libtpu/libtpu.so"), "{}", path.display());
    let plugin = pjrt_tpu_sys::load().unwrap();
    assert_eq!(plugin.version(), ApiVersion { major: 0, minor: 115 });
    assert!(plugin.api().PJRT_Client_Create().is_some());
}
