# All the record sets of a zone in one resource, written in as few change batches as Route 53
# allows. In "exclusive" mode anything not declared here (except the apex SOA/NS) is removed.
resource "r53_records" "example_com" {
  zone_id = r53_hosted_zone.main.zone_id
  mode    = "exclusive"

  record {
    name    = "example.com"
    type    = "MX"
    ttl     = 3600
    records = ["10 mx1.example.com.", "20 mx2.example.com."]
  }

  record {
    name    = "example.com"
    type    = "TXT"
    ttl     = 3600
    records = ["v=spf1 include:_spf.example.com -all"]
  }

  record {
    name = "example.com"
    type = "A"
    alias {
      name    = "my-lb-1234567890.eu-west-1.elb.amazonaws.com"
      zone_id = "Z32O12XQLNTSW2"
    }
  }

  record {
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
