data "r53_delegation_status" "example" {
  domain = "example.com"
}

output "delegation_problems" {
  # e.g. ["lame: ns2.old-host.net answers NXDOMAIN for example.com"]
  value = data.r53_delegation_status.example.problems
}

output "serials" {
  value = { for s in data.r53_delegation_status.example.servers : s.name => s.serial }
}
