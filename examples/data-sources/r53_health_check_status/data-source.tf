data "r53_health_check_status" "primary" {
  health_check_id = r53_health_check.primary.id
}

output "primary_healthy" {
  value = data.r53_health_check_status.primary.healthy
}

output "primary_last_failure" {
  value = data.r53_health_check_status.primary.last_failure_reason
}

# Warn on every plan while the primary is down (check blocks warn; they never stop an apply).
check "primary_is_up" {
  assert {
    condition     = data.r53_health_check_status.primary.healthy
    error_message = "The primary endpoint is failing: ${data.r53_health_check_status.primary.last_failure_reason}"
  }
}
