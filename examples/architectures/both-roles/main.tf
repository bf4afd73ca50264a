# Route 53 registrar + Route 53 hosting: the domain is registered with Route 53 Domains (adopted
# here; set register = true to buy it), its zone and records live in Route 53, and r53_delegation
# points the registration at the zone's name servers and waits until the TLD publishes them.

terraform {
  required_providers {
    r53 = { source = "r53/r53" }
  }
}

provider "r53" {}

variable "domain" {
  type        = string
  description = "A domain registered with Route 53 Domains in this account."
}

variable "web_ip" {
  type    = string
  default = "192.0.2.10"
}

variable "standby_ip" {
  type    = string
  default = "198.51.100.10"
}

resource "r53_registered_domain" "this" {
  domain_name   = var.domain
  auto_renew    = true
  transfer_lock = true
}

resource "r53_hosted_zone" "this" {
  name = var.domain
}

resource "r53_record" "www" {
  zone_id = r53_hosted_zone.this.zone_id
  name    = "www.${var.domain}"
  type    = "A"
  ttl     = 300
  records = [var.web_ip]
}

# The apex can't be a CNAME: an alias to www answers with www's addresses.
resource "r53_record" "apex" {
  zone_id = r53_hosted_zone.this.zone_id
  name    = var.domain
  type    = "A"

  alias {
    name                   = r53_record.www.name
    zone_id                = r53_hosted_zone.this.zone_id
    evaluate_target_health = false
  }
}

# Route 53's checkers fetch https://www.<domain>/health from several regions; when the page fails
# (or lacks "ok") for 3 checks in a row in enough regions, the primary below stops answering.
resource "r53_health_check" "app_primary" {
  type              = "HTTPS_STR_MATCH"
  fqdn              = "www.${var.domain}"
  resource_path     = "/health"
  search_string     = "ok"
  failure_threshold = 3
  reference_name    = "app-primary"
}

# A failover pair: the standby answers only while the primary's health check fails (a primary
# without a health check is always considered healthy).
resource "r53_record" "app_primary" {
  zone_id         = r53_hosted_zone.this.zone_id
  name            = "app.${var.domain}"
  type            = "A"
  ttl             = 60
  records         = [var.web_ip]
  set_identifier  = "primary"
  health_check_id = r53_health_check.app_primary.id

  failover_routing_policy {
    type = "PRIMARY"
  }
}

resource "r53_record" "app_secondary" {
  zone_id        = r53_hosted_zone.this.zone_id
  name           = "app.${var.domain}"
  type           = "A"
  ttl            = 60
  records        = [var.standby_ip]
  set_identifier = "secondary"

  failover_routing_policy {
    type = "SECONDARY"
  }
}

# The link: the registration points at the zone's four name servers.
resource "r53_delegation" "this" {
  domain       = r53_registered_domain.this.domain_name
  registrar    = "route53"
  name_servers = r53_hosted_zone.this.name_servers

  # Records first: the domain never points at an empty zone.
  depends_on = [r53_record.apex, r53_record.app_primary, r53_record.app_secondary]
}

output "name_servers" {
  value = r53_hosted_zone.this.name_servers
}

output "delegated" {
  value = r53_delegation.this.delegated
}
