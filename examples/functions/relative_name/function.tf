output "labels" {
  value = [
    provider::r53::relative_name("www.example.com", "example.com"), # "www"
    provider::r53::relative_name("example.com", "example.com"),     # "@"
  ]
}
