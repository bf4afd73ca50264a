data "r53_registered_domain" "main" {
  domain_name = "example.com"
}

output "expires" {
  value = data.r53_registered_domain.main.expiration_date
}

output "registrar_name_servers" {
  value = data.r53_registered_domain.main.name_servers
}
