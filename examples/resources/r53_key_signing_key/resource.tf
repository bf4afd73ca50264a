# The KMS key Route 53 signs with must be in us-east-1, ECC_NIST_P256, SIGN_VERIFY and enabled, with a
# key policy that lets Route 53 use it (with the AWS provider: aws_kms_key with
# customer_master_key_spec = "ECC_NIST_P256" and key_usage = "SIGN_VERIFY"). The statement to add:
#   {
#     "Sid": "Allow Route 53 DNSSEC Service",
#     "Effect": "Allow",
#     "Principal": { "Service": "dnssec-route53.amazonaws.com" },
#     "Action": ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"],
#     "Resource": "*",
#     "Condition": {
#       "StringEquals": { "aws:SourceAccount": "123456789012" },
#       "ArnLike": { "aws:SourceArn": "arn:aws:route53:::hostedzone/*" }
#     }
#   }
# The provider checks the key before asking Route 53 and prints this statement when it is missing.
resource "r53_hosted_zone" "example" {
  name = "example.com"
}

resource "r53_key_signing_key" "example" {
  hosted_zone_id = r53_hosted_zone.example.zone_id
  name           = "example_ksk"
  kms_key_arn    = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

resource "r53_hosted_zone_dnssec" "example" {
  hosted_zone_id = r53_key_signing_key.example.hosted_zone_id
}

# What the parent (the registrar, or the parent zone) publishes to make the zone secure.
output "ds_record" {
  value = r53_key_signing_key.example.ds_record
}
