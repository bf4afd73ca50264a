variable "name" {
  description = "The subdomain, e.g. `dev.example.com`."
  type        = string
}

variable "parent_zone_id" {
  description = "The parent's public hosted zone (in the `r53.parent` provider's account)."
  type        = string
}

variable "records" {
  description = "Record sets of the subdomain keyed by a label of your choosing. `name` is relative to the subdomain (`@` for its apex)."
  type = map(object({
    name    = string
    type    = string
    ttl     = optional(number, 300)
    records = list(string)
  }))
  default = {}
}

variable "tags" {
  description = "Tags for the subdomain's zone."
  type        = map(string)
  default     = {}
}

variable "force_destroy" {
  description = "Delete record sets made outside this module when the zone is destroyed."
  type        = bool
  default     = false
}
