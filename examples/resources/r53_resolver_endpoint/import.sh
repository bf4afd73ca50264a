# The endpoint's ID
terraform import r53_resolver_endpoint.outbound rslvr-out-0123456789abcdef0
