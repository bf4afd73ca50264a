# All the record sets of a zone in one resource, written in as few change batches as Route 53
# allows. In "exclusive" mode anything not declared here (except the apex SOA/NS) is removed.
# Each block's label is yours to choose; the plan lists record sets by it. `terraform import` and
# `r53-migrate export-tf` use the name relative to the zone, the type and the set identifier.
resource "r53_records" "example_com" {
  zone_id = r53_hosted_zone.main.zone_id
  mode    = "exclusive"

  record "@ MX" {
    name    = "example.com"
    type    = "MX"
    ttl     = 3600
    records = ["10 mx1.example.com.", "20 mx2.example.com."]
  }

  record "@ TXT" {
    name    = "example.com"
    type    = "TXT"
    ttl     = 3600
    records = ["v=spf1 include:_spf.example.com -all"]
  }

  record "@ A" {
    name = "example.com"
    type = "A"
    alias {
      name    = "my-lb-1234567890.eu-west-1.elb.amazonaws.com"
      zone_id = "Z32O12XQLNTSW2"
    }
  }

  record "www A blue" {
    name           = "www.example.com"
    type           = "A"
    ttl            = 60
    records        = ["192.0.2.10"]
    set_identifier = "blue"
    weighted_routing_policy {
      weight = 90
    }
  }
}
