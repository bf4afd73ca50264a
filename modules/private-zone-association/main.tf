# The VPC account's half of sharing a private zone across accounts: associates its VPCs with zones of
# another account that authorized them (`private-zone`'s `authorizations` output).

terraform {
  required_version = ">= 1.5"
  required_providers {
    r53 = { source = "r53/r53" }
  }
}

resource "r53_zone_association" "this" {
  for_each   = var.associations
  zone_id    = each.value.zone_id
  vpc_id     = each.value.vpc_id
  vpc_region = each.value.vpc_region
}
