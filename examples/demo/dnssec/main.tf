# Part five of `make demo`: DNSSEC for a domain whose registrar and DNS host are both Route 53.
# One apply signs the zone with a key-signing key held in KMS and publishes its DS through the
# registrar in the only safe order; r53_delegation checks every step over DNS and ends "secure".
terraform {
  required_providers {
    r53 = {
      source = "r53/r53"
    }
  }
}

provider "r53" {}

variable "domain" {
  type    = string
  default = "signed-r53.example"
}

# An asymmetric ECC_NIST_P256 SIGN_VERIFY key in us-east-1 whose policy lets Route 53's DNSSEC
# service use it (the lab makes one; r53_key_signing_key checks all of this before any call).
variable "kms_key_arn" {
  type = string
}

resource "r53_hosted_zone" "main" {
  name          = var.domain
  comment       = "r53 DNSSEC demo zone"
  force_destroy = true
}

resource "r53_record" "www" {
  zone_id = r53_hosted_zone.main.zone_id
  name    = "www.${var.domain}"
  type    = "A"
  ttl     = 5
  records = ["192.0.2.30"]
}

resource "r53_key_signing_key" "main" {
  hosted_zone_id = r53_hosted_zone.main.zone_id
  name           = "demo_ksk"
  kms_key_arn    = var.kms_key_arn
}

resource "r53_hosted_zone_dnssec" "main" {
  hosted_zone_id = r53_key_signing_key.main.hosted_zone_id
}

# The domain is registered with Route 53 Domains: the delegation binds it to the zone's name
# servers and, with dnssec_keys, publishes the KSK's DS once every name server serves the zone
# signed and the zone's TTLs have passed, then validates the chain from the root.
resource "r53_delegation" "main" {
  domain       = var.domain
  registrar    = "route53"
  name_servers = r53_hosted_zone.main.name_servers
  dnssec_keys  = [r53_key_signing_key.main.dnskey_record]
  # A new zone: no resolver has cached anything from it, so the longest record TTL (www) will do.
  dnssec_max_ttl = 5
  depends_on     = [r53_hosted_zone_dnssec.main, r53_record.www]
}

output "ds_record" {
  value = r53_key_signing_key.main.ds_record
}

output "dnssec" {
  value = r53_delegation.main.dnssec
}

output "published_ds" {
  value = r53_delegation.main.published_ds
}
