# Queries from the VPC to on-premises DNS leave through these two addresses.
resource "r53_resolver_endpoint" "outbound" {
  name               = "to-datacenter"
  direction          = "OUTBOUND"
  security_group_ids = ["sg-0123456789abcdef0"]

  ip_address {
    subnet_id = "subnet-0aaaaaaaaaaaaaaaa"
  }
  ip_address {
    subnet_id = "subnet-0bbbbbbbbbbbbbbbb"
    ip        = "10.0.2.10"
  }

  timeouts {
    create = "15m"
  }
}
