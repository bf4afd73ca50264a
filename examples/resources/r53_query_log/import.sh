terraform import r53_query_log.example 87b6c4e1-0d0d-4a4b-8d32-7f8f0d3a1b2c
