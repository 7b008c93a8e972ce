//! What changes in xla-protos between two releases: messages and enums added or removed, fields
//! added, removed or changed (number, label, type), read from the descriptors the plugins embed,
//! the same ones `cargo xtask protos` generates from. Only the files xla-protos is made from
//! count: those its generated `mod.rs` lists, and what they import on the new side.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorProto};

use crate::protos::extract;

/// The `.proto` files a binary embeds, by name.
pub fn embedded(binary: &[u8]) -> BTreeMap<String, FileDescriptorProto> {
    extract::embedded_files(binary).files.into_iter().map(|(name, file)| (name, file.descriptor)).collect()
}

/// The `.proto` files, and the artifacts they come from, that xla-protos's generated `mod.rs`
/// says it was made from (`//   xla/xla.proto   from pjrt-cpu`).
pub fn generated_from(mod_rs: &str) -> BTreeMap<String, String> {
    mod_rs
        .lines()
        .take_while(|l| l.starts_with("//"))
        .filter_map(|l| {
            let mut words = l.trim_start_matches('/').split_whitespace();
            let (name, from, artifact) = (words.next()?, words.next()?, words.next()?);
            (name.ends_with(".proto") && from == "from").then(|| (name.to_owned(), artifact.to_owned()))
        })
        .collect()
}

/// Messages and enums of a set of files, by full name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Schema {
    /// Message full name → field name → `number label type`.
    pub messages: BTreeMap<String, BTreeMap<String, String>>,
    /// Enum full name → value names.
    pub enums: BTreeMap<String, BTreeSet<String>>,
}

impl Schema {
    /// The schema of `roots` and every file they import (from `files`).
    pub fn of(files: &BTreeMap<String, FileDescriptorProto>, roots: impl IntoIterator<Item = String>) -> Schema {
        let mut pending: Vec<String> = roots.into_iter().collect();
        let mut seen = BTreeSet::new();
        let mut schema = Schema::default();
        while let Some(name) = pending.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let Some(file) = files.get(&name) else { continue };
            pending.extend(file.dependency.iter().cloned());
            let prefix = if file.package().is_empty() { String::new() } else { format!("{}.", file.package()) };
            for message in &file.message_type {
                schema.message(&prefix, message);
            }
            for e in &file.enum_type {
                schema.enumeration(&prefix, e);
            }
        }
        schema
    }

    /// Adds `other`'s messages and enums.
    pub fn extend(&mut self, other: Schema) {
        self.messages.extend(other.messages);
        self.enums.extend(other.enums);
    }

    fn message(&mut self, prefix: &str, message: &DescriptorProto) {
        let name = format!("{prefix}{}", message.name());
        let fields = message
            .field
            .iter()
            .map(|f| {
                let ty = if f.type_name().is_empty() { format!("{:?}", f.r#type()) } else { f.type_name().to_owned() };
                (f.name().to_owned(), format!("{} {:?} {ty}", f.number(), f.label()))
            })
            .collect();
        self.messages.insert(name.clone(), fields);
        for nested in &message.nested_type {
            self.message(&format!("{name}."), nested);
        }
        for e in &message.enum_type {
            self.enumeration(&format!("{name}."), e);
        }
    }

    fn enumeration(&mut self, prefix: &str, e: &EnumDescriptorProto) {
        self.enums.insert(format!("{prefix}{}", e.name()), e.value.iter().map(|v| v.name().to_owned()).collect());
    }
}

/// The changes between two schemas.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SchemaDiff {
    /// Messages added.
    pub messages_added: Vec<String>,
    /// Messages removed.
    pub messages_removed: Vec<String>,
    /// Fields added, `message.field`.
    pub fields_added: Vec<String>,
    /// Fields removed.
    pub fields_removed: Vec<String>,
    /// Fields whose number, label or type changed, with the old and new description.
    pub fields_changed: Vec<String>,
    /// Enums added or removed, and values added or removed (`+`/`-` before the name).
    pub enums_changed: Vec<String>,
}

impl SchemaDiff {
    /// What changed from `old` to `new`.
    pub fn between(old: &Schema, new: &Schema) -> SchemaDiff {
        let mut diff = SchemaDiff::default();
        for (name, fields) in &new.messages {
            let Some(old_fields) = old.messages.get(name) else {
                diff.messages_added.push(name.clone());
                continue;
            };
            for (field, description) in fields {
                match old_fields.get(field) {
                    None => diff.fields_added.push(format!("{name}.{field}")),
                    Some(old) if old != description => {
                        diff.fields_changed.push(format!("{name}.{field}: {old} → {description}"))
                    }
                    Some(_) => {}
                }
            }
            diff.fields_removed
                .extend(old_fields.keys().filter(|f| !fields.contains_key(*f)).map(|f| format!("{name}.{f}")));
        }
        diff.messages_removed = old.messages.keys().filter(|m| !new.messages.contains_key(*m)).cloned().collect();
        for (name, values) in &new.enums {
            match old.enums.get(name) {
                None => diff.enums_changed.push(format!("+{name}")),
                Some(old_values) => {
                    diff.enums_changed.extend(values.difference(old_values).map(|v| format!("+{name}.{v}")));
                    diff.enums_changed.extend(old_values.difference(values).map(|v| format!("-{name}.{v}")));
                }
            }
        }
        diff.enums_changed.extend(old.enums.keys().filter(|e| !new.enums.contains_key(*e)).map(|e| format!("-{e}")));
        diff
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self == &SchemaDiff::default()
    }

    /// One line of counts (for the CHANGELOG).
    pub fn summary(&self) -> String {
        let counts = [
            (self.messages_added.len(), "messages added"),
            (self.messages_removed.len(), "messages removed"),
            (self.fields_added.len(), "fields added"),
            (self.fields_removed.len(), "fields removed"),
            (self.fields_changed.len(), "fields changed"),
            (self.enums_changed.len(), "enum changes"),
        ];
        let parts: Vec<String> =
            counts.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{what}: {n}")).collect();
        if parts.is_empty() { "no change".into() } else { parts.join(", ") }
    }
}

impl fmt::Display for SchemaDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lists: [(&str, &Vec<String>); 6] = [
            ("messages added", &self.messages_added),
            ("messages removed", &self.messages_removed),
            ("fields added", &self.fields_added),
            ("fields removed", &self.fields_removed),
            ("fields changed", &self.fields_changed),
            ("enums and values added (+) or removed (-)", &self.enums_changed),
        ];
        super::diffs::write_lists(f, &lists)?;
        if self.is_empty() {
            writeln!(f, "  no change")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bump::fixtures;

    #[test]
    fn tells_messages_and_fields_changed_in_a_tiny_descriptor_set_embedded_in_a_binary() {
        let old = embedded(&fixtures::binary_with_descriptors(&fixtures::descriptors(1)));
        let new = embedded(&fixtures::binary_with_descriptors(&fixtures::descriptors(2)));
        assert_eq!(old.len(), 2, "{:?}", old.keys());
        let roots = || ["demo/api.proto".to_owned()];
        let diff = SchemaDiff::between(&Schema::of(&old, roots()), &Schema::of(&new, roots()));
        assert_eq!(diff.messages_added, ["demo.Options.Tuning"]);
        assert_eq!(diff.messages_removed, ["demo.Legacy"]);
        assert_eq!(diff.fields_added, ["demo.Options.tuning"]);
        assert_eq!(diff.fields_removed, ["demo.Options.old_flag"]);
        assert_eq!(diff.fields_changed, ["demo.Shape.dims: 1 Repeated Int32 → 1 Repeated Int64"]);
        assert_eq!(diff.enums_changed, ["+demo.Kind.KIND_SPARSE"]);
        assert_eq!(
            diff.summary(),
            "messages added: 1, messages removed: 1, fields added: 1, fields removed: 1, fields changed: 1, enum changes: 1"
        );
        // The imported file counts; a file nothing imports does not.
        assert!(Schema::of(&new, roots()).messages.contains_key("demo.Shape"));
        assert!(!Schema::of(&new, roots()).messages.contains_key("demo.Unrelated"));
    }

    #[test]
    fn real_generated_protos_name_the_files_and_artifacts_they_come_from() {
        let mod_rs = std::fs::read_to_string(crate::protos::output_dir().join("mod.rs")).unwrap();
        let files = generated_from(&mod_rs);
        assert_eq!(files.get("xla/xla.proto").map(String::as_str), Some("pjrt-cpu"));
        assert!(files.contains_key("xla/pjrt/proto/compile_options.proto"));
        assert!(files.len() >= 20, "{files:?}");
    }
}
