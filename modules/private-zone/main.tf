# A private hosted zone in its own (DNS) account, answering in a VPC of that account and authorized for VPCs
# of other accounts. Each of those accounts then associates its VPC with `private-zone-association`, given
# this module's `authorizations` output.

terraform {
  required_version = ">= 1.5"
  required_providers {
    r53 = { source = "r53/r53" }
  }
}

resource "r53_hosted_zone" "this" {
  name             = var.name
  tags             = var.tags
  force_destroy    = var.force_destroy
  vpc_associations = "additive" # other accounts' associations are theirs to manage

  vpc {
    vpc_id     = var.vpc.vpc_id
    vpc_region = var.vpc.vpc_region
  }
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

resource "r53_vpc_association_authorization" "this" {
  for_each   = var.shared_vpcs
  zone_id    = r53_hosted_zone.this.zone_id
  vpc_id     = each.value.vpc_id
  vpc_region = each.value.vpc_region
}
