# ZONE_ID/NAME/TYPE, or ZONE_ID/NAME/TYPE/SET_IDENTIFIER for records with a routing policy.
terraform import r53_record.www Z0123456789ABCDEFGHIJ/www.example.com/A
terraform import r53_record.api_primary Z0123456789ABCDEFGHIJ/api.example.com/A/primary
