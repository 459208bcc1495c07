"""Pulumi component resources of rosa-foundation, one concern per file."""
