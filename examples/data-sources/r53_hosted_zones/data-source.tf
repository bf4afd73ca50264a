# Every public zone under example.com that the platform team owns.
data "r53_hosted_zones" "platform" {
  name_pattern = "*.example.com"
  private_zone = false
  tags         = { team = "platform" }
}

# The private zones a VPC resolves (its own account's and others' it was authorized for).
data "r53_hosted_zones" "vpc" {
  vpc_id = "vpc-0123456789abcdef0"
}

output "platform_zone_ids" {
  value = data.r53_hosted_zones.platform.ids
}
