//! Encode/decode round trips of XLA's large messages as property tests. The inputs are random wire
//! bytes that follow the schemas the release set's CPU plugin embeds (read from the plugin at run
//! time, as `cargo xtask protos` reads them): each must decode, encode, and decode to the same
//! value, and the bytes prost writes must mean what the input meant, field for field: a field the
//! generated code lacked or typed differently would be lost or refused. Needs the `pjrt-cpu`
//! artifact.

#[path = "../../../../xtask/src/protos/editions.rs"]
mod editions;
#[path = "../../../../xtask/src/protos/extract.rs"]
mod extract;
mod wire;

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use xla_protos::prost::{Message, Name};
use xla_protos::xla;
use xla_test_support::fixtures;

/// The release set's schemas, as prost-build saw them.
fn schema() -> &'static Arc<wire::Schema> {
    static SCHEMA: OnceLock<Arc<wire::Schema>> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let binary = std::fs::read(fixtures::artifact("pjrt-cpu")).unwrap();
        let embedded = extract::embedded_files(&binary);
        assert_eq!(embedded.conflicts, []);
        let files = embedded.files;
        let lowered: Vec<_> = files.values().map(|f| editions::lower(&f.descriptor, &f.bytes).unwrap()).collect();
        wire::Schema::new(&lowered)
    })
}

/// Random encodings of `T`, nesting messages at most `depth` deep.
fn encodings<T: Name>(depth: u32) -> SBoxedStrategy<Vec<u8>> {
    wire::message(schema(), &format!(".{}", T::full_name()), depth)
}

/// `bytes` decode as `T`, survive an encode/decode round trip, and keep their meaning.
fn round_trip<T: Message + Default + PartialEq + Debug + Name>(bytes: &[u8]) -> Result<(), TestCaseError> {
    let name = format!(".{}", T::full_name());
    let decoded = T::decode(bytes).map_err(|e| TestCaseError::fail(format!("{name} refuses valid bytes: {e}")))?;
    let encoded = decoded.encode_to_vec();
    prop_assert_eq!(&T::decode(&encoded[..]).unwrap(), &decoded);
    let meant = wire::canonical(schema(), &name, bytes).map_err(TestCaseError::fail)?;
    let kept = wire::canonical(schema(), &name, &encoded).map_err(TestCaseError::fail)?;
    let changed: Vec<_> = meant
        .keys()
        .chain(kept.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|n| meant.get(n) != kept.get(n))
        .map(|n| format!("field {n}: {:?} became {:?}", meant.get(n), kept.get(n)))
        .collect();
    prop_assert!(changed.is_empty(), "{} lost or changed fields: {:#?}", name, changed);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn real_debug_options_round_trip(bytes in encodings::<xla::DebugOptions>(2)) {
        round_trip::<xla::DebugOptions>(&bytes)?;
    }

    #[test]
    fn real_hlo_module_round_trips(bytes in encodings::<xla::HloModuleProto>(4)) {
        round_trip::<xla::HloModuleProto>(&bytes)?;
    }

    #[test]
    fn real_hlo_module_with_config_round_trips(bytes in encodings::<xla::HloModuleProtoWithConfig>(4)) {
        round_trip::<xla::HloModuleProtoWithConfig>(&bytes)?;
    }

    #[test]
    fn real_compile_options_round_trip(bytes in encodings::<xla::CompileOptionsProto>(4)) {
        round_trip::<xla::CompileOptionsProto>(&bytes)?;
    }
}

/// Samples of `T`'s encodings.
fn samples<T: Name>(depth: u32, count: usize) -> Vec<Vec<u8>> {
    let strategy = encodings::<T>(depth);
    let mut runner = TestRunner::deterministic();
    (0..count).map(|_| strategy.new_tree(&mut runner).unwrap().current()).collect()
}

#[test]
fn real_generated_inputs_cover_every_field_of_debug_options() {
    // The property tests prove little about fields the generator never writes.
    let name = format!(".{}", xla::DebugOptions::full_name());
    let mut seen = BTreeSet::new();
    for bytes in samples::<xla::DebugOptions>(2, 200) {
        seen.extend(wire::canonical(schema(), &name, &bytes).unwrap().into_keys());
    }
    let all = schema().field_numbers(&name);
    let never: Vec<_> = all.difference(&seen).collect();
    assert!(never.is_empty(), "fields of DebugOptions never generated: {never:?}");
}

#[test]
fn real_the_round_trip_check_sees_a_lost_field() {
    // A build of the messages that lacked a field would drop it on decode: simulate that by
    // clearing one, and the comparison must tell.
    for bytes in samples::<xla::CompileOptionsProto>(4, 50) {
        let mut decoded = xla::CompileOptionsProto::decode(&bytes[..]).unwrap();
        let Some(build) = decoded.executable_build_options.as_mut() else { continue };
        if build.num_replicas == 0 {
            continue;
        }
        build.num_replicas = 0;
        let name = format!(".{}", xla::CompileOptionsProto::full_name());
        let meant = wire::canonical(schema(), &name, &bytes).unwrap();
        assert_ne!(meant, wire::canonical(schema(), &name, &decoded.encode_to_vec()).unwrap());
        return;
    }
    panic!("no sample set executable_build_options.num_replicas");
}
