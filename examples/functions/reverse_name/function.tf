resource "r53_record" "ptr" {
  zone_id = r53_hosted_zone.reverse.zone_id
  name    = provider::r53::reverse_name("192.0.2.10") # 10.2.0.192.in-addr.arpa
  type    = "PTR"
  ttl     = 300
  records = ["mail.example.com"]
}
