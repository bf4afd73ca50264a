resource "r53_resolver_rule_association" "corp" {
  resolver_rule_id = r53_resolver_rule.corp.id
  vpc_id           = "vpc-0123456789abcdef0"
  name             = "corp-in-app-vpc"
}
