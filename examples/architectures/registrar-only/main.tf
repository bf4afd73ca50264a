# Route 53 registrar + hosting elsewhere: the domain is registered with Route 53 Domains, but
# another DNS provider serves its zone. r53_delegation points the registration at that provider's
# name servers (it warns if they do not answer for the domain yet) and waits for the TLD.

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

variable "name_servers" {
  type        = list(string)
  description = "The other DNS provider's name servers for this domain."
}

resource "r53_registered_domain" "this" {
  domain_name   = var.domain
  auto_renew    = true
  transfer_lock = true
}

resource "r53_delegation" "this" {
  domain       = r53_registered_domain.this.domain_name
  registrar    = "route53"
  name_servers = var.name_servers
}

# What the world sees: the TLD's delegation and each name server's answer.
data "r53_delegation_status" "this" {
  domain     = r53_delegation.this.domain
  depends_on = [r53_delegation.this]
}

output "published_name_servers" {
  value = data.r53_delegation_status.this.name_servers
}

output "problems" {
  value = data.r53_delegation_status.this.problems
}
