variable "ksk" {
  description = "The zone's key-signing DNSKEY, e.g. \"257 3 13 mdsswUyr3DPW…\""
  type        = string
}

# The DS a parent zone publishes for the child (SHA-256).
resource "r53_record" "child_ds" {
  zone_id = r53_hosted_zone.parent.zone_id
  name    = "dev.example.com"
  type    = "DS"
  ttl     = 3600
  records = [provider::r53::ds_record("dev.example.com", var.ksk)]
}
