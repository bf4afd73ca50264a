output "zone_id" {
  description = "The hosted zone ID."
  value       = r53_hosted_zone.this.zone_id
}

output "name_servers" {
  description = "The zone's four name servers."
  value       = r53_hosted_zone.this.name_servers
}

output "delegated" {
  description = "Whether the TLD publishes exactly the zone's name servers (null without a delegation)."
  value       = one(r53_delegation.this[*].delegated)
}

output "status_message" {
  description = "What to do next, when the delegation is not complete (null without a delegation)."
  value       = one(r53_delegation.this[*].status_message)
}
