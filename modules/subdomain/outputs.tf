output "zone_id" {
  description = "The subdomain's hosted zone ID (in the child account)."
  value       = r53_hosted_zone.child.zone_id
}

output "name_servers" {
  description = "The subdomain zone's four name servers, as the parent zone delegates to them."
  value       = r53_hosted_zone.child.name_servers
}

output "delegated" {
  description = "Whether every server of the parent zone publishes exactly these name servers."
  value       = r53_delegation.this.delegated
}
