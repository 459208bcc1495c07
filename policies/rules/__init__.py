"""The guardrail rules, one module per domain: iam, storage, kms, network, state.

Each module defines its checks next to their `Rule` declarations and lists them in its `RULES`; `policies/runner.py`
assembles them in that order. Resource type tokens come from `resource_types.py`, shared by every domain.
"""
