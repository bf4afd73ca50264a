# Active-passive failover: the primary answers while its health check passes.
resource "r53_health_check" "primary" {
  type              = "HTTPS_STR_MATCH"
  fqdn              = "primary.example.com"
  resource_path     = "/health"
  search_string     = "ok"
  failure_threshold = 3
  regions           = ["us-east-1", "eu-west-1", "ap-southeast-1"]
  reference_name    = "web-primary"
  tags              = { service = "web" }
}

resource "r53_record" "primary" {
  zone_id         = r53_hosted_zone.main.zone_id
  name            = "www.example.com"
  type            = "A"
  ttl             = 60
  records         = ["198.51.100.10"]
  set_identifier  = "primary"
  health_check_id = r53_health_check.primary.id

  failover_routing_policy {
    type = "PRIMARY"
  }
}

resource "r53_health_check" "api" {
  type = "TCP"
  fqdn = "api.example.com"
  port = 8443
}

# Healthy while at least one of its children is.
resource "r53_health_check" "any" {
  type                = "CALCULATED"
  child_health_checks = [r53_health_check.primary.id, r53_health_check.api.id]
  health_threshold    = 1
}
