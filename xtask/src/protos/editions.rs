//! Protobuf editions, lowered to what prost-build understands.
//!
//! Some of XLA's schemas use `edition = "2023"` instead of `syntax = "proto2"/"proto3"`. prost-build
//! 0.14 knows only the two syntaxes (it panics on "editions"), and prost-types drops the `features`
//! that carry an edition's meaning. In prost's code, the syntax decides exactly two things: whether
//! a singular scalar field is an `Option` (explicit presence), and whether a repeated scalar field
//! is packed by default. Both are per-field properties in proto3 too (`proto3_optional`, `packed`),
//! so an edition-2023 file becomes a proto3 file with each field's resolved features spelled out.
//!
//! The features are read from the serialized descriptor itself: the file's, then each enclosing
//! message's, oneof's and the field's own, later ones overriding earlier ones. Features that prost
//! cannot express (no UTF-8 validation of strings, delimited message encoding) and editions other
//! than 2023 are errors: generating code that would decode differently from the schema is worse
//! than generating none.
//!
//! Self-contained (std, prost, prost-types), like `extract.rs`.

use std::fmt;

use prost::Message as _;
use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorProto, field_descriptor_proto};

/// `Edition.EDITION_2023` of descriptor.proto.
pub const EDITION_2023: i32 = 1000;

/// Why an edition file cannot be lowered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoweringError {
    /// The bytes do not decode as the descriptor they came with.
    Malformed {
        /// The file.
        file: String,
        /// prost's message.
        reason: String,
    },
    /// An edition this lowering does not know (its defaults may differ from 2023's).
    UnknownEdition {
        /// The file.
        file: String,
        /// The `Edition` enum value found.
        edition: i32,
    },
    /// A feature prost's code cannot honour.
    Unsupported {
        /// The file.
        file: String,
        /// The field, fully qualified.
        field: String,
        /// The feature and value.
        feature: &'static str,
    },
}

impl fmt::Display for LoweringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed { file, reason } => write!(f, "{file}: the descriptor's bytes do not decode: {reason}"),
            Self::UnknownEdition { file, edition } => write!(
                f,
                "{file} uses edition {edition}; expected edition 2023 ({EDITION_2023}), the only one whose defaults \
                 editions.rs knows: teach it the new edition's defaults"
            ),
            Self::Unsupported { file, field, feature } => {
                write!(f, "{file}: field {field} has feature {feature}, which prost's generated code cannot honour")
            }
        }
    }
}

impl std::error::Error for LoweringError {}

/// `descriptor` as prost-build should see it: unchanged for proto2 and proto3 files; for an
/// editions file (whose serialization is `bytes`), proto3 with every field's features explicit.
pub fn lower(descriptor: &FileDescriptorProto, bytes: &[u8]) -> Result<FileDescriptorProto, LoweringError> {
    if descriptor.syntax() != "editions" {
        return Ok(descriptor.clone());
    }
    let file = descriptor.name().to_owned();
    let raw =
        raw::File::decode(bytes).map_err(|e| LoweringError::Malformed { file: file.clone(), reason: e.to_string() })?;
    let edition = raw.edition.unwrap_or_default();
    if edition != EDITION_2023 {
        return Err(LoweringError::UnknownEdition { file, edition });
    }
    let file_features = Features::EDITION_2023.with(raw.options.and_then(|o| o.features));
    let mut lowered = descriptor.clone();
    lowered.syntax = Some("proto3".into());
    let scope = format!(".{}", descriptor.package());
    for (message, raw) in lowered.message_type.iter_mut().zip(&raw.message_type) {
        lower_message(&file, &scope, message, raw, file_features)?;
    }
    Ok(lowered)
}

fn lower_message(
    file: &str,
    scope: &str,
    message: &mut DescriptorProto,
    raw: &raw::Message,
    inherited: Features,
) -> Result<(), LoweringError> {
    let name = format!("{scope}.{}", message.name());
    let features = inherited.with(raw.options.and_then(|o| o.features));
    for (field, raw_field) in message.field.iter_mut().zip(&raw.field) {
        let oneof = field.oneof_index.and_then(|i| raw.oneof_decl.get(i as usize));
        let features = features
            .with(oneof.and_then(|o| o.options.and_then(|o| o.features)))
            .with(raw_field.options.and_then(|o| o.features));
        lower_field(file, &name, field, features)?;
    }
    for (nested, raw_nested) in message.nested_type.iter_mut().zip(&raw.nested_type) {
        lower_message(file, &name, nested, raw_nested, features)?;
    }
    Ok(())
}

fn lower_field(
    file: &str,
    message: &str,
    field: &mut FieldDescriptorProto,
    features: Features,
) -> Result<(), LoweringError> {
    use field_descriptor_proto::{Label, Type};
    let unsupported = |feature| LoweringError::Unsupported {
        file: file.into(),
        field: format!("{message}.{}", field.name()),
        feature,
    };
    if field.r#type() == Type::String && features.utf8_validation == raw::UTF8_VALIDATION_NONE {
        return Err(unsupported("utf8_validation = NONE"));
    }
    if field.r#type() == Type::Message && features.message_encoding == raw::MESSAGE_ENCODING_DELIMITED {
        return Err(unsupported("message_encoding = DELIMITED"));
    }
    let scalar = !matches!(field.r#type(), Type::Message | Type::Group);
    match field.label() {
        Label::Repeated => {
            if scalar && !matches!(field.r#type(), Type::String | Type::Bytes) {
                let packed = features.repeated_field_encoding != raw::REPEATED_FIELD_ENCODING_EXPANDED;
                field.options.get_or_insert_with(Default::default).packed = Some(packed);
            }
        }
        Label::Optional | Label::Required => match features.field_presence {
            raw::FIELD_PRESENCE_LEGACY_REQUIRED => field.label = Some(Label::Required as i32),
            // In a oneof, presence is the oneof's: proto3 needs nothing more.
            raw::FIELD_PRESENCE_EXPLICIT if scalar && field.oneof_index.is_none() => field.proto3_optional = Some(true),
            _ => {}
        },
    }
    Ok(())
}

/// The features that change prost's code, resolved for one element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Features {
    field_presence: i32,
    repeated_field_encoding: i32,
    utf8_validation: i32,
    message_encoding: i32,
}

impl Features {
    /// Edition 2023's defaults (descriptor.proto's `edition_defaults`).
    const EDITION_2023: Self = Self {
        field_presence: raw::FIELD_PRESENCE_EXPLICIT,
        repeated_field_encoding: raw::REPEATED_FIELD_ENCODING_PACKED,
        utf8_validation: raw::UTF8_VALIDATION_VERIFY,
        message_encoding: raw::MESSAGE_ENCODING_LENGTH_PREFIXED,
    };

    /// These features, overridden by what `set` sets.
    fn with(self, set: Option<raw::FeatureSet>) -> Self {
        let Some(set) = set else { return self };
        Self {
            field_presence: set.field_presence.unwrap_or(self.field_presence),
            repeated_field_encoding: set.repeated_field_encoding.unwrap_or(self.repeated_field_encoding),
            utf8_validation: set.utf8_validation.unwrap_or(self.utf8_validation),
            message_encoding: set.message_encoding.unwrap_or(self.message_encoding),
        }
    }
}

/// The parts of descriptor.proto that carry editions' features, which prost-types 0.14 lacks.
/// Field numbers are descriptor.proto's; every other field is skipped when decoding.
mod raw {
    pub const FIELD_PRESENCE_EXPLICIT: i32 = 1;
    pub const FIELD_PRESENCE_LEGACY_REQUIRED: i32 = 3;
    pub const REPEATED_FIELD_ENCODING_PACKED: i32 = 1;
    pub const REPEATED_FIELD_ENCODING_EXPANDED: i32 = 2;
    pub const UTF8_VALIDATION_VERIFY: i32 = 2;
    pub const UTF8_VALIDATION_NONE: i32 = 3;
    pub const MESSAGE_ENCODING_LENGTH_PREFIXED: i32 = 1;
    pub const MESSAGE_ENCODING_DELIMITED: i32 = 2;

    /// `FileDescriptorProto`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct File {
        #[prost(message, repeated, tag = "4")]
        pub message_type: Vec<Message>,
        #[prost(message, optional, tag = "8")]
        pub options: Option<FileOptions>,
        #[prost(int32, optional, tag = "14")]
        pub edition: Option<i32>,
    }

    /// `FileOptions`.
    #[derive(Clone, Copy, PartialEq, prost::Message)]
    pub struct FileOptions {
        #[prost(message, optional, tag = "50")]
        pub features: Option<FeatureSet>,
    }

    /// `DescriptorProto`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Message {
        #[prost(message, repeated, tag = "2")]
        pub field: Vec<Field>,
        #[prost(message, repeated, tag = "3")]
        pub nested_type: Vec<Message>,
        #[prost(message, optional, tag = "7")]
        pub options: Option<MessageOptions>,
        #[prost(message, repeated, tag = "8")]
        pub oneof_decl: Vec<Oneof>,
    }

    /// `MessageOptions`.
    #[derive(Clone, Copy, PartialEq, prost::Message)]
    pub struct MessageOptions {
        #[prost(message, optional, tag = "12")]
        pub features: Option<FeatureSet>,
    }

    /// `FieldDescriptorProto`.
    #[derive(Clone, Copy, PartialEq, prost::Message)]
    pub struct Field {
        #[prost(message, optional, tag = "8")]
        pub options: Option<FieldOptions>,
    }

    /// `FieldOptions`.
    #[derive(Clone, Copy, PartialEq, prost::Message)]
    pub struct FieldOptions {
        #[prost(message, optional, tag = "21")]
        pub features: Option<FeatureSet>,
    }

    /// `OneofDescriptorProto`.
    #[derive(Clone, Copy, PartialEq, prost::Message)]
    pub struct Oneof {
        #[prost(message, optional, tag = "2")]
        pub options: Option<OneofOptions>,
    }

    /// `OneofOptions`.
    #[derive(Clone, Copy, PartialEq, prost::Message)]
    pub struct OneofOptions {
        #[prost(message, optional, tag = "1")]
        pub features: Option<FeatureSet>,
    }

    /// `FeatureSet`: the features that change prost's code.
    #[derive(Clone, Copy, PartialEq, prost::Message)]
    pub struct FeatureSet {
        #[prost(int32, optional, tag = "1")]
        pub field_presence: Option<i32>,
        #[prost(int32, optional, tag = "3")]
        pub repeated_field_encoding: Option<i32>,
        #[prost(int32, optional, tag = "4")]
        pub utf8_validation: Option<i32>,
        #[prost(int32, optional, tag = "5")]
        pub message_encoding: Option<i32>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use field_descriptor_proto::{Label, Type};

    /// What a serializer with editions support writes: descriptor.proto's fields, features included.
    mod written {
        use super::raw;

        #[derive(Clone, PartialEq, prost::Message)]
        pub struct File {
            #[prost(string, tag = "1")]
            pub name: String,
            #[prost(string, tag = "2")]
            pub package: String,
            #[prost(message, repeated, tag = "4")]
            pub message_type: Vec<Message>,
            #[prost(message, optional, tag = "8")]
            pub options: Option<raw::FileOptions>,
            #[prost(string, tag = "12")]
            pub syntax: String,
            #[prost(int32, tag = "14")]
            pub edition: i32,
        }

        #[derive(Clone, PartialEq, prost::Message)]
        pub struct Message {
            #[prost(string, tag = "1")]
            pub name: String,
            #[prost(message, repeated, tag = "2")]
            pub field: Vec<Field>,
        }

        #[derive(Clone, PartialEq, prost::Message)]
        pub struct Field {
            #[prost(string, tag = "1")]
            pub name: String,
            #[prost(int32, tag = "3")]
            pub number: i32,
            #[prost(int32, tag = "4")]
            pub label: i32,
            #[prost(int32, tag = "5")]
            pub r#type: i32,
            #[prost(message, optional, tag = "8")]
            pub options: Option<raw::FieldOptions>,
        }
    }

    /// An editions file `e.proto` with four fields of message `e.M` (an int64, a string, a repeated
    /// int32, a message), the file's presence feature, and some fields' features.
    fn edition_file(
        edition: i32,
        file_presence: Option<i32>,
        field_features: &[(usize, raw::FeatureSet)],
    ) -> (FileDescriptorProto, Vec<u8>) {
        let types = [
            (Label::Optional, Type::Int64),
            (Label::Optional, Type::String),
            (Label::Repeated, Type::Int32),
            (Label::Optional, Type::Message),
        ];
        let field = types
            .iter()
            .enumerate()
            .map(|(i, (label, r#type))| written::Field {
                name: format!("f{i}"),
                number: i as i32 + 1,
                label: *label as i32,
                r#type: *r#type as i32,
                options: field_features
                    .iter()
                    .find(|(index, _)| *index == i)
                    .map(|(_, features)| raw::FieldOptions { features: Some(*features) }),
            })
            .collect();
        let file = written::File {
            name: "e.proto".into(),
            package: "e".into(),
            message_type: vec![written::Message { name: "M".into(), field }],
            options: file_presence.map(|p| raw::FileOptions {
                features: Some(raw::FeatureSet { field_presence: Some(p), ..Default::default() }),
            }),
            syntax: "editions".into(),
            edition,
        };
        let bytes = file.encode_to_vec();
        (FileDescriptorProto::decode(&bytes[..]).unwrap(), bytes)
    }

    #[test]
    fn edition_2023_defaults_are_explicit_presence_and_packed() {
        let (descriptor, bytes) = edition_file(EDITION_2023, None, &[]);
        let lowered = lower(&descriptor, &bytes).unwrap();
        assert_eq!(lowered.syntax(), "proto3");
        let fields = &lowered.message_type[0].field;
        assert_eq!(fields[0].proto3_optional, Some(true));
        assert_eq!(fields[1].proto3_optional, Some(true));
        assert_eq!(fields[2].options.as_ref().and_then(|o| o.packed), Some(true));
        // Messages always have presence; nothing to spell out.
        assert_eq!(fields[3].proto3_optional, None);
    }

    #[test]
    fn file_and_field_features_override_the_defaults_in_order() {
        let implicit = raw::FIELD_PRESENCE_EXPLICIT + 1;
        let field_features = [
            (0, raw::FeatureSet { field_presence: Some(raw::FIELD_PRESENCE_EXPLICIT), ..Default::default() }),
            (
                2,
                raw::FeatureSet {
                    repeated_field_encoding: Some(raw::REPEATED_FIELD_ENCODING_EXPANDED),
                    ..Default::default()
                },
            ),
        ];
        let (descriptor, bytes) = edition_file(EDITION_2023, Some(implicit), &field_features);
        let fields = lower(&descriptor, &bytes).unwrap().message_type[0].field.clone();
        // The field's own feature beats the file's.
        assert_eq!(fields[0].proto3_optional, Some(true));
        // The file's beats the edition's default.
        assert_eq!(fields[1].proto3_optional, None);
        assert_eq!(fields[2].options.as_ref().and_then(|o| o.packed), Some(false));
    }

    #[test]
    fn features_prost_cannot_honour_are_errors() {
        let no_utf8 = raw::FeatureSet { utf8_validation: Some(raw::UTF8_VALIDATION_NONE), ..Default::default() };
        let (descriptor, bytes) = edition_file(EDITION_2023, None, &[(1, no_utf8)]);
        let error = lower(&descriptor, &bytes).unwrap_err();
        assert_eq!(
            error,
            LoweringError::Unsupported {
                file: "e.proto".into(),
                field: ".e.M.f1".into(),
                feature: "utf8_validation = NONE"
            }
        );
    }

    #[test]
    fn other_editions_are_errors_and_other_syntaxes_pass_unchanged() {
        let (descriptor, bytes) = edition_file(1001, None, &[]);
        assert_eq!(
            lower(&descriptor, &bytes),
            Err(LoweringError::UnknownEdition { file: "e.proto".into(), edition: 1001 })
        );

        let proto3 = FileDescriptorProto { syntax: Some("proto3".into()), ..descriptor };
        assert_eq!(lower(&proto3, &[]).unwrap(), proto3);
    }
}
