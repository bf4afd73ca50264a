locals {
  owner = {
    first_name     = "Ada"
    last_name      = "Lovelace"
    contact_type   = "PERSON"
    address_line_1 = "1 Analytical Way"
    city           = "London"
    country_code   = "GB"
    zip_code       = "N1 1AA"
    phone_number   = "+44.2071234567"
    email          = "hostmaster@example.com"
  }
}

resource "r53_hosted_zone" "main" {
  name = "example.com"
}

# Adopt a domain already registered with Route 53 Domains in this account and point it at
# the zone. Destroying this resource leaves the domain registered.
resource "r53_registered_domain" "main" {
  domain_name        = "example.com"
  auto_renew         = true
  transfer_lock      = true
  admin_contact      = local.owner
  registrant_contact = local.owner
  tech_contact       = local.owner
  admin_privacy      = true
  registrant_privacy = true
  tech_privacy       = true

  dynamic "name_server" {
    for_each = r53_hosted_zone.main.name_servers
    content {
      name = name_server.value
    }
  }

  tags = { team = "platform" }
}

# Buy a new domain (fails at plan time without the three contacts).
resource "r53_registered_domain" "shop" {
  domain_name        = "example-shop.com"
  register           = true
  duration_in_years  = 1
  admin_contact      = local.owner
  registrant_contact = local.owner
  tech_contact       = local.owner

  # Own name servers inside the domain need glue addresses.
  name_server {
    name     = "ns1.example-shop.com"
    glue_ips = ["192.0.2.53", "2001:db8::53"]
  }
  name_server {
    name = "ns-2048.awsdns-64.com"
  }

  timeouts {
    create = "2h"
  }
}
