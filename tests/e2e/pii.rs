//! Secrets and personal data (docs/security.md): the registrar flows — register, adopt, contact
//! update, drift, a refused update, a refused configuration, import, refresh, destroy — through
//! real Terraform with `TF_LOG=trace` into a `TF_LOG_PATH` file, and an AXFR import by
//! `r53-migrate` with `R53_LOG=trace` and a TSIG key. After every command the log, Terraform's
//! output (its diagnostics) and the state file are searched for every contact value the test
//! set, every value the lab registrar holds for the adopted domain, and the AWS secret key and
//! session token; the state may hold only the contacts the configuration sets.

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use r53_lab::knot::{Knot, LabKey, LabZone};
use r53_lab::terraform::TfOutput;
use r53_tests::*;

const SECRET_KEY: &str = "r53PiiSecretAccessKeyNeverLogged0123456789";
const SESSION_TOKEN: &str = "r53PiiSessionTokenNeverLogged/IQoJb3JpZ2luX2VjEXAMPLE0987654321";

/// A contact as (provider field, AWS field, value).
type Contact = [(&'static str, &'static str, &'static str); 9];

/// The contact the configuration sets (registrant and admin of the adopted domain, all three of
/// the bought one).
const CONFIGURED: Contact = [
    ("first_name", "FirstName", "Philippa"),
    ("last_name", "LastName", "Pseudonymova"),
    ("contact_type", "ContactType", "PERSON"),
    ("address_line_1", "AddressLine1", "77 Confidential Crescent"),
    ("city", "City", "Secretsville"),
    ("country_code", "CountryCode", "GB"),
    ("zip_code", "ZipCode", "ZZ9 9ZZ"),
    ("phone_number", "PhoneNumber", "+44.2079460123"),
    ("email", "Email", "philippa.config@pii-e2e.test"),
];

/// What the lab registrar holds for all four contacts of the adopted domain before Terraform
/// touches it: tech and billing stay so, unmanaged, and must never reach the state.
const HELD: Contact = [
    ("first_name", "FirstName", "Heldwyn"),
    ("last_name", "LastName", "Registrarson"),
    ("contact_type", "ContactType", "PERSON"),
    ("address_line_1", "AddressLine1", "5 Unmanaged Alley"),
    ("city", "City", "Holdingham"),
    ("country_code", "CountryCode", "US"),
    ("zip_code", "ZipCode", "98109-4321"),
    ("phone_number", "PhoneNumber", "+1.5550199887"),
    ("email", "Email", "heldwyn.held@pii-e2e.test"),
];

/// Values the test sends later: an updated phone, the console's out-of-band change, a phone the
/// registrar refuses, and one the validation refuses.
const UPDATED_PHONE: &str = "+44.2079460999";
const DRIFT_EMAIL: &str = "console.drift@pii-e2e.test";
const REFUSED_PHONE: &str = "+44.2079460555";
const INVALID_PHONE: &str = "+44 20 7946 0777";

/// The strings that must not appear. The contact type and country code are left out: `PERSON`,
/// `GB` and `US` occur in unrelated text, so finding them would prove nothing either way; every
/// other field is distinct.
fn forbidden() -> Vec<&'static str> {
    let mut v: Vec<&str> = CONFIGURED
        .iter()
        .chain(HELD.iter())
        .filter(|(f, _, _)| !matches!(*f, "contact_type" | "country_code"))
        .map(|(_, _, v)| *v)
        .collect();
    v.extend([
        UPDATED_PHONE,
        DRIFT_EMAIL,
        REFUSED_PHONE,
        INVALID_PHONE,
        SECRET_KEY,
        SESSION_TOKEN,
    ]);
    v
}

/// The held values, which may not be in the state either.
fn held() -> Vec<&'static str> {
    HELD.iter()
        .filter(|(f, _, _)| !matches!(*f, "contact_type" | "country_code"))
        .map(|(_, _, v)| *v)
        .collect()
}

fn hcl(c: &Contact, phone: &str) -> String {
    let fields: Vec<String> = c
        .iter()
        .map(|(f, _, v)| {
            let v = if *f == "phone_number" { phone } else { v };
            format!("{f} = \"{v}\"")
        })
        .collect();
    format!("{{ {} }}", fields.join(", "))
}

fn aws(c: &Contact) -> serde_json::Value {
    serde_json::Value::Object(
        c.iter()
            .map(|(_, k, v)| (k.to_string(), serde_json::json!(v)))
            .collect(),
    )
}

fn config(registrant_phone: &str, deregister: bool) -> String {
    let me = hcl(&CONFIGURED, registrant_phone);
    let admin = hcl(&CONFIGURED, CONFIGURED[7].2);
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

# In locals, so that Terraform's snippet of the configuration under a diagnostic (the user's own
# text, not something the provider echoes) shows `local.me`, not the values.
locals {{
  me    = {me}
  admin = {admin}
}}

resource "r53_registered_domain" "adopted" {{
  domain_name        = "pii-adopt.test"
  registrant_contact = local.me
  admin_contact      = local.admin
}}

resource "r53_registered_domain" "bought" {{
  domain_name           = "pii-buy.test"
  register              = true
  deregister_on_destroy = {deregister}
  admin_contact         = local.admin
  registrant_contact    = local.admin
  tech_contact          = local.admin
}}

data "r53_registered_domain" "view" {{
  domain_name = r53_registered_domain.adopted.domain_name
}}
"#
    )
}

/// Fails the test if any forbidden string is in the run's output, the log so far or the state.
#[track_caller]
fn assert_clean(step: &str, o: &TfOutput, log: &Path, dir: &Path) {
    let log_text = std::fs::read_to_string(log).unwrap_or_default();
    for v in forbidden() {
        assert!(
            !o.stdout.contains(v) && !o.stderr.contains(v),
            "{step}: {v:?} in Terraform's output:\n{}",
            o.text()
        );
        if let Some(at) = log_text.find(v) {
            let line = log_text[..at].rsplit('\n').next().unwrap_or_default();
            panic!("{step}: {v:?} in the TF_LOG file, line starting {line:?}");
        }
    }
    for f in ["terraform.tfstate", "terraform.tfstate.backup"] {
        let state = std::fs::read_to_string(dir.join(f)).unwrap_or_default();
        for v in held().into_iter().chain([SECRET_KEY, SESSION_TOKEN]) {
            assert!(!state.contains(v), "{step}: {v:?} in {f}");
        }
    }
}

fn run(tf: &Terraform, args: &[&str]) -> TfOutput {
    tf.run(args).expect("run terraform")
}

#[test]
fn no_contact_value_or_secret_in_logs_state_or_diagnostics() -> anyhow::Result<()> {
    let lab = lab();
    let reg = lab.proxy.registrar();
    reg.add_registered("pii-adopt.test", aws(&HELD), &["ns-1.awsdns-01.org"]);
    lab.registry.set_publish_delay(Duration::ZERO);
    let mut tf = lab.terraform(TfBin::Lib)?;
    let log = tf.path().join("tf-trace.log");
    tf.set_env("TF_LOG", "trace");
    tf.set_env("TF_LOG_PATH", &log.display().to_string());
    tf.set_env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    tf.set_env("AWS_SESSION_TOKEN", SESSION_TOKEN);
    let dir = tf.path().to_path_buf();
    let apply = ["apply", "-auto-approve", "-no-color", "-input=false"];
    let plan = ["plan", "-detailed-exitcode", "-no-color", "-input=false"];

    // Register one domain and adopt another (its registrant and admin contacts replaced).
    tf.write(&config(CONFIGURED[7].2, true))?;
    let o = run(&tf, &apply);
    assert_eq!(o.code, 0, "{}", o.text());
    assert_clean("register + adopt", &o, &log, &dir);
    let log_text = std::fs::read_to_string(&log)?;
    assert!(
        log_text.contains("[TRACE]") && log_text.contains("registered domain reconciled"),
        "the log is at trace level and has the provider's own lines"
    );
    let s = tf.resource("r53_registered_domain.adopted")?;
    assert!(s["tech_contact"].is_null(), "unmanaged: {s}");
    assert!(s["billing_contact"].is_null(), "unmanaged: {s}");
    assert_eq!(s["registrant_contact"]["last_name"], "Pseudonymova");
    let v = tf.state()?;
    let view = v["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|rs| {
            rs.iter()
                .find(|r| r["address"] == "data.r53_registered_domain.view")
        })
        .cloned()
        .expect("data source in state");
    for role in ["admin", "registrant", "tech", "billing"] {
        assert!(
            view["values"][format!("{role}_contact")].is_null(),
            "data source without include_contacts: {view}"
        );
    }
    // The registrar got the configured contacts; the unmanaged ones are as they were.
    let detail = lab.rt.block_on(
        domains_sdk(&lab)
            .get_domain_detail()
            .domain_name("pii-adopt.test")
            .send(),
    )?;
    assert_eq!(
        detail.registrant_contact().and_then(|c| c.last_name()),
        Some("Pseudonymova")
    );
    assert_eq!(
        detail.tech_contact().and_then(|c| c.last_name()),
        Some("Registrarson")
    );

    // Refresh and plan: nothing to change.
    let o = run(&tf, &plan);
    assert_eq!(o.code, 0, "{}", o.text());
    assert_clean("plan", &o, &log, &dir);

    // A contact update.
    tf.write(&config(UPDATED_PHONE, true))?;
    let o = run(&tf, &apply);
    assert_eq!(o.code, 0, "{}", o.text());
    assert!(o.stdout.contains("1 changed"), "{}", o.text());
    assert_clean("contact update", &o, &log, &dir);
    let o = run(&tf, &plan);
    assert_eq!(o.code, 0, "{}", o.text());

    // Drift on a managed contact (changed in the console) shows in the plan and is repaired.
    let mut drifted = aws(&CONFIGURED);
    drifted["PhoneNumber"] = serde_json::json!(UPDATED_PHONE);
    drifted["Email"] = serde_json::json!(DRIFT_EMAIL);
    let c: aws_sdk_route53domains::types::ContactDetail = contact_detail(&drifted);
    let op = lab.rt.block_on(
        domains_sdk(&lab)
            .update_domain_contact()
            .domain_name("pii-adopt.test")
            .registrant_contact(c)
            .send(),
    )?;
    wait_op(&lab, op.operation_id().unwrap_or_default());
    let o = run(&tf, &plan);
    assert_eq!(o.code, 2, "drift must show: {}", o.text());
    assert!(o.stdout.contains("registrant_contact"), "{}", o.text());
    assert_clean("drift plan", &o, &log, &dir);
    let o = run(&tf, &apply);
    assert_eq!(o.code, 0, "{}", o.text());
    assert_clean("drift repaired", &o, &log, &dir);

    // The registrar refuses an update and quotes the value: the diagnostic names the field.
    reg.fail_next(
        "UPDATE_DOMAIN_CONTACT",
        &format!("The registry rejected phone number {REFUSED_PHONE} of Philippa Pseudonymova."),
    );
    tf.write(&config(REFUSED_PHONE, true))?;
    let o = run(&tf, &apply);
    assert_ne!(o.code, 0, "{}", o.text());
    let folded = o.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        folded.contains("The registry rejected phone number <registrant_contact.phone_number> of"),
        "{}",
        o.text()
    );
    assert_clean("refused update", &o, &log, &dir);

    // A refused configuration: the error names the attribute and the rule only.
    tf.write(&config(INVALID_PHONE, true))?;
    let o = run(&tf, &plan);
    assert_eq!(o.code, 1, "{}", o.text());
    assert!(
        o.stderr.contains("Invalid registrant_contact"),
        "{}",
        o.text()
    );
    assert!(o.stderr.contains("+CC.NUMBER"), "{}", o.text());
    assert_clean("invalid configuration", &o, &log, &dir);

    // Import: no contact is written; the configured ones are an update that calls nothing.
    tf.write(&config(UPDATED_PHONE, true))?;
    let o = run(&tf, &apply);
    assert_eq!(o.code, 0, "{}", o.text());
    let o = run(&tf, &["state", "rm", "r53_registered_domain.adopted"]);
    assert_eq!(o.code, 0, "{}", o.text());
    let o = run(
        &tf,
        &[
            "import",
            "-no-color",
            "-input=false",
            "r53_registered_domain.adopted",
            "pii-adopt.test",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.text());
    assert_clean("import", &o, &log, &dir);
    let s = tf.resource("r53_registered_domain.adopted")?;
    for role in ["admin", "registrant", "tech", "billing"] {
        assert!(
            s[format!("{role}_contact")].is_null(),
            "import writes no contact: {s}"
        );
    }
    let before = lab.proxy.stats();
    let o = run(&tf, &apply);
    assert_eq!(o.code, 0, "{}", o.text());
    assert_clean("apply after import", &o, &log, &dir);
    assert_eq!(
        lab.proxy.stats().calls.get("UpdateDomainContact"),
        before.calls.get("UpdateDomainContact"),
        "the registrar already has the configured contacts"
    );
    let o = run(&tf, &plan);
    assert_eq!(o.code, 0, "{}", o.text());
    assert_clean("plan after import", &o, &log, &dir);

    // Destroy: the bought domain is given up, the adopted one stays registered.
    let o = run(
        &tf,
        &["destroy", "-auto-approve", "-no-color", "-input=false"],
    );
    assert_eq!(o.code, 0, "{}", o.text());
    assert_clean("destroy", &o, &log, &dir);
    assert!(reg.nameservers("pii-buy.test").is_none());
    assert!(reg.nameservers("pii-adopt.test").is_some());

    // r53-migrate: an AXFR import with a TSIG key, every log at trace.
    let secret = "r53-pii-tsig-secret-never-logged!";
    let key = LabKey {
        name: "pii-key".into(),
        secret_b64: base64::engine::general_purpose::STANDARD.encode(secret),
    };
    let soa = "$TTL 300\n@ IN SOA ns1.old. h.old. 1 7200 3600 1209600 300\n";
    let knot = Knot::start(
        &[LabZone {
            name: "pii.example".into(),
            text: format!("$ORIGIN pii.example.\n{soa}www IN A 192.0.2.1\n"),
            transfer: true,
            signed: false,
        }],
        Some(&key),
    )?;
    let d = tempfile::tempdir()?;
    let key_file = d.path().join("key");
    std::fs::write(&key_file, key.spec())?;
    let src = format!("axfr://{}", knot.addr);
    let args = [
        "import",
        "pii.example",
        "--from",
        &src,
        "--tsig-key-file",
        key_file.to_str().unwrap_or_default(),
        "--apply",
    ];
    let mut cmd = migrate_cmd(&lab, &args, d.path());
    cmd.env("R53_LOG", "trace")
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN);
    let r = run_cmd(cmd);
    assert_eq!(r.code, 0, "{}\n{}", r.text(), knot.log());
    for v in [secret, key.secret_b64.as_str(), SECRET_KEY, SESSION_TOKEN] {
        assert!(
            !r.stdout.contains(v) && !r.stderr.contains(v),
            "{v:?} in r53-migrate's output: {}",
            r.text()
        );
    }
    Ok(())
}

fn contact_detail(v: &serde_json::Value) -> aws_sdk_route53domains::types::ContactDetail {
    use aws_sdk_route53domains::types::{ContactDetail, ContactType, CountryCode};
    let g = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    ContactDetail::builder()
        .first_name(g("FirstName"))
        .last_name(g("LastName"))
        .contact_type(ContactType::from(g("ContactType").as_str()))
        .address_line1(g("AddressLine1"))
        .city(g("City"))
        .country_code(CountryCode::from(g("CountryCode").as_str()))
        .zip_code(g("ZipCode"))
        .phone_number(g("PhoneNumber"))
        .email(g("Email"))
        .build()
}

/// Waits for a registrar operation the test started itself to succeed.
fn wait_op(lab: &Lab, id: &str) {
    use aws_sdk_route53domains::types::OperationStatus;
    let c = domains_sdk(lab);
    for _ in 0..100 {
        let d = lab
            .rt
            .block_on(c.get_operation_detail().operation_id(id).send())
            .expect("GetOperationDetail");
        match d.status() {
            Some(OperationStatus::Successful) => return,
            Some(OperationStatus::Failed | OperationStatus::Error) => {
                panic!("operation {id} failed: {:?}", d.message())
            }
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    panic!("operation {id} did not finish in 10 s");
}

/// Contact values of the write-only test: none may appear in a plan file or state.
const WO_CONTACT: [(&str, &str); 9] = [
    ("first_name", "Wilhelmina"),
    ("last_name", "Onlywrite"),
    ("contact_type", "PERSON"),
    ("address_line_1", "7 Hidden Lane"),
    ("city", "Secretton"),
    ("country_code", "GB"),
    ("zip_code", "S3 7WO"),
    ("phone_number", "+44.2070000001"),
    ("email", "wilhelmina@wo-contact.example"),
];
const WO_NEW_PHONE: &str = "+44.2079999999";

fn wo_config(version: u32, extra: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

variable "contact" {{
  type      = map(string)
  ephemeral = true
}}

resource "r53_registered_domain" "wo" {{
  domain_name           = "wo-e2e.test"
  register              = true
  admin_contact_wo      = var.contact
  registrant_contact_wo = var.contact
  tech_contact_wo       = var.contact
  contacts_wo_version   = {version}
  {extra}
}}
"#
    )
}

/// The contact as `TF_VAR_contact` (an HCL object), with `phone`.
fn wo_var(phone: &str) -> String {
    let fields: Vec<String> = WO_CONTACT
        .iter()
        .map(|(k, v)| {
            let v = if *k == "phone_number" { phone } else { v };
            format!("{k} = {}", hcl_str(v))
        })
        .collect();
    format!("{{ {} }}", fields.join(", "))
}

/// Fails if a contact value (or `phone`) is in the saved plan `plan` (every entry of the zip) or
/// the state files.
fn assert_no_contact(step: &str, dir: &std::path::Path, plan: Option<&str>, phone: &str) {
    let values = WO_CONTACT
        .iter()
        .filter(|(k, _)| !matches!(*k, "contact_type" | "country_code"))
        .map(|(_, v)| *v)
        .chain([phone]);
    let plan_bytes = plan.map(|p| {
        let o = std::process::Command::new("unzip")
            .arg("-p")
            .arg(dir.join(p))
            .output()
            .expect("unzip runs");
        assert!(o.status.success(), "{step}: unzip {p}: {o:?}");
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        // What is searched is the plan itself (it names the domain).
        assert!(text.contains("wo-e2e.test"), "{step}: {p} unreadable");
        text
    });
    if plan.is_none() {
        let state = std::fs::read_to_string(dir.join("terraform.tfstate")).unwrap_or_default();
        assert!(state.contains("wo-e2e.test"), "{step}: no state to search");
    }
    for v in values {
        if let Some(b) = &plan_bytes {
            assert!(!b.contains(v), "{step}: {v:?} in the saved plan");
        }
        for f in ["terraform.tfstate", "terraform.tfstate.backup"] {
            let state = std::fs::read_to_string(dir.join(f)).unwrap_or_default();
            assert!(!state.contains(v), "{step}: {v:?} in {f}");
        }
    }
}

fn write_only_contacts(bin: TfBin) -> anyhow::Result<()> {
    let lab = lab();
    let mut tf = lab.terraform(bin)?;
    let dir = tf.path().to_path_buf();
    let registrar_phone = |lab: &Lab| -> anyhow::Result<Vec<Option<String>>> {
        let d = lab.rt.block_on(
            domains_sdk(lab)
                .get_domain_detail()
                .domain_name("wo-e2e.test")
                .send(),
        )?;
        Ok(
            [d.admin_contact(), d.registrant_contact(), d.tech_contact()]
                .into_iter()
                .map(|c| c.and_then(|c| c.phone_number()).map(str::to_string))
                .collect(),
        )
    };

    // Register with write-only contacts through a saved plan.
    tf.set_env("TF_VAR_contact", &wo_var(WO_CONTACT[7].1));
    tf.write(&wo_config(1, ""))?;
    tf.run_ok(&["plan", "-input=false", "-no-color", "-out=tfplan"])?;
    assert_no_contact("plan", &dir, Some("tfplan"), WO_CONTACT[7].1);
    tf.run_ok(&["apply", "-input=false", "-no-color", "tfplan"])?;
    assert_no_contact("register", &dir, None, WO_CONTACT[7].1);
    assert_eq!(
        registrar_phone(&lab)?,
        vec![Some(WO_CONTACT[7].1.to_string()); 3]
    );
    let s = tf.resource("r53_registered_domain.wo")?;
    for role in ["admin", "registrant", "tech", "billing"] {
        assert!(s[format!("{role}_contact_wo")].is_null(), "{s}");
        assert!(s[format!("{role}_contact")].is_null(), "{s}");
    }
    tf.assert_plan_empty()?;

    // A new value alone is not seen (nothing holds the old one); with the version bumped it is
    // sent, and again nothing of it is stored.
    tf.set_env("TF_VAR_contact", &wo_var(WO_NEW_PHONE));
    tf.assert_plan_empty()?;
    tf.write(&wo_config(2, ""))?;
    let p = tf.run_ok(&["plan", "-input=false", "-no-color", "-out=tfplan"])?;
    assert!(
        p.stdout.contains("0 to add, 1 to change, 0 to destroy"),
        "{}",
        p.text()
    );
    assert_no_contact("update plan", &dir, Some("tfplan"), WO_NEW_PHONE);
    tf.run_ok(&["apply", "-input=false", "-no-color", "tfplan"])?;
    assert_no_contact("update", &dir, None, WO_NEW_PHONE);
    assert_eq!(
        registrar_phone(&lab)?,
        vec![Some(WO_NEW_PHONE.to_string()); 3]
    );
    tf.assert_plan_empty()?;

    // A role given both ways is refused before anything is sent.
    tf.write(&wo_config(2, "admin_contact = var.contact"))?;
    let p = tf.plan_fails()?;
    assert!(
        p.text()
            .contains("set either admin_contact or admin_contact_wo"),
        "{}",
        p.text()
    );

    tf.write(&wo_config(2, ""))?;
    tf.destroy()?;
    assert_eq!(
        registrar_phone(&lab)?,
        vec![Some(WO_NEW_PHONE.to_string()); 3],
        "destroy leaves the registration as it is"
    );
    Ok(())
}

#[test]
fn write_only_contacts_never_reach_a_plan_file_or_the_state() -> anyhow::Result<()> {
    write_only_contacts(TfBin::Lib)
}

#[test]
fn write_only_contacts_under_terraform_1_11() -> anyhow::Result<()> {
    let Some(bin) = older_terraform() else {
        return Ok(());
    };
    write_only_contacts(bin)
}
