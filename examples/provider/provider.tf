terraform {
  required_providers {
    r53 = {
      source = "r53/r53"
    }
  }
}

# Credentials come from the standard AWS chain (environment, ~/.aws files, SSO, instance roles).
provider "r53" {
  profile = "dns-admin"

  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/dns"
    session_name = "terraform-dns"
  }
}
