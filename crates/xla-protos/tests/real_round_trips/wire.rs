//! Any message of a descriptor set as random wire bytes (a proptest strategy), and the canonical
//! form of wire bytes: what a message means, whatever the field order, packing or defaults.
//!
//! The generator follows the schema only: every field it writes is the schema's, with a value of
//! the schema's type; fields come in random order, repeated scalars packed or not, oneofs with at
//! most one member. What decodes such bytes must keep all of it, which the canonical form checks.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use prost::encoding::{WireType, decode_varint, encode_varint};
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorProto};

/// The chance that a singular field (or a oneof) is written.
const PRESENT: f64 = 0.3;
/// The most elements of a repeated field.
const MAX_REPEATED: usize = 3;

/// Every message of a descriptor set, by full name (`.xla.DebugOptions`).
pub struct Schema {
    messages: HashMap<String, Message>,
    /// Strategies built so far, by message and depth (messages nest the same types often).
    strategies: Mutex<HashMap<(String, u32), Encodings>>,
}

/// Random encodings of one message.
type Encodings = SBoxedStrategy<Vec<u8>>;

struct Message {
    descriptor: DescriptorProto,
    /// proto2: every singular field has presence.
    proto2: bool,
}

impl Schema {
    /// The messages of `files` (as prost-build sees them: editions lowered).
    pub fn new(files: &[FileDescriptorProto]) -> Arc<Self> {
        let mut messages = HashMap::new();
        for file in files {
            let proto2 = matches!(file.syntax(), "" | "proto2");
            let mut pending: Vec<(String, &DescriptorProto)> =
                file.message_type.iter().map(|m| (format!(".{}.{}", file.package(), m.name()), m)).collect();
            while let Some((name, message)) = pending.pop() {
                pending.extend(message.nested_type.iter().map(|n| (format!("{name}.{}", n.name()), n)));
                messages.insert(name, Message { descriptor: message.clone(), proto2 });
            }
        }
        Arc::new(Self { messages, strategies: Mutex::default() })
    }

    /// The field numbers of message `name`.
    pub fn field_numbers(&self, name: &str) -> BTreeSet<u32> {
        self.message(name).descriptor.field.iter().map(|f| f.number() as u32).collect()
    }

    fn message(&self, name: &str) -> &Message {
        self.messages.get(name).unwrap_or_else(|| panic!("{name} is not in the descriptor set"))
    }

    fn is_map(&self, field: &FieldDescriptorProto) -> bool {
        field.label() == Label::Repeated
            && field.r#type() == Type::Message
            && self.message(field.type_name()).descriptor.options.as_ref().is_some_and(|o| o.map_entry())
    }

    /// Whether a set field keeps its value even when it is the default.
    fn has_presence(&self, message: &Message, field: &FieldDescriptorProto) -> bool {
        field.oneof_index.is_some()
            || field.proto3_optional()
            || matches!(field.r#type(), Type::Message | Type::Group)
            || message.proto2
    }
}

/// Random encodings of message `name`, nesting messages at most `depth` deep.
pub fn message(schema: &Arc<Schema>, name: &str, depth: u32) -> SBoxedStrategy<Vec<u8>> {
    let key = (name.to_owned(), depth);
    if let Some(strategy) = schema.strategies.lock().unwrap().get(&key) {
        return strategy.clone();
    }
    let descriptor = &schema.message(name).descriptor;
    let mut parts: Vec<SBoxedStrategy<Vec<u8>>> = Vec::new();
    for field in descriptor.field.iter().filter(|f| f.oneof_index.is_none() || f.proto3_optional()) {
        if let Some(strategy) = field_strategy(schema, field, depth) {
            parts.push(strategy);
        }
    }
    for oneof in 0..descriptor.oneof_decl.len() as i32 {
        let members: Vec<_> = descriptor
            .field
            .iter()
            .filter(|f| f.oneof_index == Some(oneof) && !f.proto3_optional())
            .filter_map(|f| tagged_value(schema, f, depth))
            .collect();
        if !members.is_empty() {
            let one = proptest::strategy::Union::new(members);
            parts.push(proptest::option::weighted(PRESENT, one).prop_map(Option::unwrap_or_default).sboxed());
        }
    }
    let strategy = parts.prop_shuffle().prop_map(|parts| parts.concat()).sboxed();
    schema.strategies.lock().unwrap().insert(key, strategy.clone());
    strategy
}

/// One field outside a oneof: absent, present once, or repeated.
fn field_strategy(schema: &Arc<Schema>, field: &FieldDescriptorProto, depth: u32) -> Option<SBoxedStrategy<Vec<u8>>> {
    if field.label() != Label::Repeated {
        let value = tagged_value(schema, field, depth)?;
        return Some(proptest::option::weighted(PRESENT, value).prop_map(Option::unwrap_or_default).sboxed());
    }
    let number = field.number() as u32;
    match scalar(field.r#type()) {
        Some((wire_type, value)) if wire_type != WireType::LengthDelimited => {
            // Packable: written packed or one by one, as encoders may; decoders must take both.
            let values = proptest::collection::vec(value, 0..=MAX_REPEATED);
            Some(
                (values, any::<bool>())
                    .prop_map(move |(values, packed)| {
                        let mut out = Vec::new();
                        if packed {
                            key(number, WireType::LengthDelimited, &mut out);
                            length_delimited(&values.concat(), &mut out);
                        } else {
                            for value in values {
                                key(number, wire_type, &mut out);
                                out.extend(value);
                            }
                        }
                        out
                    })
                    .sboxed(),
            )
        }
        _ => {
            let value = tagged_value(schema, field, depth)?;
            Some(proptest::collection::vec(value, 0..=MAX_REPEATED).prop_map(|v| v.concat()).sboxed())
        }
    }
}

/// One value of `field` with its key, or `None` when the field cannot be written (a message past
/// the depth limit, a group).
fn tagged_value(schema: &Arc<Schema>, field: &FieldDescriptorProto, depth: u32) -> Option<SBoxedStrategy<Vec<u8>>> {
    let number = field.number() as u32;
    let (wire_type, value) = match field.r#type() {
        // A map entry is a level of the schema, not of the data: it does not count.
        Type::Message if schema.is_map(field) => (WireType::LengthDelimited, message(schema, field.type_name(), depth)),
        Type::Message if depth == 0 => return None,
        Type::Message => (WireType::LengthDelimited, message(schema, field.type_name(), depth - 1)),
        other => scalar(other)?,
    };
    Some(
        value
            .prop_map(move |value| {
                let mut out = Vec::new();
                key(number, wire_type, &mut out);
                if wire_type == WireType::LengthDelimited {
                    length_delimited(&value, &mut out);
                } else {
                    out.extend(value);
                }
                out
            })
            .sboxed(),
    )
}

/// A scalar's wire type and random encodings of its value (without key or length).
fn scalar(r#type: Type) -> Option<(WireType, SBoxedStrategy<Vec<u8>>)> {
    let varint = |v: u64| {
        let mut out = Vec::new();
        encode_varint(v, &mut out);
        out
    };
    Some(match r#type {
        // NaN is never equal to itself; every other float is fair.
        Type::Double => (
            WireType::SixtyFourBit,
            any::<f64>().prop_filter("NaN", |f| !f.is_nan()).prop_map(|f| f.to_le_bytes().to_vec()).sboxed(),
        ),
        Type::Float => (
            WireType::ThirtyTwoBit,
            any::<f32>().prop_filter("NaN", |f| !f.is_nan()).prop_map(|f| f.to_le_bytes().to_vec()).sboxed(),
        ),
        Type::Fixed64 | Type::Sfixed64 => {
            (WireType::SixtyFourBit, any::<u64>().prop_map(|v| v.to_le_bytes().to_vec()).sboxed())
        }
        Type::Fixed32 | Type::Sfixed32 => {
            (WireType::ThirtyTwoBit, any::<u32>().prop_map(|v| v.to_le_bytes().to_vec()).sboxed())
        }
        Type::Int64 | Type::Uint64 => (WireType::Varint, any::<u64>().prop_map(varint).sboxed()),
        // Negative int32s and enums take ten bytes: sign-extended to 64 bits.
        Type::Int32 | Type::Enum => {
            (WireType::Varint, any::<i32>().prop_map(move |v| varint(i64::from(v) as u64)).sboxed())
        }
        Type::Uint32 => (WireType::Varint, any::<u32>().prop_map(move |v| varint(v.into())).sboxed()),
        Type::Sint32 => (WireType::Varint, any::<i32>().prop_map(move |v| varint(zigzag(v.into()))).sboxed()),
        Type::Sint64 => (WireType::Varint, any::<i64>().prop_map(move |v| varint(zigzag(v))).sboxed()),
        Type::Bool => (WireType::Varint, any::<bool>().prop_map(move |v| varint(v.into())).sboxed()),
        Type::String => (WireType::LengthDelimited, ".{0,8}".prop_map(String::into_bytes).sboxed()),
        Type::Bytes => (WireType::LengthDelimited, proptest::collection::vec(any::<u8>(), 0..8).sboxed()),
        Type::Message | Type::Group => return None,
    })
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn key(number: u32, wire_type: WireType, out: &mut Vec<u8>) {
    encode_varint((u64::from(number) << 3) | wire_type as u64, out);
}

fn length_delimited(value: &[u8], out: &mut Vec<u8>) {
    encode_varint(value.len() as u64, out);
    out.extend(value);
}

/// What a field's bytes mean.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    /// Every number (floats by their bits), bools and enums.
    Number(u64),
    /// Strings and bytes.
    Bytes(Vec<u8>),
    /// A message: its fields by number.
    Message(BTreeMap<u32, Field>),
}

/// What a field of a message holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// A singular field (the last value written wins).
    Single(Value),
    /// A repeated field's values in order, packed or not.
    Repeated(Vec<Value>),
    /// A map's entries; a key written twice keeps its last value.
    Map(BTreeMap<Value, Value>),
}

/// The meaning of `bytes` as message `name`: independent of field order, packing, and of
/// defaults written for fields without presence. Errors name what the schema does not allow.
pub fn canonical(schema: &Schema, name: &str, mut bytes: &[u8]) -> Result<BTreeMap<u32, Field>, String> {
    let message = schema.message(name);
    let mut fields: BTreeMap<u32, Field> = BTreeMap::new();
    while !bytes.is_empty() {
        let key = decode_varint(&mut bytes).map_err(|e| e.to_string())?;
        let (number, wire_type) = ((key >> 3) as u32, key & 7);
        let field = message
            .descriptor
            .field
            .iter()
            .find(|f| f.number() as u32 == number)
            .ok_or_else(|| format!("{name} has no field {number}"))?;
        let raw = take(&mut bytes, wire_type)?;
        if schema.is_map(field) {
            let entry = canonical(schema, field.type_name(), raw.bytes()?)?;
            let entry_descriptor = &schema.message(field.type_name()).descriptor;
            let [key, value] = [1, 2].map(|n| {
                let f = entry_descriptor.field.iter().find(|f| f.number() == n).unwrap();
                match entry.get(&(n as u32)) {
                    Some(Field::Single(v)) => normalize_zero(f, v.clone()),
                    _ => default(f),
                }
            });
            match fields.entry(number).or_insert_with(|| Field::Map(BTreeMap::new())) {
                Field::Map(map) => map.insert(key, value),
                _ => unreachable!(),
            };
        } else if field.label() == Label::Repeated {
            let values = match (scalar(field.r#type()), wire_type) {
                (Some((w, _)), 2) if w != WireType::LengthDelimited => packed(field.r#type(), raw.bytes()?)?,
                _ => vec![value(schema, field, raw)?],
            };
            match fields.entry(number).or_insert_with(|| Field::Repeated(Vec::new())) {
                Field::Repeated(all) => all.extend(values),
                _ => unreachable!(),
            }
        } else {
            if field.r#type() == Type::Message && fields.contains_key(&number) {
                return Err(format!("{name}.{} written twice (the generator never does)", field.name()));
            }
            // A oneof holds its last member only.
            if let Some(oneof) = field.oneof_index.filter(|_| !field.proto3_optional()) {
                for other in message.descriptor.field.iter().filter(|f| f.oneof_index == Some(oneof)) {
                    fields.remove(&(other.number() as u32));
                }
            }
            fields.insert(number, Field::Single(value(schema, field, raw)?));
        }
    }
    // An empty packed field is no value.
    fields.retain(|_, field| field != &Field::Repeated(Vec::new()));
    // Without presence, a default value is no value.
    for field in message.descriptor.field.iter().filter(|f| f.label() != Label::Repeated) {
        let number = field.number() as u32;
        if !schema.has_presence(message, field)
            && let Some(Field::Single(v)) = fields.get(&number)
            && normalize_zero(field, v.clone()) == default(field)
        {
            fields.remove(&number);
        }
    }
    Ok(fields)
}

/// A field's raw bytes: a number (varint or fixed) or a length-delimited payload.
enum Raw<'a> {
    Number(u64),
    Bytes(&'a [u8]),
}

impl<'a> Raw<'a> {
    fn bytes(&self) -> Result<&'a [u8], String> {
        match self {
            Raw::Bytes(b) => Ok(b),
            Raw::Number(_) => Err("expected a length-delimited field".into()),
        }
    }
}

fn take<'a>(bytes: &mut &'a [u8], wire_type: u64) -> Result<Raw<'a>, String> {
    let fixed = |bytes: &mut &'a [u8], n: usize| -> Result<u64, String> {
        if bytes.len() < n {
            return Err("truncated".into());
        }
        let mut buf = [0u8; 8];
        buf[..n].copy_from_slice(&bytes[..n]);
        *bytes = &bytes[n..];
        Ok(u64::from_le_bytes(buf))
    };
    Ok(match wire_type {
        0 => Raw::Number(decode_varint(bytes).map_err(|e| e.to_string())?),
        1 => Raw::Number(fixed(bytes, 8)?),
        5 => Raw::Number(fixed(bytes, 4)?),
        2 => {
            let len = decode_varint(bytes).map_err(|e| e.to_string())? as usize;
            if bytes.len() < len {
                return Err("truncated".into());
            }
            let (payload, rest) = bytes.split_at(len);
            *bytes = rest;
            Raw::Bytes(payload)
        }
        other => return Err(format!("wire type {other}")),
    })
}

fn value(schema: &Schema, field: &FieldDescriptorProto, raw: Raw) -> Result<Value, String> {
    Ok(match (field.r#type(), raw) {
        (Type::Message, Raw::Bytes(b)) => Value::Message(canonical(schema, field.type_name(), b)?),
        (Type::String | Type::Bytes, Raw::Bytes(b)) => Value::Bytes(b.to_vec()),
        (t, Raw::Number(n)) => Value::Number(number(t, n)),
        (t, Raw::Bytes(_)) => return Err(format!("{:?} field {} as length-delimited", t, field.name())),
    })
}

/// A number as its type reads it: int32 and enums truncated to 32 bits, sint zigzag-decoded,
/// uint32 and fixed32 as 32 bits, bools as 0 or 1.
fn number(r#type: Type, raw: u64) -> u64 {
    match r#type {
        Type::Int32 | Type::Enum | Type::Sfixed32 => raw as i32 as i64 as u64,
        Type::Uint32 | Type::Fixed32 | Type::Float => raw as u32 as u64,
        Type::Sint32 => ((raw as u32 >> 1) as i32 ^ -((raw & 1) as i32)) as i64 as u64,
        Type::Sint64 => ((raw >> 1) as i64 ^ -((raw & 1) as i64)) as u64,
        Type::Bool => u64::from(raw != 0),
        _ => raw,
    }
}

fn packed(r#type: Type, mut bytes: &[u8]) -> Result<Vec<Value>, String> {
    let wire_type = match scalar(r#type) {
        Some((WireType::SixtyFourBit, _)) => 1,
        Some((WireType::ThirtyTwoBit, _)) => 5,
        _ => 0,
    };
    let mut values = Vec::new();
    while !bytes.is_empty() {
        match take(&mut bytes, wire_type)? {
            Raw::Number(n) => values.push(Value::Number(number(r#type, n))),
            Raw::Bytes(_) => unreachable!(),
        }
    }
    Ok(values)
}

/// The value of a field that was not written.
fn default(field: &FieldDescriptorProto) -> Value {
    match field.r#type() {
        Type::Message | Type::Group => Value::Message(BTreeMap::new()),
        Type::String | Type::Bytes => Value::Bytes(Vec::new()),
        _ => Value::Number(0),
    }
}

/// Negative zero is zero where defaults are compared (prost tests `!= 0.0`).
fn normalize_zero(field: &FieldDescriptorProto, value: Value) -> Value {
    match (field.r#type(), &value) {
        (Type::Double, Value::Number(bits)) if f64::from_bits(*bits) == 0.0 => Value::Number(0),
        (Type::Float, Value::Number(bits)) if f32::from_bits(*bits as u32) == 0.0 => Value::Number(0),
        _ => value,
    }
}
