# Part four of `make demo`: active-passive failover. Two web servers (started by the demo on
# loopback ports) behind health checks that the lab's Route 53 checkers run every second (a 10 s
# interval at the lab's time scale); www answers the primary while it passes, else the secondary.
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
  default = "failover-r53.example"
}

variable "primary_port" {
  type = number
}

variable "secondary_port" {
  type = number
}

resource "r53_hosted_zone" "main" {
  name          = var.domain
  force_destroy = true
}

# "localhost": Route 53 refuses private and loopback addresses in ip_address; its checkers resolve
# an fqdn the way any client does, which is how the lab reaches the demo's servers.
resource "r53_health_check" "web" {
  for_each          = { primary = var.primary_port, secondary = var.secondary_port }
  type              = "HTTP_STR_MATCH"
  fqdn              = "localhost"
  port              = each.value
  resource_path     = "/health"
  search_string     = "ok"
  request_interval  = 10
  failure_threshold = 2
  reference_name    = "demo-${each.key}"
}

resource "r53_record" "www" {
  for_each        = { PRIMARY = "192.0.2.10", SECONDARY = "192.0.2.20" }
  zone_id         = r53_hosted_zone.main.zone_id
  name            = "www.${var.domain}"
  type            = "A"
  ttl             = 10
  records         = [each.value]
  set_identifier  = lower(each.key)
  health_check_id = r53_health_check.web[lower(each.key)].id

  failover_routing_policy {
    type = each.key
  }
}

data "r53_health_check_status" "primary" {
  health_check_id = r53_health_check.web["primary"].id
}

output "zone_id" {
  value = r53_hosted_zone.main.zone_id
}

output "primary" {
  value = {
    healthy             = data.r53_health_check_status.primary.healthy
    healthy_checkers    = data.r53_health_check_status.primary.healthy_checkers
    reporting_checkers  = data.r53_health_check_status.primary.reporting_checkers
    last_failure_reason = data.r53_health_check_status.primary.last_failure_reason
  }
}
