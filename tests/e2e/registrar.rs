//! The lab's Route 53 Domains through the real `aws-sdk-route53domains` client: the wire protocol
//! (JSON 1.1 behind the same endpoint as Route 53), asynchronous operations that pass through
//! SUBMITTED/IN_PROGRESS before their effect lands, AWS error codes, injected failures.

use aws_sdk_route53domains as domains;
use domains::types::{ContactDetail, ContactType, CountryCode, Nameserver, OperationStatus};
use r53_tests::*;

fn client(lab: &Lab) -> domains::Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let conf = lab.rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(lab.endpoint())
            .credentials_provider(domains::config::Credentials::new(
                "testing", "testing", None, None, "lab",
            ))
            .load(),
    );
    domains::Client::new(&conf)
}

fn contact() -> ContactDetail {
    ContactDetail::builder()
        .first_name("Ada")
        .last_name("Lovelace")
        .contact_type(ContactType::Person)
        .address_line1("1 Lab Way")
        .city("London")
        .country_code(CountryCode::Gb)
        .zip_code("N1 1AA")
        .phone_number("+44.2071234567")
        .email("ada@example.org")
        .build()
}

async fn wait(c: &domains::Client, id: &str) -> (Vec<OperationStatus>, Option<String>) {
    let mut seen = Vec::new();
    loop {
        let d = c
            .get_operation_detail()
            .operation_id(id)
            .send()
            .await
            .unwrap();
        let s = d.status().cloned().unwrap();
        if seen.last() != Some(&s) {
            seen.push(s.clone());
        }
        if matches!(s, OperationStatus::Successful | OperationStatus::Failed) {
            return (seen, d.message().map(str::to_string));
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[test]
fn lab_registrar_speaks_route53_domains() {
    let lab = lab();
    let c = client(&lab);
    lab.rt.block_on(async {
        let avail = c
            .check_domain_availability()
            .domain_name("e2e-shop.test")
            .send()
            .await
            .unwrap();
        assert_eq!(avail.availability().unwrap().as_str(), "AVAILABLE");
        let op = c
            .register_domain()
            .domain_name("e2e-shop.test")
            .duration_in_years(1)
            .admin_contact(contact())
            .registrant_contact(contact())
            .tech_contact(contact())
            .send()
            .await
            .unwrap();
        let (seen, _) = wait(&c, op.operation_id().unwrap()).await;
        // Which of the passing states a poll catches depends on the machine's load (a poll may come
        // after SUBMITTED's 300 ms); the order they are reported in, and the end, do not.
        let order = [
            OperationStatus::Submitted,
            OperationStatus::InProgress,
            OperationStatus::Successful,
        ];
        let rank = |s: &OperationStatus| order.iter().position(|o| o == s);
        assert!(
            seen.iter().all(|s| rank(s).is_some())
                && seen.windows(2).all(|w| rank(&w[0]) < rank(&w[1]))
                && seen.last() == Some(&OperationStatus::Successful),
            "{seen:?}"
        );
        let d = c
            .get_domain_detail()
            .domain_name("e2e-shop.test")
            .send()
            .await
            .unwrap();
        assert_eq!(d.nameservers().len(), 4);
        assert_eq!(d.auto_renew(), Some(true));
        assert!(d.expiration_date().unwrap().secs() > d.creation_date().unwrap().secs());

        // A failing name-server change reports the registry's message and changes nothing.
        lab.proxy
            .registrar()
            .fail_next("UPDATE_NAMESERVER", "The registry refused ns1.e2e-shop.test.");
        let ns = |n: &str, glue: &[&str]| {
            Nameserver::builder()
                .name(n)
                .set_glue_ips(Some(glue.iter().map(|g| g.to_string()).collect()))
                .build()
                .unwrap()
        };
        let set_ns = || async {
            c.update_domain_nameservers()
                .domain_name("e2e-shop.test")
                .nameservers(ns("ns1.e2e-shop.test", &["192.0.2.53"]))
                .nameservers(ns("ns2.other-host.net", &[]))
                .send()
                .await
                .unwrap()
        };
        let op = set_ns().await;
        let (seen, msg) = wait(&c, op.operation_id().unwrap()).await;
        assert_eq!(seen.last(), Some(&OperationStatus::Failed));
        assert_eq!(msg.as_deref(), Some("The registry refused ns1.e2e-shop.test."));
        assert_eq!(lab.proxy.registrar().nameservers("e2e-shop.test").unwrap().len(), 4);
        // Retried, it lands with the glue.
        let op = set_ns().await;
        assert_eq!(
            wait(&c, op.operation_id().unwrap()).await.0.last(),
            Some(&OperationStatus::Successful)
        );
        assert_eq!(
            lab.proxy.registrar().nameservers("e2e-shop.test").unwrap(),
            vec![
                ("ns1.e2e-shop.test".to_string(), vec!["192.0.2.53".to_string()]),
                ("ns2.other-host.net".to_string(), vec![]),
            ]
        );

        // Errors come back as the SDK's typed AWS errors.
        let e = c
            .check_domain_availability()
            .domain_name("x.nosuchtld")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(
                e.as_service_error(),
                Some(domains::operation::check_domain_availability::CheckDomainAvailabilityError::UnsupportedTld(_))
            ),
            "{e:?}"
        );
        // Synchronous settings.
        c.disable_domain_auto_renew()
            .domain_name("e2e-shop.test")
            .send()
            .await
            .unwrap();
        let d = c
            .get_domain_detail()
            .domain_name("e2e-shop.test")
            .send()
            .await
            .unwrap();
        assert_eq!(d.auto_renew(), Some(false));
    });
}
