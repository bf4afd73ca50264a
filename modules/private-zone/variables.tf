variable "name" {
  description = "The private zone's domain, e.g. `internal.example.com`."
  type        = string
}

variable "vpc" {
  description = "The VPC of this account the zone is created with (`vpc_region` defaults to the provider's region)."
  type = object({
    vpc_id     = string
    vpc_region = optional(string)
  })
}

variable "shared_vpcs" {
  description = "VPCs of other accounts allowed to associate with the zone, keyed by a name of your choosing."
  type = map(object({
    vpc_id     = string
    vpc_region = optional(string)
  }))
  default = {}
}

variable "records" {
  description = "Record sets keyed by a label of your choosing. `name` is relative to the zone (`@` for the apex)."
  type = map(object({
    name    = string
    type    = string
    ttl     = optional(number, 300)
    records = list(string)
  }))
  default = {}
}

variable "tags" {
  description = "Tags for the zone."
  type        = map(string)
  default     = {}
}

variable "force_destroy" {
  description = "Delete record sets made outside this module when the zone is destroyed."
  type        = bool
  default     = false
}
