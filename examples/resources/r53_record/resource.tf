resource "r53_record" "www" {
  zone_id = r53_hosted_zone.main.zone_id
  name    = "www.example.com"
  type    = "A"
  ttl     = 300
  records = ["192.0.2.10", "192.0.2.11"]
}

# Long TXT values are split into 255-character strings for you.
resource "r53_record" "dkim" {
  zone_id = r53_hosted_zone.main.zone_id
  name    = "selector1._domainkey.example.com"
  type    = "TXT"
  ttl     = 3600
  records = ["v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA..."]
}

# Apex alias to a load balancer (no ttl, no records).
resource "r53_record" "apex" {
  zone_id = r53_hosted_zone.main.zone_id
  name    = "example.com"
  type    = "A"

  alias {
    name                   = "my-lb-1234567890.eu-west-1.elb.amazonaws.com"
    zone_id                = "Z32O12XQLNTSW2"
    evaluate_target_health = true
  }
}

# Failover pair.
resource "r53_record" "api_primary" {
  zone_id         = r53_hosted_zone.main.zone_id
  name            = "api.example.com"
  type            = "A"
  ttl             = 60
  records         = ["192.0.2.20"]
  set_identifier  = "primary"
  health_check_id = "abcdef11-2222-3333-4444-555555fedcba"

  failover_routing_policy {
    type = "PRIMARY"
  }
}
