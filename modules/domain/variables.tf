variable "name" {
  description = "The domain, e.g. `example.com`."
  type        = string
}

variable "records" {
  description = "Record sets keyed by a label of your choosing (e.g. `\"www A\"`). `name` is relative to the domain (`@` for the apex)."
  type = map(object({
    name    = string
    type    = string
    ttl     = optional(number, 300)
    records = list(string)
  }))
  default = {}
}

variable "registrar" {
  description = "Where the domain is registered: `route53` (r53 points the registration at the zone), `external` (r53 tells you what to set and watches the TLD), or null to manage no delegation."
  type        = string
  default     = null
  validation {
    condition     = var.registrar == null || contains(["route53", "external"], coalesce(var.registrar, "-"))
    error_message = "registrar must be \"route53\", \"external\" or null."
  }
}

variable "delegation_set_id" {
  description = "A reusable delegation set (`r53_delegation_set`) whose four name servers the zone uses, so a re-created zone keeps them."
  type        = string
  default     = null
}

variable "comment" {
  description = "The zone's comment."
  type        = string
  default     = null
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
