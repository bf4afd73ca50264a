# Imports every record set of the zone (except the apex SOA and NS).
terraform import r53_records.example_com Z0123456789ABCDEFGHIJ
