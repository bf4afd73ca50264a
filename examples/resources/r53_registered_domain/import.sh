terraform import r53_registered_domain.main example.com
