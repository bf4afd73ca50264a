# ZONE_ID:VPC_ID, or ZONE_ID:VPC_ID:VPC_REGION when the VPC is not in the provider's region
terraform import r53_vpc_association_authorization.app Z0123456789ABCDEFGHIJ:vpc-0bbbbbbbbbbbbbbbb:eu-west-1
