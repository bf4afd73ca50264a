variable "dkim_public_key" {
  type = string
}

# A 2048-bit DKIM key is longer than one 255-byte string.
output "dkim_strings" {
  value = provider::r53::txt_strings("v=DKIM1; k=rsa; p=${var.dkim_public_key}")
}
