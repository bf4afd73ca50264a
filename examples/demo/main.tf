# The demo `make demo` applies against the local lab (moto behind r53's strict proxy, the lab's TLD
# registry and Route 53 name servers).
terraform {
  required_providers {
    r53 = {
      source = "r53/r53"
    }
  }
}

provider "r53" {}

variable "domain" {
  type    = string
  default = "demo-r53.example"
}

resource "r53_hosted_zone" "main" {
  name          = var.domain
  comment       = "r53 demo zone"
  force_destroy = true
  tags = {
    purpose = "demo"
  }
}

resource "r53_record" "www" {
  zone_id = r53_hosted_zone.main.zone_id
  name    = "www.${var.domain}"
  type    = "A"
  ttl     = 300
  records = ["192.0.2.10", "192.0.2.11"]
}

resource "r53_record" "mail" {
  zone_id = r53_hosted_zone.main.zone_id
  name    = var.domain
  type    = "MX"
  ttl     = 3600
  records = ["10 mx1.${var.domain}.", "20 mx2.${var.domain}."]
}

resource "r53_record" "spf" {
  zone_id = r53_hosted_zone.main.zone_id
  name    = var.domain
  type    = "TXT"
  ttl     = 3600
  records = ["v=spf1 include:_spf.${var.domain} -all"]
}

resource "r53_record" "apex_alias" {
  zone_id = r53_hosted_zone.main.zone_id
  name    = "app.${var.domain}"
  type    = "A"
  alias {
    name    = "www.${var.domain}"
    zone_id = r53_hosted_zone.main.zone_id
  }
}

data "r53_hosted_zone" "by_name" {
  name       = var.domain
  depends_on = [r53_record.www, r53_record.mail, r53_record.spf, r53_record.apex_alias]
}

# Hosting-only: the domain is registered at another registrar, so r53 cannot switch it; the binding
# says what to set there and reports, on every plan, whether the parent publishes it yet.
resource "r53_delegation" "main" {
  domain       = var.domain
  registrar    = "external"
  name_servers = r53_hosted_zone.main.name_servers
  depends_on   = [r53_record.www, r53_record.mail, r53_record.spf, r53_record.apex_alias]
}

output "delegation" {
  value = r53_delegation.main.status_message
}

output "zone_id" {
  value = r53_hosted_zone.main.zone_id
}

output "name_servers" {
  value = r53_hosted_zone.main.name_servers
}

output "looked_up_zone_id" {
  value = data.r53_hosted_zone.by_name.zone_id
}

output "records" {
  value = {
    www  = r53_record.www.records
    mail = r53_record.mail.records
    spf  = r53_record.spf.records
    app  = "alias -> ${r53_record.apex_alias.alias[0].name}"
  }
}
