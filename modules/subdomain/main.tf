# A subdomain in its own hosted zone — typically in another account than its parent — delegated from the
# parent Route 53 zone with an NS record set. Two provider configurations: `r53.parent` (the parent zone's
# account) and `r53.child` (the subdomain's).

terraform {
  required_version = ">= 1.5"
  required_providers {
    r53 = {
      source                = "r53/r53"
      configuration_aliases = [r53.parent, r53.child]
    }
  }
}

resource "r53_hosted_zone" "child" {
  provider      = r53.child
  name          = var.name
  tags          = var.tags
  force_destroy = var.force_destroy
}

# One r53_record per set: a module's record map has keys Terraform cannot know while it validates the
# module, and r53_records' labelled blocks need known labels (r53_record's for_each does not).
resource "r53_record" "child" {
  provider = r53.child
  for_each = var.records
  zone_id  = r53_hosted_zone.child.zone_id
  name     = each.value.name == "@" ? var.name : "${each.value.name}.${var.name}"
  type     = each.value.type
  ttl      = each.value.ttl
  records  = each.value.records
}

# Refers to the child zone, so Terraform creates the zone first and, on destroy, removes the referral
# from the parent before it deletes the zone: the name never points at servers that no longer serve it.
resource "r53_delegation" "this" {
  provider       = r53.parent
  domain         = var.name
  parent_zone_id = var.parent_zone_id
  name_servers   = r53_hosted_zone.child.name_servers
}
