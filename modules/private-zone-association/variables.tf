variable "associations" {
  description = "The zone/VPC pairs to associate, keyed by a name of your choosing — typically (a subset of) `private-zone`'s `authorizations` output."
  type = map(object({
    zone_id    = string
    vpc_id     = string
    vpc_region = string
  }))
}
