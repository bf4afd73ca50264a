# Moving from many r53_record resources to one r53_records (additive mode): declare the same
# record sets as `record` blocks and drop the old resources from state without deleting anything
# (`removed` blocks, Terraform >= 1.7). Existing record sets that match their declaration are
# adopted without a write, so the apply changes nothing in Route 53.
removed {
  from = r53_record.www
  lifecycle {
    destroy = false
  }
}

removed {
  from = r53_record.mx
  lifecycle {
    destroy = false
  }
}

# For exclusive ownership of the whole zone, import it instead:
# import {
#   to = r53_records.example_com
#   id = "Z0123456789ABCDEFGHIJ"
# }
