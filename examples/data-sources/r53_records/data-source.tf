# Every A record set under api.example.com, with r53_record's attributes each.
data "r53_records" "api" {
  zone_id      = "Z0123456789ABCDEFGHIJ"
  name_pattern = "*.api.example.com"
  type         = "A"
}

output "api_hosts" {
  value = { for r in data.r53_records.api.record_sets : r.name => r.records }
}
