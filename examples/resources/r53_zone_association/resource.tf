# A private zone in the DNS account, shared with a VPC of the network account.
provider "r53" {
  alias = "dns"
  assume_role {
    role_arn = "arn:aws:iam::111111111111:role/dns-admin"
  }
}

provider "r53" {
  alias  = "network"
  region = "eu-west-1"
  assume_role {
    role_arn = "arn:aws:iam::222222222222:role/network-admin"
  }
}

resource "r53_hosted_zone" "internal" {
  provider         = r53.dns
  name             = "internal.example.com"
  vpc_associations = "additive" # leave the association below alone

  vpc {
    vpc_id     = "vpc-0aaaaaaaaaaaaaaaa" # a VPC of the DNS account
    vpc_region = "eu-west-1"
  }
}

# The zone's account authorizes the other account's VPC…
resource "r53_vpc_association_authorization" "app" {
  provider   = r53.dns
  zone_id    = r53_hosted_zone.internal.zone_id
  vpc_id     = "vpc-0bbbbbbbbbbbbbbbb"
  vpc_region = "eu-west-1"
}

# …and the VPC's account associates it. Referring to the authorization orders both ways:
# authorize, then associate; disassociate, then remove the authorization.
resource "r53_zone_association" "app" {
  provider   = r53.network
  zone_id    = r53_vpc_association_authorization.app.zone_id
  vpc_id     = r53_vpc_association_authorization.app.vpc_id
  vpc_region = r53_vpc_association_authorization.app.vpc_region
}
