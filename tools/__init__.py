"""Commands an administrator runs outside Pulumi, with the account's own credentials (README)."""
