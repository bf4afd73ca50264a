terraform import r53_health_check.primary 0b7a5a9e-8f1c-4c2e-9b1f-2d3e4f5a6b7c
