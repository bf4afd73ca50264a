# Registrar elsewhere + Route 53 hosting (the common migration): the zone and its records live in
# Route 53; the registration stays at another registrar, where only you can change the name
# servers. r53_delegation in external mode writes nothing: it says which name servers to set there,
# and every plan shows whether the parent publishes them yet.

terraform {
  required_providers {
    r53 = { source = "r53/r53" }
  }
}

provider "r53" {}

variable "domain" {
  type        = string
  description = "The domain, registered at another registrar."
}

variable "require_delegation" {
  type        = bool
  default     = false
  description = "Fail the apply until the other registrar points at the zone (for a pipeline gate)."
}

resource "r53_hosted_zone" "this" {
  name = var.domain
}

resource "r53_records" "this" {
  zone_id = r53_hosted_zone.this.zone_id

  record "www A" {
    name    = "www.${var.domain}"
    type    = "A"
    ttl     = 300
    records = ["192.0.2.10"]
  }

  record "@ A" {
    name = var.domain
    type = "A"
    alias {
      name                   = "www.${var.domain}"
      zone_id                = r53_hosted_zone.this.zone_id
      evaluate_target_health = false
    }
  }

  record "app A primary" {
    name           = "app.${var.domain}"
    type           = "A"
    ttl            = 60
    records        = ["192.0.2.20"]
    set_identifier = "primary"
    failover_routing_policy {
      type = "PRIMARY"
    }
  }

  record "app A secondary" {
    name           = "app.${var.domain}"
    type           = "A"
    ttl            = 60
    records        = ["198.51.100.20"]
    set_identifier = "secondary"
    failover_routing_policy {
      type = "SECONDARY"
    }
  }

  record "@ MX" {
    name    = var.domain
    type    = "MX"
    ttl     = 3600
    records = ["10 mail.${var.domain}"]
  }
}

resource "r53_delegation" "this" {
  domain                = var.domain
  registrar             = "external"
  name_servers          = r53_hosted_zone.this.name_servers
  fail_if_not_delegated = var.require_delegation
  depends_on            = [r53_records.this]
}

output "set_at_your_registrar" {
  description = "The name servers to enter at the registrar."
  value       = r53_hosted_zone.this.name_servers
}

output "delegation" {
  value = r53_delegation.this.status_message
}
