"""Offline render: run the Pulumi program under the SDK's mock runtime and write reviewable artefacts."""
