# Registrar mode, external mode, parent-zone mode:
terraform import r53_delegation.example_com route53:example.com
terraform import r53_delegation.shop external:shop.example
terraform import r53_delegation.dev Z0123456789ABCDEFGHIJ:dev.example.com
