"""The CrossGuard pack: `pulumi preview --policy-pack policies [--policy-pack-config policies/config/<stack>.json]`.

The policies are in `policies/pack.py`, the rules in `policies/rules/` (the same ones `make check` runs offline).
"""

import sys
from pathlib import Path

# The CLI runs the pack from policies/; the rules read ROSA's facts from the project beside it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pulumi_policy import PolicyPack

from policies.pack import PACK_NAME, POLICIES

PolicyPack(name=PACK_NAME, policies=POLICIES)
