"""What moto 5.2's Route 53 Resolver lacks, added to its backend before its server starts.

UpdateResolverRule (Name, TargetIps, ResolverEndpointId, as AWS's ResolverRuleConfig): moto has
no such action, so a rule could only be replaced. The checks are AWS's: the rule and the new
endpoint must exist (ResourceNotFoundException), a SYSTEM rule takes no targets or endpoint
(InvalidRequestException). `moto_indexed.py` calls `install()`.
"""

import json
from datetime import datetime, timezone

from moto.route53resolver import models, responses
from moto.route53resolver.exceptions import (
    InvalidRequestException,
    ResourceNotFoundException,
)


def update_resolver_rule(self, resolver_rule_id, config):
    self._validate_resolver_rule_id(resolver_rule_id)
    rule = self.resolver_rules[resolver_rule_id]
    endpoint = config.get("ResolverEndpointId")
    if rule.rule_type == "SYSTEM" and (endpoint or config.get("TargetIps")):
        raise InvalidRequestException(
            "Cannot specify resolver endpoint ID and target IP for SYSTEM type resolver rule"
        )
    if endpoint is not None:
        if endpoint not in self.resolver_endpoints:
            raise ResourceNotFoundException(
                f"Resolver endpoint with ID '{endpoint}' does not exist."
            )
        rule.resolver_endpoint_id = endpoint
    if "Name" in config:
        rule.name = config["Name"]
    if "TargetIps" in config:
        rule.target_ips = config["TargetIps"]
    rule.modification_time = datetime.now(timezone.utc).isoformat()
    return rule


def _update_resolver_rule(self):
    rule = self.route53resolver_backend.update_resolver_rule(
        resolver_rule_id=self._get_param("ResolverRuleId"),
        config=self._get_param("Config") or {},
    )
    return json.dumps({"ResolverRule": rule.description()})


def install():
    models.Route53ResolverBackend.update_resolver_rule = update_resolver_rule
    responses.Route53ResolverResponse.update_resolver_rule = _update_resolver_rule
