terraform import r53_cidr_collection.clients 9ac4d8e2-5f1b-4c7a-8e3d-0b6f2a1c9d47
