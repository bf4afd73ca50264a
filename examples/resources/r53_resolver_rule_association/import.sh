# The association's ID
terraform import r53_resolver_rule_association.corp rslvr-rrassoc-0123456789abcdef0
