# The log group must be in us-east-1, with a resource policy letting route53.amazonaws.com write
# (aws_cloudwatch_log_group and aws_cloudwatch_log_resource_policy of the AWS provider).
resource "r53_query_log" "example" {
  zone_id                  = r53_hosted_zone.example.zone_id
  cloudwatch_log_group_arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/route53/example.com"
}
