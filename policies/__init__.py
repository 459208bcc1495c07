"""Guardrails: the CrossGuard pack (`pulumi preview --policy-pack policies`) and the same rules offline."""
