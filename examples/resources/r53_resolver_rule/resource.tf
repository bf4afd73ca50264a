# Forward corp.example.com to the data centre's DNS servers.
resource "r53_resolver_rule" "corp" {
  domain_name          = "corp.example.com"
  rule_type            = "FORWARD"
  name                 = "corp"
  resolver_endpoint_id = r53_resolver_endpoint.outbound.id

  target_ip {
    ip = "192.0.2.53"
  }
  target_ip {
    ip   = "192.0.2.54"
    port = 5353
  }
}
