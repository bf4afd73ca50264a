# The rule's ID
terraform import r53_resolver_rule.corp rslvr-rr-0123456789abcdef0
