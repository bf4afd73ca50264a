# In the account that owns the private zone: let another account's VPC associate with it.
resource "r53_vpc_association_authorization" "app" {
  zone_id    = r53_hosted_zone.internal.zone_id
  vpc_id     = "vpc-0bbbbbbbbbbbbbbbb" # a VPC of account 222222222222
  vpc_region = "eu-west-1"
}

# The VPC's account then associates it (a provider configured for that account):
# resource "r53_zone_association" "app" {
#   provider   = r53.network
#   zone_id    = r53_vpc_association_authorization.app.zone_id
#   vpc_id     = r53_vpc_association_authorization.app.vpc_id
#   vpc_region = r53_vpc_association_authorization.app.vpc_region
# }
