data "r53_hosted_zone" "main" {
  name = "example.com"
}

output "zone_id" {
  value = data.r53_hosted_zone.main.zone_id
}
