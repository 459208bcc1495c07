"""The GitOps pipeline's structure that users rely on: gated, plan-exact, staged, least-privileged, pinned.

actionlint, shellcheck and GitHub's workflow schema run in `make workflows` (part of `make test`); these tests assert
what those tools cannot know: our promotion order, gates and permissions.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from foundation.settings.models import GITHUB_SUBJECT_CLAIMS, PIPELINE_REF, PIPELINE_WORKFLOW
from render.runtime import PROJECT_ROOT

WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
SCRIPTS = PROJECT_ROOT / ".github" / "scripts"
SHA_PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def _parse(text: str) -> dict:
    workflow = yaml.safe_load(text)
    workflow["on"] = workflow.pop(True)  # YAML 1.1 reads the key `on` as true
    return workflow


def load(name: str) -> dict:
    return _parse((WORKFLOWS / name).read_text())


def every_workflow() -> list[tuple[str, dict]]:
    return [(p.name, _parse(p.read_text())) for p in sorted(WORKFLOWS.glob("*.yml"))]


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def test_every_action_is_pinned_by_commit_sha():
    for name, workflow in every_workflow():
        for job_name, job in workflow["jobs"].items():
            for step in steps(job):
                if "uses" in step:
                    assert SHA_PINNED.match(step["uses"]), f"{name} {job_name}: {step['uses']}"


def test_workflows_grant_nothing_by_default_and_each_job_only_what_it_needs():
    allowed = {"contents": {"read"}, "id-token": {"write"}, "pull-requests": {"write"}}
    for name, workflow in every_workflow():
        assert workflow["permissions"] == {}, name
        for job_name, job in workflow["jobs"].items():
            permissions = job.get("permissions")
            assert isinstance(permissions, dict) and permissions, f"{name} {job_name} declares its permissions"
            for scope, level in permissions.items():
                assert level in allowed.get(scope, set()), f"{name} {job_name}: {scope}: {level}"
            assumes_role = any("configure-aws-credentials" in s.get("uses", "") for s in steps(job))
            calls_stage = job.get("uses", "").endswith("promote.yml")
            assert (permissions.get("id-token") == "write") == (assumes_role or calls_stage), f"{name} {job_name}"
            if permissions.get("pull-requests") == "write":
                assert job_name == "comment", f"{name} {job_name} may not write to pull requests"


def test_no_expression_is_expanded_inside_a_run_script():
    """Values reach scripts through env, never spliced into the shell (script injection)."""
    for name, workflow in every_workflow():
        for job_name, job in workflow["jobs"].items():
            for step in steps(job):
                assert "${{" not in step.get("run", ""), f"{name} {job_name}: {step.get('run')}"


def test_promotion_runs_dev_then_staging_then_prod_after_the_checks():
    jobs = load("deploy.yml")["jobs"]
    assert jobs["checks"]["uses"] == "./.github/workflows/checks.yml"
    order = [(job, jobs[job]["needs"], jobs[job]["with"]["stack"]) for job in ("dev", "staging", "prod")]
    assert order == [("dev", "checks", "dev"), ("staging", "dev", "staging"), ("prod", "staging", "prod")]
    assert load("deploy.yml")["on"] == {"push": {"branches": ["main"]}}
    assert load("deploy.yml")["concurrency"] == {"group": "deploy", "cancel-in-progress": False}


def test_each_stage_applies_exactly_the_plan_its_reviewers_saw_in_the_stages_environment():
    jobs = load("promote.yml")["jobs"]
    plan, apply = jobs["plan"], jobs["apply"]
    assert plan["environment"] == "${{ inputs.environment || inputs.stack }}-preview"
    assert apply["environment"] == "${{ inputs.environment || inputs.stack }}"  # required reviewers, no self-review
    assert apply["needs"] == "plan"
    assert apply["concurrency"] == {"group": "apply-${{ inputs.stack }}", "cancel-in-progress": False}
    plan_runs = " ".join(s.get("run", "") for s in steps(plan))
    apply_runs = [s.get("run", "") for s in steps(apply)]
    assert 'pulumi.sh preview "$STACK" plan.json' in plan_runs
    assert '.github/scripts/pulumi.sh up "$STACK" plan.json' in apply_runs
    assert apply_runs.index('.github/scripts/pulumi.sh verify "$STACK"') > apply_runs.index(
        '.github/scripts/pulumi.sh up "$STACK" plan.json'
    )
    uploaded = next(s for s in steps(plan) if "upload-artifact" in s.get("uses", ""))
    downloaded = next(s for s in steps(apply) if "download-artifact" in s.get("uses", ""))
    assert uploaded["with"]["name"] == downloaded["with"]["name"] == "plan-${{ inputs.stack }}-${{ github.run_id }}"


def test_the_pulumi_script_saves_applies_and_verifies_plans_with_the_guardrails():
    script = (SCRIPTS / "pulumi.sh").read_text()
    assert '--save-plan "$3"' in script and '--plan "$3" --yes' in script
    assert "--refresh --expect-no-changes" in script
    assert script.count('"${policy[@]}"') == 3  # the policy pack guards preview, up and verify


def test_every_pulumi_command_runs_a_bounded_number_of_operations_at_once():
    """IAM rate-limits its calls per account; a fleet's apply at the CLI's unbounded default ends in throttling."""
    script = (SCRIPTS / "pulumi.sh").read_text()
    assert 'parallel=(--parallel "${PULUMI_PARALLEL:-16}")' in script
    assert script.count('"${policy[@]}" "${parallel[@]}"') == 3
    for name in ("promote.yml",):
        for job in load(name)["jobs"].values():
            for step in steps(job):
                if "pulumi.sh" in step.get("run", ""):
                    assert step["env"]["PULUMI_PARALLEL"] == "${{ vars.PULUMI_PARALLEL }}", name


def test_the_split_layout_promotes_changed_cluster_stacks_as_a_bounded_matrix_after_their_account_stacks():
    jobs = load("deploy.yml")["jobs"]
    stacks, accounts, clusters = jobs["split-stacks"], jobs["split-accounts"], jobs["split-clusters"]
    assert stacks["needs"] == "checks" and stacks["steps"][0]["with"]["fetch-depth"] == 0
    assert '.github/scripts/split-stacks.sh "$BEFORE"' in stacks["steps"][-1]["run"]
    assert accounts["uses"] == clusters["uses"] == "./.github/workflows/promote.yml"
    assert accounts["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.split-stacks.outputs.accounts) }}"
    assert set(clusters["needs"]) == {"split-stacks", "split-accounts"}
    assert clusters["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.split-stacks.outputs.clusters) }}"
    assert clusters["strategy"]["max-parallel"] == 8 and clusters["strategy"]["fail-fast"] is False
    assert clusters["with"] == {"stack": "${{ matrix.stack }}", "environment": "${{ matrix.account }}"}


def _split_stacks(repo: Path, base: str) -> dict[str, list]:
    out = subprocess.run(
        [SCRIPTS / "split-stacks.sh", base], cwd=repo, check=True, capture_output=True, text=True
    ).stdout
    return {key: json.loads(value) for key, value in (line.split("=", 1) for line in out.splitlines())}


def test_a_push_promotes_the_cluster_stacks_it_changes_or_all_when_the_program_or_account_stack_changes(tmp_path):
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, text=True).stdout.strip()

    def write(path: str, text: str) -> None:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)

    git("init", "-q")
    git("config", "user.email", "ci@example.com")
    git("config", "user.name", "ci")
    write("stacks/Pulumi.acct.yaml", "config:\n  rosa-foundation:layout: account\n")
    for name in ("c1", "c2"):
        write(f"stacks/Pulumi.{name}.yaml", "config:\n  rosa-foundation:layout: cluster\n"
              "  rosa-foundation:accountStack: org/rosa-foundation/acct\n")  # fmt: skip
    write("stacks/Pulumi.dev.yaml", "config:\n  aws:region: eu-west-1\n")
    git("add", ".")
    git("commit", "-qm", "base")
    base = git("rev-parse", "HEAD")

    def after(path: str) -> dict[str, list]:
        """The stacks a push promotes whose commits since `base` end with a change to `path`."""
        before = (tmp_path / path).read_text() if (tmp_path / path).exists() else ""
        write(path, before + "# changed\n")
        git("add", ".")
        git("commit", "-qm", path)
        return _split_stacks(tmp_path, base)

    one = {"stack": "c1", "account": "acct"}
    both = [one, {"stack": "c2", "account": "acct"}]
    assert _split_stacks(tmp_path, base) == {"accounts": ["acct"], "clusters": []}
    assert after("docs/x.md") == {"accounts": ["acct"], "clusters": []}
    assert after("stacks/Pulumi.c1.yaml")["clusters"] == [one]
    assert after("stacks/Pulumi.acct.yaml")["clusters"] == both
    git("reset", "-q", "--hard", base)
    assert after("components/new.py")["clusters"] == both
    assert _split_stacks(tmp_path, "0" * 40)["clusters"] == both  # no such commit: a new branch


def test_pull_requests_run_the_checks_and_the_offline_diff():
    jobs = load("pull-request.yml")["jobs"]
    assert set(jobs) == {"checks", "diff", "comment"}
    assert jobs["checks"]["uses"] == "./.github/workflows/checks.yml"
    assert jobs["diff"]["strategy"]["matrix"]["stack"] == ["dev", "staging", "prod"]
    diff_run = " ".join(s.get("run", "") for s in steps(jobs["diff"]))
    assert 'make diff STACK="$STACK" BASE="origin/$BASE_REF"' in diff_run and "GITHUB_STEP_SUMMARY" in diff_run


def pull_request_path() -> list[tuple[str, str, dict]]:
    """Every job a pull request runs: pull-request.yml's and those of the workflows it calls."""
    jobs = []
    for name, job in load("pull-request.yml")["jobs"].items():
        jobs.append(("pull-request.yml", name, job))
        if "uses" in job:
            called = Path(job["uses"]).name
            jobs += [(called, n, j) for n, j in load(called)["jobs"].items()]
    return jobs


def test_nothing_on_the_pull_request_path_holds_a_secret_or_a_cloud_identity():
    """A pull request runs the branch's own code: no secret, no OIDC token, no role, no environment's variables."""
    assert set(load("pull-request.yml")["on"]) == {"pull_request"}  # never pull_request_target
    for workflow, name, job in pull_request_path():
        text = yaml.safe_dump(job)
        where = f"{workflow} {name}"
        assert "secrets." not in text and "secrets" not in job, where
        assert (job.get("permissions") or {}).get("id-token") != "write", where
        assert "environment" not in job and "vars." not in text, where
        assert not any("configure-aws-credentials" in s.get("uses", "") for s in steps(job)), where
        assert "pulumi" not in text.replace("pulumi-version", ""), where


def test_only_the_promotion_workflow_on_main_assumes_the_pipelines_roles():
    """The roles trust exactly this workflow file at refs/heads/main (foundation/settings/models.py); it runs only
    from deploy.yml, on a push to main."""
    assuming = {
        name
        for name, workflow in every_workflow()
        for job in workflow["jobs"].values()
        if any("configure-aws-credentials" in s.get("uses", "") for s in steps(job))
    }
    assert assuming == {Path(PIPELINE_WORKFLOW).name} and PIPELINE_REF == "refs/heads/main"
    assert load("promote.yml")["on"] == {"workflow_call": load("promote.yml")["on"]["workflow_call"]}
    callers = {
        name
        for name, workflow in every_workflow()
        for job in workflow["jobs"].values()
        if job.get("uses", "").endswith(Path(PIPELINE_WORKFLOW).name)
    }
    assert callers == {"deploy.yml"} and load("deploy.yml")["on"] == {"push": {"branches": ["main"]}}
    assert GITHUB_SUBJECT_CLAIMS == ("repository_id", "context", "job_workflow_ref")


def test_checks_run_exactly_the_ci_test_command():
    runs = [s.get("run") for s in steps(load("checks.yml")["jobs"]["test"])]
    assert runs[-2:] == ["make setup", "make test"]
    assert "make setup\nmake test" in (PROJECT_ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("name", ["promote.yml"])
def test_the_pulumi_cli_matches_the_pinned_sdk(name):
    sdk = next(
        line.split("==")[1].strip()
        for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
        if line.startswith("pulumi==")
    )
    for job in load(name)["jobs"].values():
        for step in steps(job):
            if step.get("uses", "").startswith("pulumi/actions@"):
                assert str(step["with"]["pulumi-version"]) == sdk


def test_the_example_staging_and_prod_stacks_turn_the_ci_identity_on_and_dev_leaves_it_off():
    for stack in ("staging", "prod"):
        text = (PROJECT_ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()
        assert f"environment: {stack}" in text
    assert "ciIdentity" not in (PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml").read_text()


def test_scripts_are_executable():
    for script in SCRIPTS.glob("*.sh"):
        assert Path(script).stat().st_mode & 0o111, script
