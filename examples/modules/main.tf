# The modules in ../../modules, each over several instances with for_each:
# domains hosted in Route 53 (one registered with Route 53, one elsewhere), team subdomains in their own
# account delegated from the DNS account's zone, and private zones shared with another account's VPC.

terraform {
  required_providers {
    r53 = { source = "r53/r53" }
  }
}

provider "r53" {
  alias = "dns"
  assume_role { role_arn = "arn:aws:iam::111111111111:role/dns-admin" }
}

provider "r53" {
  alias = "team"
  assume_role { role_arn = "arn:aws:iam::222222222222:role/dns-admin" }
}

module "domain" {
  source    = "../../modules/domain"
  for_each  = { "example.com" = "route53", "example.org" = "external" }
  providers = { r53 = r53.dns }

  name      = each.key
  registrar = each.value
  records = {
    "@ A"   = { name = "@", type = "A", records = ["192.0.2.10"] }
    "www A" = { name = "www", type = "A", ttl = 60, records = ["192.0.2.10"] }
    "@ MX"  = { name = "@", type = "MX", records = ["10 mail.${each.key}"] }
  }
}

module "team" {
  source   = "../../modules/subdomain"
  for_each = toset(["dev", "staging"])
  providers = {
    r53.parent = r53.dns
    r53.child  = r53.team
  }

  name           = "${each.key}.example.com"
  parent_zone_id = module.domain["example.com"].zone_id
  records        = { "www A" = { name = "www", type = "A", records = ["192.0.2.20"] } }
}

module "internal" {
  source    = "../../modules/private-zone"
  for_each  = toset(["internal.example.com", "db.example.com"])
  providers = { r53 = r53.dns }

  name        = each.key
  vpc         = { vpc_id = "vpc-0aaaaaaaaaaaaaaaa" }
  shared_vpcs = { team = { vpc_id = "vpc-0bbbbbbbbbbbbbbbb" } }
}

module "team_associations" {
  source    = "../../modules/private-zone-association"
  for_each  = module.internal
  providers = { r53 = r53.team }

  associations = { team = each.value.authorizations["team"] }
}

output "set_at_the_other_registrar" {
  value = module.domain["example.org"].status_message
}
