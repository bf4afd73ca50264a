# IP-based routing: clients in the office networks get the office endpoint, everyone else the
# public one. The location blocks are the whole collection.
resource "r53_cidr_collection" "clients" {
  name = "clients"

  location {
    name        = "office"
    cidr_blocks = ["198.51.100.0/24", "2001:db8:100::/48"]
  }

  location {
    name        = "datacenter"
    cidr_blocks = ["203.0.113.0/24"]
  }
}

resource "r53_record" "office" {
  zone_id        = r53_hosted_zone.main.zone_id
  name           = "app.example.com"
  type           = "A"
  ttl            = 60
  records        = ["192.0.2.10"]
  set_identifier = "office"

  cidr_routing_policy {
    collection_id = r53_cidr_collection.clients.id
    location_name = "office"
  }
}

resource "r53_record" "everyone_else" {
  zone_id        = r53_hosted_zone.main.zone_id
  name           = "app.example.com"
  type           = "A"
  ttl            = 60
  records        = ["192.0.2.20"]
  set_identifier = "default"

  cidr_routing_policy {
    collection_id = r53_cidr_collection.clients.id
    location_name = "*"
  }
}
