resource "r53_hosted_zone" "example" {
  name = "example.com"
}

resource "r53_key_signing_key" "example" {
  hosted_zone_id = r53_hosted_zone.example.zone_id
  name           = "example_ksk"
  kms_key_arn    = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

# Signing starts once the key exists (the reference orders them) and stops before it is destroyed.
resource "r53_hosted_zone_dnssec" "example" {
  hosted_zone_id = r53_key_signing_key.example.hosted_zone_id
}
