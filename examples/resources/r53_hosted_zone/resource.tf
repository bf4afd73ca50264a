resource "r53_hosted_zone" "main" {
  name    = "example.com"
  comment = "Public zone for example.com"

  tags = {
    team = "platform"
  }
}

# A private zone, answered only inside the VPC.
resource "r53_hosted_zone" "internal" {
  name = "internal.example.com"

  vpc {
    vpc_id     = "vpc-0123456789abcdef0"
    vpc_region = "eu-west-1"
  }
}

output "name_servers" {
  value = r53_hosted_zone.main.name_servers
}
