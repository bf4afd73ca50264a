output "owning_accounts" {
  description = "Per association: the account that owns the zone."
  value       = { for k, a in r53_zone_association.this : k => a.owning_account }
}
