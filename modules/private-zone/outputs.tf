output "zone_id" {
  description = "The private zone's ID."
  value       = r53_hosted_zone.this.zone_id
}

output "authorizations" {
  description = "Per shared VPC (the keys of `shared_vpcs`): the zone and VPC to associate, for `private-zone-association` in the VPC's account. Referring to it orders the association after the authorization, and its removal before."
  value = {
    for k, a in r53_vpc_association_authorization.this : k => {
      zone_id    = a.zone_id
      vpc_id     = a.vpc_id
      vpc_region = a.vpc_region
    }
  }
}
