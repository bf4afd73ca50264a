//! Documentation pages generated from the schemas and the examples (`r53-docs` writes them to
//! `docs/`; CI fails when they are stale).

use r53_plugin::Schema;

const PROVIDER_EXAMPLE: &str = include_str!("../../examples/provider/provider.tf");

struct Page {
    file: &'static str,
    kind: &'static str,
    name: &'static str,
    schema: Schema,
    example: &'static str,
    import: Option<&'static str>,
    /// A section of its own right after the description (what users must not miss).
    notes: Option<&'static str>,
}

const REGISTERED_DOMAIN_NOTES: &str = "## Destroy does not give the domain up\n\n\
`terraform destroy` (or removing the resource from the configuration) **only removes the domain from the Terraform \
state**, with a warning saying so: the domain stays registered in the AWS account and keeps renewing if `auto_renew` \
is on. To deregister it, first apply `deregister_on_destroy = true`, then destroy. Deregistration cannot be undone.\n\n\
## Managed and unmanaged settings\n\n\
Every setting left unset is not managed: the registrar keeps what it has and the state shows it, so adopting or \
importing a domain changes nothing you did not write. Contact maps are sensitive (personal data) and never appear \
in plans. Name servers are compared as a set of names and glue addresses, without regard to order, case or a \
trailing dot: an unchanged set never sends an update (each update emails the registrant).\n\n\
## Contacts without personal data in state (recommended)\n\n\
With Terraform >= 1.11 (or OpenTofu >= 1.11), give contacts as write-only attributes — `admin_contact_wo`, \
`registrant_contact_wo`, `tech_contact_wo`, `billing_contact_wo` — typically from variables or an ephemeral \
source: they are sent to the registrar when the domain is created (or adopted) and whenever `contacts_wo_version` \
changes, and no contact value is ever written to the plan, the saved plan file or the state. Their values cannot \
be compared with the registrar's, so changing a contact means changing it and bumping `contacts_wo_version` in the \
same apply. An older Terraform would store them like ordinary attributes, so the provider refuses them there. \
The stored `*_contact` attributes keep working (sensitive, in state).\n\n\
```hcl\n\
resource \"r53_registered_domain\" \"example\" {\n\
\x20\x20domain_name           = \"example.com\"\n\
\x20\x20admin_contact_wo      = var.contact\n\
\x20\x20registrant_contact_wo = var.contact\n\
\x20\x20tech_contact_wo       = var.contact\n\
\x20\x20contacts_wo_version   = 1\n\
}\n\
```\n\n\
## DNSSEC keys (DS records at the registry)\n\n\
`dnssec_key` blocks are the keys whose DS records the registrar passes to the TLD registry: the zone's key-signing \
key as its DNS host shows it (`FLAGS 3 ALGORITHM PUBLIC-KEY`). Each block's `ds_record` (key tag, algorithm, digest \
type 2 and the SHA-256 digest) is computed from the key at plan time, so the plan shows exactly which DS is added \
or removed. New keys are added before old ones are removed (a key rollover keeps a valid DS throughout), one \
registrar operation at a time, each waited for. No blocks: the domain's keys are not managed here. Publish the \
zone's DNSKEY before its DS, and remove the DS before the zone stops signing.\n\n\
```hcl\n\
resource \"r53_registered_domain\" \"example\" {\n\
\x20\x20domain_name = \"example.com\"\n\
\x20\x20dnssec_key {\n\
\x20\x20\x20\x20flags      = 257\n\
\x20\x20\x20\x20algorithm  = 13\n\
\x20\x20\x20\x20public_key = \"mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\"\n\
\x20\x20}\n\
}\n\
```\n\n\
### The 2026 change in Route 53 Domains\n\n\
Since May 2026 `GetDomainDetail` no longer returns a key's flags or public key, some registries omit even its \
algorithm, and key Ids changed from the bare digest to `DS:<tag>-<alg>-<type>-<DIGEST>` (Amazon Registrar) or a \
number (registries such as Gandi's). A provider that finds its key by flags and public key, or by Id, loses track \
of it. This resource recognises a key only by its DS — key tag, digest type and digest (compared without regard \
to case) computed from the configured key — and takes the Id to remove a key from `GetDomainDetail` by that \
match. On read it fills a key's `flags` and `public_key` from the registrar when it still returns them, else from \
the state when the digest matches, else from the zone's DNSKEY records read over DNS from the domain's name \
servers; only when none of these knows the key are they left null, and the plan then shows the difference \
(applying it sends nothing, the DS being there already). So `terraform import` gives a complete state whenever \
the zone serves its keys — which a working chain of trust needs anyway.\n\n\
## Asynchronous operations\n\n\
Registration, contact, privacy, name-server, lock and DNSSEC key changes are registrar operations. Each is waited \
for until it succeeds; when one fails, the apply fails with the registrar's message and the state keeps what is \
really there. Registration can take from minutes to days: raise `timeouts.create` accordingly.\n";

const RESOLVER_NOTES: &str = "## Route 53 Resolver\n\n\
Resolver endpoints, rules and rule associations are regional: they are made in the provider's `region` (use a \
provider alias per region). An outbound endpoint plus a `FORWARD` rule associated with a VPC sends the VPC's \
queries for a domain to your own DNS servers; an inbound endpoint gives your network addresses in the VPC to \
forward queries to. Each create, change and delete waits for the API's status to settle, within the resource's \
`timeouts`. A guide: [docs/resolver.md](../resolver.md).\n";

const HEALTH_CHECK_STATUS_NOTES: &str = "## What `healthy` means\n\n\
Route 53 answers a record set that has a health check only while the check is healthy, and decides that from \
its checkers: the check is healthy when **more than 18%** of the checker regions that report saw the endpoint \
healthy at their latest check (each region changes its mind only after `failure_threshold` results in a row). \
A `disabled` check counts as healthy and `invert` then flips the result — so a disabled, inverted check is \
unhealthy, Route 53's way to take an endpoint out of service by hand. A `CALCULATED` check has no checkers of its \
own: it is healthy when at least `health_threshold` of its children are, and `children` lists each child's verdict \
(followed through at most 3 levels of `CALCULATED` checks). A new check is healthy until its checkers report.\n\n\
The data source is read when Terraform plans: it tells you how things stand, it does not wait for a change. The \
failover guide ([docs/failover.md](../failover.md)) shows what Route 53 answers for each routing policy.\n";

const DELEGATION_NOTES: &str = "## Three architectures\n\n\
Route 53 does two separate jobs: the **registrar** (Route 53 Domains tells the TLD registry which name servers serve \
a domain) and **hosting** (a hosted zone, served by four Route 53 name servers). The **delegation** — the NS records \
the parent publishes — joins them, and this resource manages and verifies it for each way of combining the two:\n\n\
| Registrar | Hosting | Configuration |\n\
|---|---|---|\n\
| Route 53 Domains | Route 53 | `registrar = \"route53\"`, `name_servers = r53_hosted_zone.x.name_servers` |\n\
| Route 53 Domains | elsewhere | `registrar = \"route53\"`, `name_servers` = the other provider's servers |\n\
| elsewhere | Route 53 (hosting-only) | `registrar = \"external\"`: set the servers at your registrar; the resource watches |\n\
| a parent Route 53 zone | Route 53 | `parent_zone_id`: the NS record set in the parent zone |\n\n\
Complete modules for each are in `examples/architectures/`.\n\n\
## What is checked, over DNS\n\n\
The parent is found by walking from the root (the provider's `dns` settings; by default the Internet's roots), and \
every server of the parent zone is asked, without recursion, what it publishes. `delegated` is true only when all of \
them publish exactly `name_servers`. Before a switch, each target name server is asked for the domain's SOA: one \
that does not answer authoritatively gets a **lame delegation** warning. If the parent publishes a **DS** record that \
no DNSKEY served by the targets matches, the apply is **refused** before anything changes — switching would make \
validating resolvers fail the whole domain.\n\n\
## Order, case and no-op updates\n\n\
`name_servers` is a set compared without regard to order, case or a trailing dot. With the Route 53 registrar an \
update is sent only when the set really differs (each one emails the registrant), and the registrar operation is \
waited for before the DNS wait starts.\n\n\
## Destroy\n\n\
With `registrar = \"route53\"`, destroy only removes the resource from the state (with a warning): taking a live \
domain's name servers away would take it off the Internet (a DS published through `dnssec_keys` stays too: set \
`dnssec_keys = []` first to remove it in the safe order). With `parent_zone_id` it deletes the NS record set, and \
the DS record set at the cut if there is one, from the parent zone in one change, then waits the DS TTL (resolvers \
may hold the DS that long and still expect the zone signed) before the destroy of what depended on it goes on. With `registrar = \"external\"` \
there is nothing to undo.\n\n\
Use either this resource or the `name_server` blocks of `r53_registered_domain` for a domain's name servers, not \
both (and either `dnssec_keys` here or its `dnssec_key` blocks for the DS).\n\n\
## DNSSEC\n\n\
`dnssec_keys` runs the whole order of [the DNSSEC guide](../dnssec.md): every name server serves the zone signed, the \
zone's TTL passes, the DS is published, every parent server publishes it, the chain validates in process, the NS TTL \
passes; removal in reverse, each wait bounded by the timeouts (raise `update` above the DS TTL to remove a DS).\n";

const ASSOCIATION_NOTES: &str = "## Private zones across accounts\n\n\
The zone's account authorizes (`r53_vpc_association_authorization`), the VPC's account associates \
(`r53_zone_association`): two provider configurations, each with its own `assume_role`, and the association \
referring to the authorization so Terraform orders create and destroy correctly. On the zone, set \
`vpc_associations = \"additive\"` so its `vpc` blocks and the associations made here converge instead of undoing \
each other. The whole walk-through is in [the private DNS guide](../private-dns.md).\n";

fn pages_list() -> Vec<Page> {
    vec![
        Page {
            file: "resources/hosted_zone.md",
            kind: "Resource",
            name: crate::hosted_zone::TYPE_NAME,
            schema: crate::hosted_zone::schema(),
            example: include_str!("../../examples/resources/r53_hosted_zone/resource.tf"),
            import: Some(include_str!(
                "../../examples/resources/r53_hosted_zone/import.sh"
            )),
            notes: None,
        },
        Page {
            file: "resources/record.md",
            kind: "Resource",
            name: crate::record::TYPE_NAME,
            schema: crate::record_set::schema(),
            example: include_str!("../../examples/resources/r53_record/resource.tf"),
            import: Some(include_str!(
                "../../examples/resources/r53_record/import.sh"
            )),
            notes: None,
        },
        Page {
            file: "resources/records.md",
            kind: "Resource",
            name: crate::records::TYPE_NAME,
            schema: crate::records::schema(),
            example: concat!(
                include_str!("../../examples/resources/r53_records/resource.tf"),
                "\n",
                include_str!("../../examples/resources/r53_records/migrate.tf")
            ),
            import: Some(include_str!(
                "../../examples/resources/r53_records/import.sh"
            )),
            notes: Some(RECORDS_NOTES),
        },
        Page {
            file: "resources/registered_domain.md",
            kind: "Resource",
            name: crate::registered_domain::TYPE_NAME,
            schema: crate::registered_domain::schema(),
            example: include_str!("../../examples/resources/r53_registered_domain/resource.tf"),
            import: Some(include_str!(
                "../../examples/resources/r53_registered_domain/import.sh"
            )),
            notes: Some(REGISTERED_DOMAIN_NOTES),
        },
        Page {
            file: "resources/delegation.md",
            kind: "Resource",
            name: crate::delegation::TYPE_NAME,
            schema: crate::delegation::schema(),
            example: include_str!("../../examples/resources/r53_delegation/resource.tf"),
            import: Some(include_str!(
                "../../examples/resources/r53_delegation/import.sh"
            )),
            notes: Some(DELEGATION_NOTES),
        },
        Page {
            file: "resources/delegation_set.md",
            kind: "Resource",
            name: crate::delegation_set::TYPE_NAME,
            schema: crate::delegation_set::schema(),
            example: include_str!("../../examples/resources/r53_delegation_set/resource.tf"),
            import: Some(include_str!(
                "../../examples/resources/r53_delegation_set/import.sh"
            )),
            notes: None,
        },
        Page {
            file: "resources/key_signing_key.md",
            kind: "Resource",
            name: crate::key_signing_key::TYPE_NAME,
            schema: crate::key_signing_key::schema(),
            example: include_str!("../../examples/resources/r53_key_signing_key/resource.tf"),
            import: Some(include_str!(
                "../../examples/resources/r53_key_signing_key/import.sh"
            )),
            notes: None,
        },
        Page {
            file: "resources/hosted_zone_dnssec.md",
            kind: "Resource",
            name: crate::hosted_zone_dnssec::TYPE_NAME,
            schema: crate::hosted_zone_dnssec::schema(),
            example: include_str!("../../examples/resources/r53_hosted_zone_dnssec/resource.tf"),
            import: Some(include_str!(
                "../../examples/resources/r53_hosted_zone_dnssec/import.sh"
            )),
            notes: None,
        },
        Page {
            file: "resources/health_check.md",
            kind: "Resource",
            name: crate::health_check::TYPE_NAME,
            schema: crate::health_check::schema(),
            example: include_str!("../../examples/resources/r53_health_check/resource.tf"),
            import: Some(include_str!(
                "../../examples/resources/r53_health_check/import.sh"
            )),
            notes: None,
        },
        Page {
            file: "resources/cidr_collection.md",
            kind: "Resource",
            name: crate::cidr_collection::TYPE_NAME,
            schema: crate::cidr_collection::schema(),
            example: include_str!("../../examples/resources/r53_cidr_collection/resource.tf"),
            import: Some(include_str!(
                "../../examples/resources/r53_cidr_collection/import.sh"
            )),
            notes: None,
        },
        Page {
            file: "resources/query_log.md",
            kind: "Resource",
            name: crate::query_log::TYPE_NAME,
            schema: crate::query_log::schema(),
            example: include_str!("../../examples/resources/r53_query_log/resource.tf"),
            import: Some(include_str!(
                "../../examples/resources/r53_query_log/import.sh"
            )),
            notes: None,
        },
        Page {
            file: "resources/zone_association.md",
            kind: "Resource",
            name: crate::zone_association::TYPE_NAME,
            schema: crate::zone_association::schema(),
            example: include_str!("../../examples/resources/r53_zone_association/resource.tf"),
            import: Some(include_str!(
                "../../examples/resources/r53_zone_association/import.sh"
            )),
            notes: Some(ASSOCIATION_NOTES),
        },
        Page {
            file: "resources/vpc_association_authorization.md",
            kind: "Resource",
            name: crate::vpc_association_authorization::TYPE_NAME,
            schema: crate::vpc_association_authorization::schema(),
            example: include_str!(
                "../../examples/resources/r53_vpc_association_authorization/resource.tf"
            ),
            import: Some(include_str!(
                "../../examples/resources/r53_vpc_association_authorization/import.sh"
            )),
            notes: Some(ASSOCIATION_NOTES),
        },
        Page {
            file: "resources/resolver_endpoint.md",
            kind: "Resource",
            name: crate::resolver_endpoint::TYPE_NAME,
            schema: crate::resolver_endpoint::schema(),
            example: include_str!("../../examples/resources/r53_resolver_endpoint/resource.tf"),
            import: Some(include_str!(
                "../../examples/resources/r53_resolver_endpoint/import.sh"
            )),
            notes: Some(RESOLVER_NOTES),
        },
        Page {
            file: "resources/resolver_rule.md",
            kind: "Resource",
            name: crate::resolver_rule::TYPE_NAME,
            schema: crate::resolver_rule::schema(),
            example: include_str!("../../examples/resources/r53_resolver_rule/resource.tf"),
            import: Some(include_str!(
                "../../examples/resources/r53_resolver_rule/import.sh"
            )),
            notes: Some(RESOLVER_NOTES),
        },
        Page {
            file: "resources/resolver_rule_association.md",
            kind: "Resource",
            name: crate::resolver_rule_association::TYPE_NAME,
            schema: crate::resolver_rule_association::schema(),
            example: include_str!(
                "../../examples/resources/r53_resolver_rule_association/resource.tf"
            ),
            import: Some(include_str!(
                "../../examples/resources/r53_resolver_rule_association/import.sh"
            )),
            notes: Some(RESOLVER_NOTES),
        },
        Page {
            file: "data-sources/hosted_zone.md",
            kind: "Data Source",
            name: crate::data_hosted_zone::TYPE_NAME,
            schema: crate::data_hosted_zone::schema(),
            example: include_str!("../../examples/data-sources/r53_hosted_zone/data-source.tf"),
            import: None,
            notes: None,
        },
        Page {
            file: "data-sources/registered_domain.md",
            kind: "Data Source",
            name: crate::data_registered_domain::TYPE_NAME,
            schema: crate::data_registered_domain::schema(),
            example: include_str!(
                "../../examples/data-sources/r53_registered_domain/data-source.tf"
            ),
            import: None,
            notes: None,
        },
        Page {
            file: "data-sources/domain_availability.md",
            kind: "Data Source",
            name: crate::data_domain_availability::TYPE_NAME,
            schema: crate::data_domain_availability::schema(),
            example: include_str!(
                "../../examples/data-sources/r53_domain_availability/data-source.tf"
            ),
            import: None,
            notes: None,
        },
        Page {
            file: "data-sources/delegation_status.md",
            kind: "Data Source",
            name: crate::data_delegation_status::TYPE_NAME,
            schema: crate::data_delegation_status::schema(),
            example: include_str!(
                "../../examples/data-sources/r53_delegation_status/data-source.tf"
            ),
            import: None,
            notes: None,
        },
        Page {
            file: "data-sources/delegation_set.md",
            kind: "Data Source",
            name: crate::data_delegation_set::TYPE_NAME,
            schema: crate::data_delegation_set::schema(),
            example: include_str!("../../examples/data-sources/r53_delegation_set/data-source.tf"),
            import: None,
            notes: None,
        },
        Page {
            file: "data-sources/health_check_status.md",
            kind: "Data Source",
            name: crate::data_health_check_status::TYPE_NAME,
            schema: crate::data_health_check_status::schema(),
            example: include_str!(
                "../../examples/data-sources/r53_health_check_status/data-source.tf"
            ),
            import: None,
            notes: Some(HEALTH_CHECK_STATUS_NOTES),
        },
        Page {
            file: "data-sources/hosted_zones.md",
            kind: "Data Source",
            name: crate::data_hosted_zones::TYPE_NAME,
            schema: crate::data_hosted_zones::schema(),
            example: include_str!("../../examples/data-sources/r53_hosted_zones/data-source.tf"),
            import: None,
            notes: None,
        },
        Page {
            file: "data-sources/records.md",
            kind: "Data Source",
            name: crate::data_records::TYPE_NAME,
            schema: crate::data_records::schema(),
            example: include_str!("../../examples/data-sources/r53_records/data-source.tf"),
            import: None,
            notes: None,
        },
    ]
}

/// The `r53_records` page: block labels and the move from r53 0.1's list of blocks.
const RECORDS_NOTES: &str = "## Labels\n\n\
A label names a block in the configuration and in the plan; the record set itself is its `name`, `type` and \
`set_identifier`. Any label works, each used once. The labels `terraform import` gives — and \
`r53-migrate export-tf` writes — are the name relative to the zone (`@` at the apex), the type and the set \
identifier, separated by spaces: `\"www A\"`, `\"@ MX\"`, `\"api A eu-west\"`. With `dynamic \"record\"`, \
set it with `labels`, e.g. `for_each = local.records` (a map keyed by label) and `labels = [record.key]`. \
Terraform must know the labels when it validates the configuration: inside a module whose record map is an \
input variable, Terraform 1.15 does not know them then and refuses the block (\"Invalid dynamic block label\"). \
There, use `r53_record` with `for_each`, as the modules in `modules/` do.\n\n\
Changing a record set's `type`, `set_identifier` or routing policy (simple to weighted, say) changes that block \
in place: r53 sends the removal of the old record set and the creation of the new one in one change batch, which \
Route 53 applies atomically, so the name never goes unanswered.\n\n\
## Upgrading from r53 0.1\n\n\
r53 0.1 wrote `record` blocks without labels, as a list. The first plan with this version upgrades the state \
(schema version 1): each block gets the label import gives. Change the configuration the same way — \
`record {` becomes `record \"www A\" {` — and the plan is empty. Labels of your own work too: the plan then \
shows each relabelled block removed and added under its new label, and the apply writes nothing to Route 53 \
(the record sets are the same). `r53-migrate export-tf ZONE --out DIR` writes the whole resource with \
import's labels, to copy from.\n";

/// The example of a function's page.
fn function_example(name: &str) -> &'static str {
    match name {
        "fqdn" => include_str!("../../examples/functions/fqdn/function.tf"),
        "relative_name" => include_str!("../../examples/functions/relative_name/function.tf"),
        "txt_strings" => include_str!("../../examples/functions/txt_strings/function.tf"),
        "txt_value" => include_str!("../../examples/functions/txt_value/function.tf"),
        "nameservers_equal" => {
            include_str!("../../examples/functions/nameservers_equal/function.tf")
        }
        "reverse_name" => include_str!("../../examples/functions/reverse_name/function.tf"),
        "ds_record" => include_str!("../../examples/functions/ds_record/function.tf"),
        _ => "",
    }
}

/// A type as HCL writes a type constraint.
fn hcl_type(t: &r53_plugin::Type) -> String {
    use r53_plugin::Type as T;
    match t {
        T::Bool => "bool".into(),
        T::Number => "number".into(),
        T::String => "string".into(),
        T::Dynamic => "any".into(),
        T::List(e) => format!("list({})", hcl_type(e)),
        T::Set(e) => format!("set({})", hcl_type(e)),
        T::Map(e) => format!("map({})", hcl_type(e)),
        T::Object(attrs) => format!(
            "object({{{}}})",
            attrs
                .iter()
                .map(|(k, v)| format!("{k} = {}", hcl_type(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn function_page(f: &dyn r53_plugin::Function) -> String {
    let sig = f.signature();
    let name = f.name();
    let mut md = format!(
        "# Function `{name}`\n\n<!-- generated by `make docs` from the function's definition; do not edit -->\n\n\
         {}\n\n{}\n\nProvider-defined functions need Terraform >= 1.8 or OpenTofu >= 1.7, and the provider in \
         the module's `required_providers`.\n\n## Example\n\n```hcl\n{}```\n\n## Signature\n\n```text\n",
        sig.summary,
        sig.description,
        function_example(name)
    );
    let params: Vec<String> = sig
        .params
        .iter()
        .map(|p| format!("{} {}", p.name, hcl_type(&p.ty)))
        .collect();
    md.push_str(&format!(
        "provider::r53::{name}({}) {}\n```\n\n## Arguments\n\n",
        params.join(", "),
        hcl_type(&sig.returns)
    ));
    for (i, p) in sig.params.iter().enumerate() {
        md.push_str(&format!(
            "{}. `{}` ({}) {}\n",
            i + 1,
            p.name,
            hcl_type(&p.ty),
            p.description
        ));
    }
    md.push_str(&format!(
        "\n## Return\n\n`{}`. Arguments must be known and not null: with an unknown argument Terraform \
         does not call the function and the result is known after apply.\n",
        hcl_type(&sig.returns)
    ));
    md
}

/// The identity section of a resource page (import by identity, Terraform >= 1.12).
fn identity_section(type_name: &str) -> Option<String> {
    use r53_plugin::Provider;
    let r = crate::R53Provider::new()
        .resources()
        .into_iter()
        .find(|r| r.type_name() == type_name)?;
    let id = r.identity()?;
    let mut md = String::from(
        "\n### Import by identity\n\nTerraform >= 1.12 also imports by the resource's identity, an object \
         instead of an ID string:\n\n```hcl\nimport {\n",
    );
    md.push_str(&format!("  to = {type_name}.example\n  identity = {{\n"));
    let width = id
        .attributes
        .iter()
        .map(|a| a.name.len())
        .max()
        .unwrap_or(0);
    for a in &id.attributes {
        md.push_str(&format!("    {:width$} = \"...\"\n", a.name));
    }
    md.push_str("  }\n}\n```\n\n");
    for a in &id.attributes {
        md.push_str(&format!(
            "- `{}` ({}, {}) {}\n",
            a.name,
            hcl_type(&a.ty),
            if a.required_for_import {
                "required"
            } else {
                "optional"
            },
            a.description
        ));
    }
    Some(md)
}

/// The section on finding existing objects with `terraform query` (resources with a list resource).
fn list_section(type_name: &str) -> Option<String> {
    use r53_plugin::Provider;
    let l = crate::R53Provider::new()
        .list_resources()
        .into_iter()
        .find(|l| l.type_name() == type_name)?;
    let schema = l.schema();
    let required: Vec<&str> = schema
        .block
        .attributes
        .iter()
        .filter(|a| a.presence == r53_plugin::schema::Presence::Required)
        .map(|a| a.name.as_str())
        .collect();
    let config = if required.is_empty() {
        String::new()
    } else {
        let lines: Vec<String> = required
            .iter()
            .map(|r| format!("    {r} = \"...\"\n"))
            .collect();
        format!("  config {{\n{}  }}\n", lines.concat())
    };
    Some(format!(
        "\n## Finding existing ones: `terraform query`\n\n\
         With Terraform >= 1.14, a `list` block in a `.tfquery.hcl` file finds existing objects of this type; \
         `terraform query -generate-config-out=generated.tf` writes a resource block and an `import` block (by \
         identity) for each, which then plan as imports only.\n\n\
         ```hcl\nlist \"{type_name}\" \"all\" {{\n  provider = r53\n{config}}}\n```\n\n\
         {}\n\n{}",
        schema.block.description,
        schema.block.markdown("###")
    ))
}

/// (relative path, Markdown) for every page.
pub fn pages() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let p = crate::provider::provider_schema();
    let mut index = String::from("# The `r53` provider\n\n<!-- generated by `make docs` from the provider schema; do not edit -->\n\n");
    index.push_str(&p.block.description);
    index.push_str("\n\n## Example\n\n```hcl\n");
    index.push_str(PROVIDER_EXAMPLE);
    index.push_str("```\n\n");
    index.push_str(&p.block.markdown("##"));
    index.push_str("## Resources and data sources\n\n");
    for pg in pages_list() {
        index.push_str(&format!("- {} [`{}`]({})\n", pg.kind, pg.name, pg.file));
    }
    let functions = crate::functions::all();
    index.push_str("\n## Functions\n\nCalled as `provider::r53::NAME(…)` (Terraform >= 1.8, OpenTofu >= 1.7).\n\n");
    for f in &functions {
        index.push_str(&format!(
            "- [`{0}`](functions/{0}.md) — {1}\n",
            f.name(),
            f.signature().summary
        ));
    }
    out.push(("index.md".to_string(), index));
    for f in &functions {
        out.push((
            format!("functions/{}.md", f.name()),
            function_page(f.as_ref()),
        ));
    }
    for pg in pages_list() {
        let mut md = format!(
            "# {} `{}`\n\n<!-- generated by `make docs` from the schema; do not edit -->\n\n",
            pg.kind, pg.name
        );
        md.push_str(&pg.schema.block.description);
        if let Some(n) = pg.notes {
            md.push_str("\n\n");
            md.push_str(n.trim_end());
        }
        md.push_str("\n\n## Example\n\n```hcl\n");
        md.push_str(pg.example);
        md.push_str("```\n\n");
        md.push_str(&pg.schema.block.markdown("##"));
        if let Some(imp) = pg.import {
            md.push_str("## Import\n\n```sh\n");
            md.push_str(imp);
            md.push_str(&format!(
                "```\n\nOr with an `import` block (Terraform >= 1.5):\n\n```hcl\nimport {{\n  to = {}.example\n  id = \"...\"\n}}\n```\n",
                pg.name
            ));
            if let Some(idm) = identity_section(pg.name) {
                md.push_str(&idm);
            }
            if let Some(l) = list_section(pg.name) {
                md.push_str(&l);
            }
        }
        out.push((pg.file.to_string(), md));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_attribute_has_a_description() {
        fn walk(b: &r53_plugin::Block, path: &str) {
            assert!(!b.description.is_empty(), "block {path} has no description");
            for a in &b.attributes {
                assert!(
                    !a.description.is_empty(),
                    "{path}.{} has no description",
                    a.name
                );
            }
            for nb in &b.blocks {
                walk(&nb.block, &format!("{path}.{}", nb.name));
            }
        }
        walk(&crate::provider::provider_schema().block, "provider");
        for p in super::pages_list() {
            walk(&p.schema.block, p.name);
        }
    }

    #[test]
    fn every_function_has_an_example_and_documented_arguments() {
        for f in crate::functions::all() {
            assert!(
                super::function_example(f.name())
                    .contains(&format!("provider::r53::{}(", f.name())),
                "the example of {} does not call it",
                f.name()
            );
            let sig = f.signature();
            assert!(!sig.summary.is_empty() && !sig.description.is_empty());
            assert!(sig.params.iter().all(|p| !p.description.is_empty()));
        }
    }

    #[test]
    fn every_resource_and_data_source_has_a_page() {
        use r53_plugin::Provider;
        let p = crate::R53Provider::new();
        let pages = super::pages_list();
        let has =
            |kind: &str, name: &str| pages.iter().any(|pg| pg.kind == kind && pg.name == name);
        for r in p.resources() {
            assert!(
                has("Resource", r.type_name()),
                "no docs page for resource {}",
                r.type_name()
            );
        }
        for d in p.data_sources() {
            assert!(
                has("Data Source", d.type_name()),
                "no docs page for data source {}",
                d.type_name()
            );
        }
    }
}
