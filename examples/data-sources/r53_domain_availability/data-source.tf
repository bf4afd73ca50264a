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

data "r53_domain_availability" "shop" {
  domain_name = "example-shop.com"
}

resource "r53_registered_domain" "shop" {
  domain_name        = "example-shop.com"
  register           = true
  admin_contact      = local.owner
  registrant_contact = local.owner
  tech_contact       = local.owner

  lifecycle {
    precondition {
      condition     = data.r53_domain_availability.shop.available && data.r53_domain_availability.shop.registration_price <= 20
      error_message = "example-shop.com is not available for at most 20 ${data.r53_domain_availability.shop.currency} a year."
    }
  }
}
