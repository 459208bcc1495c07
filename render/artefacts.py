"""The files of the render contract under build/<stack>/, written from a `Render`."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from foundation.outputs import cluster_manifests
from foundation.project import CLUSTER_FOUNDATION
from render.runtime import Registered, Render

# Which inputs hold IAM documents (policy JSON as pulumi-aws sends it), and the label their file gets.
IAM_DOCUMENT_INPUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "aws:iam/role:Role": (("assumeRolePolicy", "trust"),),
    "aws:iam/policy:Policy": (("policy", "policy"),),
    "aws:iam/rolePolicy:RolePolicy": (("policy", "policy"),),
    "aws:s3/bucketPolicy:BucketPolicy": (("policy", "bucket-policy"),),
    "aws:kms/key:Key": (("policy", "key-policy"),),
}


def iam_documents(render: Render) -> dict[str, dict[str, Any]]:
    """Every IAM document the stack sends, by file name `<logical name>.<label>.json`."""
    documents = {}
    for resource in render.resources:
        for key, label in IAM_DOCUMENT_INPUTS.get(resource.type, ()):
            text = resource.inputs.get(key)
            if text:
                documents[f"{resource.name}.{label}.json"] = json.loads(text)
    return documents


def write(render: Render, out_dir: Path) -> None:
    """Write resources.json, outputs.json, iam/*.json and manifests/<cluster>/*.yaml into `out_dir` (created;
    assumed empty)."""
    (out_dir / "iam").mkdir(parents=True)
    resources = [r.to_json() for r in render.in_tree_order()]
    _write_json(out_dir / "resources.json", resources)
    _write_json(out_dir / "outputs.json", render.outputs)
    for file_name, document in sorted(iam_documents(render).items()):
        _write_json(out_dir / "iam" / file_name, document)
    for cluster, documents in cluster_manifests(render.outputs).items():
        (out_dir / "manifests" / cluster).mkdir(parents=True)
        for document in documents:
            path = out_dir / "manifests" / cluster / f"{document['kind'].lower()}-{document['metadata']['name']}.yaml"
            # safe_dump's text, from libyaml's C emitter (the pure-Python one: 4 % of the fleet's command)
            path.write_text(yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False))


def publish(render: Render, out_root: Path, stack: str) -> Path:
    """Write `render` as `out_root/<stack>/`, replacing what was there: written beside it and swapped in, so that a
    failed run never leaves a half-written render behind. Returns the folder."""
    target = out_root / stack
    out_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{stack}-", dir=out_root))
    write(render, staging)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def summary(render: Render, stack: str, out_dir: Path, seconds: float) -> str:
    by_type = Counter(r.type for r in render.resources)
    parents = render.parents()
    per_cluster = Counter(_cluster_of(render.ancestry(r, parents)) for r in render.resources)
    lines = [f"rendered stack {stack!r}: {len(render.resources)} resources in {seconds:.2f} s (mock runtime)"]
    lines += [f"  {count:4d}  {type_}" for type_, count in sorted(by_type.items())]
    lines.append("per cluster:")
    lines += [
        f"  {count:4d}  {name}" for name, count in sorted(per_cluster.items(), key=lambda item: item[0] or "") if name
    ]
    lines.append(f"  {per_cluster[None]:4d}  (account-wide)")
    if imported := [r for r in render.resources if "import" in r.options]:
        lines.append(f"to import (rosa-foundation:adopt): {len(imported)} resources, ids under options.import")
    written = f"iam/ ({len(iam_documents(render))} documents)"
    if manifest_count := sum(len(documents) for documents in cluster_manifests(render.outputs).values()):
        written += f", manifests/ ({manifest_count} manifests)"
    lines.append(f"wrote {out_dir}/resources.json, outputs.json, {written}")
    return "\n".join(lines)


def _cluster_of(ancestry: list[Registered]) -> str | None:
    return next((a.name for a in ancestry if a.type == CLUSTER_FOUNDATION), None)


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=2, sort_keys=False) + "\n")
