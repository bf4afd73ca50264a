variable "dkim_public_key" {
  type = string
}

# Route 53's raw form: "v=DKIM1; k=rsa; p=MIIB…" "…IDAQAB"
output "dkim_value" {
  value = provider::r53::txt_value("v=DKIM1; k=rsa; p=${var.dkim_public_key}")
}
