# A domain hosted in Route 53: the zone, its record sets, and (optionally) the delegation that points the
# registration at the zone's name servers — hosting-only (registrar = "external") or both roles
# (registrar = "route53").

terraform {
  required_version = ">= 1.5"
  required_providers {
    r53 = { source = "r53/r53" }
  }
}

resource "r53_hosted_zone" "this" {
  name              = var.name
  comment           = var.comment
  tags              = var.tags
  delegation_set_id = var.delegation_set_id
  force_destroy     = var.force_destroy
}

# One r53_record per set: a module's record map has keys Terraform cannot know while it validates the
# module, and r53_records' labelled blocks need known labels (r53_record's for_each does not).
resource "r53_record" "this" {
  for_each = var.records
  zone_id  = r53_hosted_zone.this.zone_id
  name     = each.value.name == "@" ? var.name : "${each.value.name}.${var.name}"
  type     = each.value.type
  ttl      = each.value.ttl
  records  = each.value.records
}

resource "r53_delegation" "this" {
  count        = var.registrar == null ? 0 : 1
  domain       = var.name
  registrar    = var.registrar
  name_servers = r53_hosted_zone.this.name_servers
}
