"""The offline render contract (`make render STACK=<name>` -> build/<name>/), exercised as users run it.

Every example's render is the test run's shared one (tests/conftest.py), written to build/ by the CLI's own writer, so
that `make check-all` checks these files instead of rendering again; the CLI itself renders prod and compares."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from foundation.outputs import SharedVpcClusterOutputs
from foundation.project import type_token
from render import artefacts
from render.graph import mermaid
from render.runtime import PROJECT_ROOT
from tests.conftest import example

SHARE = type_token("network", "SharedVpcShare")

STACKS = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (PROJECT_ROOT / "stacks").glob("Pulumi.*.yaml")
)


def render_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "render", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def rendered() -> Path:
    out = PROJECT_ROOT / "build"
    for stack in STACKS:
        artefacts.publish(example(stack), out, stack)
    return out


def test_the_example_stacks_are_dev_staging_and_prod_at_least():
    assert {"dev", "staging", "prod"} <= set(STACKS)


@pytest.mark.parametrize("stack", STACKS)
def test_resources_json_lists_every_resource_with_the_contract_keys(rendered, stack):
    resources = json.loads((rendered / stack / "resources.json").read_text())
    assert resources[0] == {
        "type": "pulumi:pulumi:Stack",
        "name": f"rosa-foundation-{stack}",
        "urn": f"urn:pulumi:{stack}::rosa-foundation::pulumi:pulumi:Stack::rosa-foundation-{stack}",
        "parent": None,
        "inputs": {},
        "dependencies": {},
        "options": {"protect": False, "retainOnDelete": False, "aliases": [], "provider": None},
    }
    names = {r["name"] for r in resources}
    for resource in resources:
        assert set(resource) == {"type", "name", "urn", "parent", "inputs", "dependencies", "options"}
        assert re.fullmatch(r"[\w-]+:[\w/-]*:\w+", resource["type"]) or resource["type"].startswith("pulumi:")
        assert resource["parent"] is None or resource["parent"] in names
    types = {r["type"] for r in resources}
    # Account roles are created here, or read from the account stack (a cluster stack of the split layout); a VPC
    # owner stack has none, only its shares.
    assert types & {"rosa-foundation:iam:AccountRoles", "pulumi:pulumi:StackReference", SHARE}


@pytest.mark.parametrize("stack", STACKS)
def test_every_aws_resource_names_the_stacks_explicit_provider_and_nothing_else_names_one(rendered, stack):
    resources = json.loads((rendered / stack / "resources.json").read_text())
    (provider,) = [r for r in resources if r["type"] == "pulumi:providers:aws"]
    assert provider["name"] == "aws" and provider["options"]["provider"] is None
    for resource in resources:
        expected = provider["urn"] if resource["type"].startswith("aws:") else None
        assert resource["options"]["provider"] == expected, resource["name"]


@pytest.mark.parametrize("stack", STACKS)
def test_inputs_are_camel_case_and_iam_documents_are_json_strings(rendered, stack):
    resources = json.loads((rendered / stack / "resources.json").read_text())
    for resource in resources:
        snake = [key for key in resource["inputs"] if not re.fullmatch(r"[a-z][A-Za-z0-9]*", key)]
        assert not snake, (resource["name"], snake)
    for role in (r for r in resources if r["type"] == "aws:iam/role:Role"):
        assert isinstance(role["inputs"]["assumeRolePolicy"], str)
        assert json.loads(role["inputs"]["assumeRolePolicy"])["Version"] == "2012-10-17"
        assert isinstance(role["inputs"]["maxSessionDuration"], int)


@pytest.mark.parametrize("stack", STACKS)
def test_every_iam_document_is_written_pretty_printed_one_file_each(rendered, stack):
    resources = json.loads((rendered / stack / "resources.json").read_text())
    expected = {f"{r['name']}.trust.json" for r in resources if r["type"] == "aws:iam/role:Role"}
    expected |= {
        f"{r['name']}.policy.json"
        for r in resources
        if r["type"] in ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy")
    }
    expected |= {f"{r['name']}.key-policy.json" for r in resources if r["type"] == "aws:kms/key:Key"}
    expected |= {
        f"{r['name']}.bucket-policy.json" for r in resources if r["type"] == "aws:s3/bucketPolicy:BucketPolicy"
    }
    files = {p.name for p in (rendered / stack / "iam").iterdir()}
    assert files == expected
    for name in files:
        text = (rendered / stack / "iam" / name).read_text()
        assert text.startswith("{\n  ") and json.loads(text)["Statement"]


@pytest.mark.parametrize("stack", STACKS)
def test_outputs_json_holds_the_stack_outputs(rendered, stack):
    outputs = json.loads((rendered / stack / "outputs.json").read_text())
    if "sharedVpc" in outputs:  # a VPC owner stack: what each cluster it serves reads
        assert set(outputs) == {"accountId", "sharedVpc", "ciIdentity"}
        for share in outputs["sharedVpc"]["clusters"].values():
            assert set(share) == set(SharedVpcClusterOutputs.__annotations__)
        return
    assert {"accountId", "accountRolePrefix", "accountRoleArns", "clusters"} <= set(outputs)
    for summary in outputs["clusters"].values():
        assert summary["rosaCreateClusterArgs"][:3] == ["rosa", "create", "cluster"]


@pytest.fixture(scope="module")
def commands(tmp_path_factory) -> tuple[Path, dict[str, subprocess.CompletedProcess]]:
    """prod and a split cluster stack (which renders its account stack first), each rendered by the command."""
    out = tmp_path_factory.mktemp("commands")
    return out, {stack: render_cli(stack, "--out", str(out)) for stack in ("prod", "split-classic")}


def test_the_command_writes_exactly_the_files_of_a_render_in_another_process(rendered, commands):
    """Renders are deterministic across processes, and the command writes nothing but the render."""
    out, results = commands
    for stack, result in results.items():
        assert result.returncode == 0, result.stderr
        written = {p.relative_to(out / stack): p.read_bytes() for p in (out / stack).rglob("*") if p.is_file()}
        shared = {p.relative_to(rendered / stack): p.read_bytes() for p in (rendered / stack).rglob("*") if p.is_file()}
        assert written.keys() == shared.keys() and len(written) > 10, stack
        assert [name for name, text in written.items() if shared[name] != text] == [], stack


def test_the_summary_counts_resources_per_type_and_cluster(commands):
    out, results = commands
    stdout = results["prod"].stdout
    assert "rendered stack 'prod':" in stdout
    assert "aws:iam/role:Role" in stdout
    assert "payments" in stdout and "(account-wide)" in stdout
    assert str(out / "prod") in stdout


def test_invalid_config_exits_non_zero_with_the_message_and_writes_nothing(tmp_path):
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (stacks / "Pulumi.broken.yaml").write_text(
        'config:\n  aws:region: us-east-1\n  rosa-foundation:accountId: "12"\n  rosa-foundation:clusters: []\n'
    )
    result = render_cli("broken", "--out", str(tmp_path / "build"), "--stacks", str(stacks))
    assert result.returncode != 0
    assert "rosa-foundation:accountId = '12': must be a 12-digit AWS account id" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "build").exists() or not any((tmp_path / "build").iterdir())


def test_an_unknown_stack_is_refused_with_the_file_it_looked_for(tmp_path):
    result = render_cli("nope", "--out", str(tmp_path))
    assert result.returncode != 0 and "Pulumi.nope.yaml does not exist" in result.stderr


def test_the_readme_diagram_is_the_dev_render(rendered):
    graph = mermaid(json.loads((rendered / "dev" / "resources.json").read_text()))
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert f"```mermaid\n{graph}```" in readme, "README diagram is stale: run `make graph STACK=dev` and paste it"


@pytest.mark.parametrize("stack", STACKS)
def test_no_private_key_is_anywhere_in_the_render(rendered, stack):
    """A self-hosted issuer's key pair is made outside Pulumi (tools/issuer_key.py): the render, like the state, holds
    its public half only (resources, outputs, IAM documents and manifests alike)."""
    holding = [
        str(path.relative_to(rendered))
        for path in (rendered / stack).rglob("*")
        if path.is_file() and "PRIVATE KEY" in path.read_text()
    ]
    assert holding == []
