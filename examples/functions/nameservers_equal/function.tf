data "r53_delegation_status" "example" {
  domain = "example.com"
}

resource "r53_hosted_zone" "example" {
  name = "example.com"
}

# Does the parent already delegate to the zone's name servers?
output "delegated_to_the_zone" {
  value = provider::r53::nameservers_equal(
    data.r53_delegation_status.example.name_servers,
    r53_hosted_zone.example.name_servers,
  )
}
