# Four name servers that outlive any one zone: a zone destroyed and created again on this set gets
# the same servers, so the delegation at the registrar never changes.
resource "r53_delegation_set" "main" {
  reference_name = "example-prod"
}

resource "r53_hosted_zone" "example" {
  name              = "example.com"
  delegation_set_id = r53_delegation_set.main.id
}

# Hosting-only: point the registrar (wherever it is) at the set's servers once; they stay valid.
output "name_servers" {
  value = r53_delegation_set.main.name_servers
}
