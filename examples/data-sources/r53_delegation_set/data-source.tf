data "r53_delegation_set" "shared" {
  id = "N1PA6795SAMPLE"
}

output "shared_name_servers" {
  value = data.r53_delegation_set.shared.name_servers
}
