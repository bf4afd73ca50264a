locals {
  zone = "example.com"
}

output "names" {
  value = [
    provider::r53::fqdn("www", local.zone),              # "www.example.com"
    provider::r53::fqdn("@", local.zone),                # "example.com"
    provider::r53::fqdn("API.Example.com.", local.zone), # "api.example.com"
  ]
}
