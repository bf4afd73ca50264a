//! Schemas: what a provider, resource or data source accepts, the type it implies, the default plan
//! it gets, and the Markdown reference generated from it.

use std::collections::BTreeMap;

use crate::diag::{AttrPath, Step};
use crate::proto::tfplugin5 as pb;
#[cfg(test)]
use crate::value::Obj;
use crate::value::{Type, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
    /// Set by the provider only.
    Computed,
    /// The user may set it; otherwise the provider does.
    OptionalComputed,
}

#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    pub description: String,
    pub presence: Presence,
    pub sensitive: bool,
    /// Changing it replaces the object.
    pub force_new: bool,
    /// Why the attribute is deprecated and what to use instead; Terraform warns when a
    /// configuration sets it (empty: not deprecated).
    pub deprecation: String,
    /// Write-only (Terraform >= 1.11): taken from the configuration at apply, never in a plan or
    /// state (the server nulls it in every value it returns).
    pub write_only: bool,
}

impl Attribute {
    pub fn new(name: &str, ty: Type, description: &str) -> Self {
        Attribute {
            name: name.into(),
            ty,
            description: description.into(),
            presence: Presence::Optional,
            sensitive: false,
            force_new: false,
            deprecation: String::new(),
            write_only: false,
        }
    }
    pub fn required(mut self) -> Self {
        self.presence = Presence::Required;
        self
    }
    pub fn optional(mut self) -> Self {
        self.presence = Presence::Optional;
        self
    }
    pub fn computed(mut self) -> Self {
        self.presence = Presence::Computed;
        self
    }
    pub fn optional_computed(mut self) -> Self {
        self.presence = Presence::OptionalComputed;
        self
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }
    /// Deprecated, with what to do instead.
    pub fn deprecated(mut self, message: &str) -> Self {
        self.deprecation = message.into();
        self
    }
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }
    fn is_computed(&self) -> bool {
        matches!(
            self.presence,
            Presence::Computed | Presence::OptionalComputed
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    /// Blocks with one label each (`record "www A" { … }`): a map keyed by label. Terraform plans
    /// and renders them by key, so adding one shows one entry, whatever its place.
    Map,
}

#[derive(Debug, Clone)]
pub struct NestedBlock {
    pub name: String,
    pub block: Block,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
    pub force_new: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Block {
    pub description: String,
    /// Why blocks of this kind are deprecated (empty: they are not).
    pub deprecation: String,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
}

impl Block {
    pub fn new(description: &str) -> Self {
        Block {
            description: description.into(),
            ..Default::default()
        }
    }
    pub fn attr(mut self, a: Attribute) -> Self {
        self.attributes.push(a);
        self
    }
    pub fn block(mut self, name: &str, nesting: Nesting, min: i64, max: i64, block: Block) -> Self {
        self.blocks.push(NestedBlock {
            name: name.into(),
            block,
            nesting,
            min_items: min,
            max_items: max,
            force_new: false,
        });
        self
    }

    /// The names of the top-level write-only attributes.
    pub fn write_only_attrs(&self) -> Vec<&str> {
        self.attributes
            .iter()
            .filter(|a| a.write_only)
            .map(|a| a.name.as_str())
            .collect()
    }

    /// The object type this block's values have.
    pub fn implied_type(&self) -> Type {
        let mut m = BTreeMap::new();
        for a in &self.attributes {
            m.insert(a.name.as_str().into(), a.ty.clone());
        }
        for b in &self.blocks {
            let inner = b.block.implied_type();
            m.insert(
                b.name.as_str().into(),
                match b.nesting {
                    Nesting::Single => inner,
                    Nesting::List => Type::list(inner),
                    Nesting::Set => Type::set(inner),
                    Nesting::Map => Type::map(inner),
                },
            );
        }
        Type::Object(m)
    }

    pub(crate) fn to_proto(&self, version: i64) -> pb::schema::Block {
        pb::schema::Block {
            version,
            attributes: self
                .attributes
                .iter()
                .map(|a| pb::schema::Attribute {
                    name: a.name.clone(),
                    r#type: serde_json::to_vec(&a.ty.to_json()).expect("type json"),
                    description: a.description.clone(),
                    required: a.presence == Presence::Required,
                    optional: matches!(a.presence, Presence::Optional | Presence::OptionalComputed),
                    computed: a.is_computed(),
                    sensitive: a.sensitive,
                    description_kind: pb::StringKind::Markdown as i32,
                    deprecated: !a.deprecation.is_empty(),
                    deprecation_message: a.deprecation.clone(),
                    write_only: a.write_only,
                })
                .collect(),
            block_types: self
                .blocks
                .iter()
                .map(|b| pb::schema::NestedBlock {
                    type_name: b.name.clone(),
                    block: Some(b.block.to_proto(0)),
                    nesting: match b.nesting {
                        Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                        Nesting::List => pb::schema::nested_block::NestingMode::List,
                        Nesting::Set => pb::schema::nested_block::NestingMode::Set,
                        Nesting::Map => pb::schema::nested_block::NestingMode::Map,
                    } as i32,
                    min_items: b.min_items,
                    max_items: b.max_items,
                })
                .collect(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: !self.deprecation.is_empty(),
            deprecation_message: self.deprecation.clone(),
        }
    }

    /// Marks computed attributes Terraform left null (nothing configured, nothing known) as unknown,
    /// recursing into nested blocks. Used when planning a create.
    pub fn mark_computed_unknown(&self, v: &mut Value) {
        let Value::Object(m) = v else { return };
        for a in &self.attributes {
            if a.is_computed() && m.get(&a.name).is_none_or(Value::is_null) {
                m.insert(a.name.as_str(), Value::Unknown);
            }
        }
        for b in &self.blocks {
            match m.get_mut(&b.name) {
                Some(Value::List(items)) | Some(Value::Set(items)) => items
                    .iter_mut()
                    .for_each(|i| b.block.mark_computed_unknown(i)),
                Some(Value::Map(items)) => items
                    .values_mut()
                    .for_each(|i| b.block.mark_computed_unknown(i)),
                Some(o @ Value::Object(_)) => b.block.mark_computed_unknown(o),
                _ => {}
            }
        }
    }

    /// Paths of force-new attributes and blocks whose value changes between `prior` and `planned`.
    pub fn replace_paths(&self, prior: &Value, planned: &Value) -> Vec<AttrPath> {
        let mut out = Vec::new();
        for a in self.attributes.iter().filter(|a| a.force_new) {
            if prior.get(&a.name) != planned.get(&a.name) {
                out.push(AttrPath(vec![Step::Attr(a.name.clone())]));
            }
        }
        for b in self.blocks.iter().filter(|b| b.force_new) {
            if prior.get(&b.name) != planned.get(&b.name) {
                out.push(AttrPath(vec![Step::Attr(b.name.clone())]));
            }
        }
        out
    }

    /// Markdown reference sections ("Argument Reference" / "Attribute Reference") for docs.
    pub fn markdown(&self, heading: &str) -> String {
        let mut args = String::new();
        let mut attrs = String::new();
        self.markdown_into(&mut args, &mut attrs, heading);
        let mut out = String::new();
        if !args.is_empty() {
            out.push_str(&format!("{heading} Argument Reference\n\n{args}\n"));
        }
        if !attrs.is_empty() {
            out.push_str(&format!("{heading} Attribute Reference\n\nIn addition to the arguments, these are exported:\n\n{attrs}\n"));
        }
        out
    }

    fn markdown_into(&self, args: &mut String, attrs: &mut String, heading: &str) {
        for a in &self.attributes {
            let tag = match a.presence {
                Presence::Required => "Required",
                Presence::Optional => "Optional",
                Presence::OptionalComputed => "Optional",
                Presence::Computed => "",
            };
            let mut flags = Vec::new();
            if !tag.is_empty() {
                flags.push(tag.to_string());
            }
            flags.push(type_label(&a.ty));
            if a.force_new {
                flags.push("forces replacement".into());
            }
            if a.sensitive {
                flags.push("sensitive".into());
            }
            if !a.deprecation.is_empty() {
                flags.push(format!("deprecated: {}", a.deprecation));
            }
            if a.write_only {
                flags.push("write-only: never stored in plan or state, Terraform >= 1.11".into());
            }
            let line = format!("- `{}` ({}) {}\n", a.name, flags.join(", "), a.description);
            if a.presence == Presence::Computed {
                attrs.push_str(&line);
            } else {
                args.push_str(&line);
            }
        }
        for b in &self.blocks {
            let nest = match b.nesting {
                Nesting::Single => "block".to_string(),
                Nesting::List | Nesting::Set if b.max_items == 1 => {
                    "block, at most one".to_string()
                }
                Nesting::Map => "blocks, one label each".to_string(),
                _ => "blocks".to_string(),
            };
            let nest = if b.block.deprecation.is_empty() {
                nest
            } else {
                format!("{nest}, deprecated: {}", b.block.deprecation)
            };
            args.push_str(&format!(
                "- `{}` ({}) {} See [{}](#{}) below.\n",
                b.name, nest, b.block.description, b.name, b.name
            ));
        }
        for b in &self.blocks {
            let sub = b.block.markdown(&format!("{heading}#"));
            args.push_str(&format!(
                "\n<a id=\"{}\"></a>\n{heading}# `{}` block\n\n{}",
                b.name,
                b.name,
                sub.trim_start_matches(&format!("{heading}# Argument Reference\n\n"))
            ));
        }
    }
}

fn type_label(t: &Type) -> String {
    match t {
        Type::Bool => "Boolean".into(),
        Type::Number => "Number".into(),
        Type::String => "String".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", type_label(e)),
        Type::Set(e) => format!("Set of {}", type_label(e)),
        Type::Map(e) => format!("Map of {}", type_label(e)),
        Type::Object(_) => "Object".into(),
    }
}

/// A versioned schema for a provider, resource or data source.
#[derive(Debug, Clone)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn new(version: i64, block: Block) -> Self {
        Schema { version, block }
    }
    pub fn ty(&self) -> Type {
        self.block.implied_type()
    }
    pub(crate) fn to_proto(&self) -> pb::Schema {
        pb::Schema {
            version: self.version,
            block: Some(self.block.to_proto(self.version)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block() -> Block {
        Block::new("test")
            .attr(Attribute::new("id", Type::String, "id").computed())
            .attr(
                Attribute::new("name", Type::String, "name")
                    .required()
                    .force_new(),
            )
            .attr(Attribute::new("comment", Type::String, "comment").optional())
            .block(
                "vpc",
                Nesting::Set,
                0,
                0,
                Block::new("vpc").attr(Attribute::new("vpc_id", Type::String, "v").required()),
            )
    }

    #[test]
    fn implied_type_and_unknown_marking() {
        let b = block();
        let ty = b.implied_type();
        let Type::Object(m) = &ty else { panic!() };
        assert!(matches!(m.get("vpc"), Some(Type::Set(_))));
        let mut v = Value::Object(Obj::from([("name", Value::string("a"))]));
        b.mark_computed_unknown(&mut v);
        assert_eq!(v.get("id"), &Value::Unknown);
        assert_eq!(v.get("comment"), &Value::Null);
    }

    #[test]
    fn replace_paths_only_for_changed_force_new() {
        let b = block();
        let prior = Value::Object(Obj::from([
            ("name", Value::string("a")),
            ("comment", Value::string("x")),
        ]));
        let mut planned = prior.clone();
        planned.set("comment", Value::string("y"));
        assert!(b.replace_paths(&prior, &planned).is_empty());
        planned.set("name", Value::string("b"));
        assert_eq!(
            b.replace_paths(&prior, &planned),
            vec![AttrPath::attr("name")]
        );
    }

    #[test]
    fn markdown_lists_arguments_and_attributes() {
        let md = block().markdown("##");
        assert!(
            md.contains("- `name` (Required, String, forces replacement) name"),
            "{md}"
        );
        assert!(md.contains("## Attribute Reference"), "{md}");
        assert!(md.contains("- `id` (String) id"), "{md}");
        assert!(md.contains("`vpc` block"), "{md}");
    }

    #[test]
    fn deprecations_reach_terraform_and_the_docs() {
        let mut nested = Block::new("old");
        nested.deprecation = "use `vpc` instead".into();
        let b = Block::new("test")
            .attr(
                Attribute::new("old_name", Type::String, "old")
                    .optional()
                    .deprecated("use `name`"),
            )
            .attr(Attribute::new("name", Type::String, "new").optional())
            .block("legacy_vpc", Nesting::List, 0, 0, nested);
        let p = b.to_proto(0);
        assert!(p.attributes[0].deprecated);
        assert_eq!(p.attributes[0].deprecation_message, "use `name`");
        assert!(!p.attributes[1].deprecated && p.attributes[1].deprecation_message.is_empty());
        let inner = p.block_types[0].block.as_ref().unwrap();
        assert!(inner.deprecated);
        assert_eq!(inner.deprecation_message, "use `vpc` instead");
        let md = b.markdown("##");
        assert!(md.contains("deprecated: use `name`"), "{md}");
        assert!(md.contains("deprecated: use `vpc` instead"), "{md}");
    }
}
