# Route 53 registrar + Route 53 hosting: point the registration at the zone.
resource "r53_delegation" "example_com" {
  domain       = "example.com"
  registrar    = "route53"
  name_servers = r53_hosted_zone.main.name_servers
}

# A subdomain delegated from a parent Route 53 zone (a provider alias reaches a parent zone in
# another account).
resource "r53_delegation" "dev" {
  provider       = r53.network_account
  domain         = r53_hosted_zone.dev.name
  parent_zone_id = "Z0123456789ABCDEFGHIJ"
  name_servers   = r53_hosted_zone.dev.name_servers
}

# Registered elsewhere (hosting-only): nothing is written; the plan shows until the other
# registrar publishes these name servers, and the apply fails until then.
resource "r53_delegation" "shop" {
  domain                = "shop.example"
  registrar             = "external"
  name_servers          = r53_hosted_zone.shop.name_servers
  fail_if_not_delegated = true
}

output "set_at_registrar" {
  value = r53_delegation.shop.status_message
}
