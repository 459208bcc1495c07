"""Bad input, as a new user writes it by editing a working stack file, is refused by the offline render before anything
is registered: exit 2, one line per problem naming the key as written (or the file and line), no traceback, nothing
written. One row per kind of mistake; most run the render's main() in-process, a few the command line itself."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from render.__main__ import main
from render.runtime import PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "stacks"
SPLIT_ACCOUNT = "accountStack: acme-platform/rosa-foundation/split-account"
LONG_ID = "x" * 1200 + "!"
RETAIN = "rosa-foundation:retainStatefulOnDelete: false"

# (id, stack rendered, {stack file: [(text in the example, its replacement)]}, fragments stderr must hold)
CASES = [
    # 1. What used to end in a traceback.
    ("yaml-syntax", "dev", {"dev": [("vault: shared", "vault: [shared")]},
     ["stack 'dev': Pulumi.dev.yaml:", "not valid YAML"]),
    ("stack-file-a-list", "dev", {"dev": [("config:\n", "- config:\n")]},
     ["the stack file must be a mapping of keys to values, not a list"]),
    ("config-a-list", "dev", {"dev": [("config:\n", "config: []\nsettings:\n")]},
     ["Pulumi.dev.yaml:4:9: config must be a mapping of keys to values, not a list"]),
    ("account-stack-names-itself", "split-hcp", {"split-hcp": [(SPLIT_ACCOUNT, "accountStack: split-hcp")]},
     ["rosa-foundation:accountStack = 'split-hcp': names this stack itself"]),
    ("account-stacks-name-each-other", "split-hcp",
     {"split-account": [("layout: account", "layout: cluster\n  rosa-foundation:accountStack: split-hcp")]},
     ["rosa-foundation:accountStack = 'acme-platform/rosa-foundation/split-account': the account stack's settings "
      "are invalid"]),
    ("account-stack-lacks-the-topology", "split-hcp",
     {"split-account": [("accountRoleTopologies: [hcp, classic]", "accountRoleTopologies: [classic]")]},
     ["rosa-foundation:clusters[0].topology = 'hcp': the account stack has no hcp account roles"]),
    # 2. What used to become another value silently.
    ("true-for-a-number", "dev", {"dev": [("vault: shared", "vault: shared\n    retentionDays:\n      hourly: true")]},
     ["rosa-foundation:backup.retentionDays.hourly = true: expected a whole number, but YAML read true or false"]),
    ("unquoted-version", "prod", {"prod": [('openshiftVersion: "4.20.12"', "openshiftVersion: 4.20")]},
     ["rosa-foundation:clusters[2].openshiftVersion = 4.2: expected text", "quote it"]),
    ("key-written-twice", "dev", {"dev": [("    environment: dev\n", "    environment: dev\n    environment: qa\n")]},
     ["rosa-foundation:tags: key 'environment' is written twice (first on line"]),
    ("leading-zero-number", "dev", {"dev": [("deletionWindowDays: 7", "deletionWindowDays: 07")]},
     ["rosa-foundation:encryption.deletionWindowDays = 07: a number with a leading zero"]),
    # 3. What AWS or rosa would refuse half-way through an update.
    ("tag-keys-equal-but-for-case", "dev",
     {"dev": [("    environment: dev\n", "    environment: dev\n    Environment: qa\n")]},
     ["rosa-foundation:tags.Environment: the same key as 'environment' to IAM"]),
    ("rosa-tag-key-in-another-case", "dev", {"dev": [("    environment: dev\n", "    Red-Hat-Managed: 'no'\n")]},
     ["rosa-foundation:tags.Red-Hat-Managed: a tag key ROSA sets itself"]),
    ("region-aws-lacks", "dev", {"dev": [("aws:region: eu-west-1", "aws:region: us-east-9")]},
     ["aws:region = 'us-east-9': must be a region AWS has"]),
    ("region-rosa-is-not-offered-in", "dev", {"dev": [("aws:region: eu-west-1", "aws:region: cn-north-1")]},
     ["aws:region = 'cn-north-1'", "aws-cn, where ROSA is not offered"]),
    ("security-group-named-sg", "dev", {"dev": [("name: dev-hcp", "name: sg-hcp")]},
     ["rosa-foundation:clusters[0].name = 'sg-hcp': its security groups would be named like 'sg-hcp-compute'"]),
    ("reserved-bucket-prefix", "prod", {"prod": [("bucketName: acme-prod-rosa-backups", "bucketName: amzn-s3-demo-b")]},
     ["rosa-foundation:backup.bucketName = 'amzn-s3-demo-b': must be an S3 bucket name"]),
    ("unknown-condition-operator", "dev",
     {"dev": [('resources: ["arn:aws:s3:::acme-dev-iam-app"]',
               'resources: ["arn:aws:s3:::acme-dev-iam-app"]\n              conditions:\n'
               '                - {operator: StringEqualz, key: "s3:prefix", values: [a]}')]},
     ["statements[0].conditions[0].operator = 'StringEqualz': must be an IAM condition operator"]),
    ("unknown-action", "dev", {"dev": [("s3:ListBucket", "s3:ListBuckit")]},
     ["actions[0] = 's3:ListBuckit': must be an action AWS has"]),
    ("resource-in-another-partition", "dev", {"dev": [("arn:aws:s3:::acme-dev-iam-app/*", "arn:aws-us-gov:s3:::x/*")]},
     ["statements[1].resources: 'arn:aws-us-gov:s3:::x/*' is not in this stack's partition 'aws'"]),
    ("iam-path-rosa-refuses", "prod", {"prod": [("iamPath: /rosa/prod/", "iamPath: /rosa_prod/")]},
     ["rosa-foundation:iamPath = '/rosa_prod/': must be an IAM path", "rosa's --path rule"]),
    # 4. Open to the world in pieces.
    ("world-open-in-pieces", "dev", {"dev": [("[10.10.0.0/16]", "[0.0.0.0/1, 128.0.0.0/1]")]},
     ["network.ingressAllowedCidrs = ['0.0.0.0/1', '128.0.0.0/1']: together they cover 0.0.0.0/0"]),
    ("ipv6-world-open-in-pieces", "dev", {"dev": [("[10.10.0.0/16]", "['::/1', '8000::/1']")]},
     ["together they cover ::/0, which opens it to the whole internet"]),
    # 5. Messages that name the key and the shape, and keep long values short.
    ("long-external-id", "prod", {"prod": [("trustExternalId: acme-prod-rosa-3f9a1c", f"trustExternalId: {LONG_ID}")]},
     ["rosa-foundation:trustExternalId = 'xxxx", "... (1201 characters): must be 2 to 1224"]),
    ("a-mapping-for-a-list", "dev",
     {"dev": [("  rosa-foundation:clusters:\n    - name", "  rosa-foundation:clusters:\n      name")]},
     ["rosa-foundation:clusters = {", "expected a list, but YAML read a mapping"]),
    # 6. HCP shared VPC: an owner stack and the cluster stacks that name it must agree on who is trusted.
    ("owner-serves-its-own-account", "shared-vpc-owner",
     {"shared-vpc-owner": [('accountId: "666666666666"', 'accountId: "777777777777"')]},
     ["rosa-foundation:sharedVpc.clusters[0].accountId = '777777777777': is this owner stack's own account"]),
    ("base-domain-outside-the-route53-policy", "shared-vpc-owner",
     {"shared-vpc-owner": [("a1b2.p3.openshiftapps.com", "apps.example.com")]},
     ["rosa-foundation:sharedVpc.clusters[0].baseDomain = 'apps.example.com': the Route53 role may write records"]),
    ("shared-vpc-cluster-name-too-long", "shared-vpc-owner",
     {"shared-vpc-owner": [("name: payments-hcp", "name: payments-hcp-eu-1")]},
     ["rosa-foundation:sharedVpc.clusters[1].name = 'payments-hcp-eu-1'", "at most 15 characters"]),
    ("owner-trusts-another-prefix", "shared-vpc-cluster",
     {"shared-vpc-owner": [("accountRolePrefix: SharedOpenShift", "accountRolePrefix: OtherOpenShift")]},
     ["network.sharedVpc.ownerStack = 'acme-platform/rosa-foundation/shared-vpc-owner': names accountRolePrefix "
      "'OtherOpenShift', this stack 'SharedOpenShift'"]),
    ("owner-does-not-serve-the-cluster", "shared-vpc-cluster",
     {"shared-vpc-owner": [("name: shared-hcp", "name: other-hcp")]},
     ["does not serve cluster 'shared-hcp'; add it to that stack's sharedVpc.clusters"]),
    ("subnet-the-owner-does-not-share", "shared-vpc-cluster",
     {"shared-vpc-cluster": [("subnetIds: [subnet-07e7a7b7c7d7e7a01,", "subnetIds: [subnet-07e7a7b7c7d7e7d01,")]},
     ["does not share subnet(s) subnet-07e7a7b7c7d7e7d01 with cluster 'shared-hcp'"]),
    ("owner-stack-file-missing", "shared-vpc-cluster",
     {"shared-vpc-cluster": [("rosa-foundation/shared-vpc-owner", "rosa-foundation/network-owner")]},
     ["ownerStack = 'acme-platform/rosa-foundation/network-owner': no stack file Pulumi.network-owner.yaml"]),
    ("owner-stack-invalid", "shared-vpc-cluster", {"shared-vpc-owner": [("vpcId:", "vpcID:")]},
     ["its VPC owner stack Pulumi.shared-vpc-owner.yaml", "rosa-foundation:sharedVpc.vpcID: unknown key"]),
    # 7. Adopting what rosa made (README, "Adopting an account rosa already set up").
    ("adopt-unknown-kind", "dev", {"dev": [(RETAIN, f"{RETAIN}\n  rosa-foundation:adopt: [acount-roles]")]},
     ["rosa-foundation:adopt[0] = 'acount-roles': must be 'account-roles', 'operator-roles', 'oidc-providers' or "
      "'ocm-roles'"]),
    ("adopt-ocm-roles-the-stack-lacks", "dev", {"dev": [(RETAIN, f"{RETAIN}\n  rosa-foundation:adopt: [ocm-roles]")]},
     ["rosa-foundation:adopt[0] = 'ocm-roles': the stack declares no ocmRole and no userRoles to adopt"]),
    ("adopt-as-text", "dev", {"dev": [(RETAIN, f"{RETAIN}\n  rosa-foundation:adopt: account-roles")]},
     ["rosa-foundation:adopt = 'account-roles': expected a YAML list or mapping, got text"]),
    ("adopt-a-kind-twice", "dev",
     {"dev": [(RETAIN, f"{RETAIN}\n  rosa-foundation:adopt: [operator-roles, operator-roles]")]},
     ["rosa-foundation:adopt[1] = 'operator-roles': named twice"]),
    ("adopt-account-roles-in-a-cluster-stack", "split-hcp",
     {"split-hcp": [(SPLIT_ACCOUNT, f"{SPLIT_ACCOUNT}\n  rosa-foundation:adopt: [account-roles]")]},
     ["rosa-foundation:adopt[0] = 'account-roles': a cluster stack reads its account roles from its account stack"]),
    ("adopt-in-a-vpc-owner-stack", "shared-vpc-owner",
     {"shared-vpc-owner": [("  rosa-foundation:tags:",
                            "  rosa-foundation:adopt: [account-roles]\n  rosa-foundation:tags:")]},
     ["rosa-foundation:adopt: what rosa makes (account and operator roles, OIDC providers) is in the clusters' "
      "account; an owner stack declares none of it"]),
    # 8. Roles beyond ROSA's own: presets, roles several clusters trust, boundaries and extra policies.
    ("preset-unknown", "staging", {"staging": [("preset: efs-csi", "preset: efs")]},
     ["rosa-foundation:clusters[0].workloadRoles[4].preset = 'efs': must be 'aws-load-balancer-operator', "]),
    ("preset-unscoped", "staging",
     {"staging": [("preset: cert-manager\n          hostedZoneIds: [Z0452716ABCDEFGHIJKLM]", "preset: cert-manager")]},
     ["rosa-foundation:clusters[0].workloadRoles[3].hostedZoneIds is missing: preset 'cert-manager' is scoped to "
      "the Route 53 hosted zones whose records it changes"]),
    ("preset-scope-it-does-not-read", "staging",
     {"staging": [("fileSystemIds: [fs-0a1b2c3d4e5f60789]", "hostedZoneIds: [Z0452716ABCDEFGHIJKLM]")]},
     ["rosa-foundation:clusters[0].workloadRoles[4].hostedZoneIds: only read by preset cert-manager or external-dns, "
      "not 'efs-csi'"]),
    ("preset-service-account-unnamed", "staging",
     {"staging": [("          serviceAccount: external-dns-staging  # the ExternalDNS resource `staging`\n", "")]},
     ["rosa-foundation:clusters[0].workloadRoles[2].serviceAccount is missing: it is required unless a preset names "
      "it (the ExternalDNS Operator names it external-dns-<ExternalDNS name>)"]),
    ("trusted-cluster-unknown", "staging", {"staging": [("[stg-hcp, stg-classic]", "[stg-hcp, stg-blue]")]},
     ["rosa-foundation:workloadRoles[0].trustedClusters[1] = 'stg-blue': no cluster of this stack has that name"]),
    ("boundary-override-with-the-pipeline", "staging",
     {"staging": [("  rosa-foundation:extraPolicyArns:", "  rosa-foundation:permissionsBoundaryOverrides:\n"
                   "    account-role/hcp/installer: arn:aws:iam::222222222222:policy/Wider\n"
                   "  rosa-foundation:extraPolicyArns:")]},
     ["rosa-foundation:permissionsBoundaryOverrides.account-role/hcp/installer = "
      "'arn:aws:iam::222222222222:policy/Wider': with rosa-foundation:ciIdentity every role carries the pipeline's "
      "boundary"]),
    ("extra-policy-on-a-workload-role", "staging",
     {"staging": [("account-role/hcp/instance-worker:", "cluster/stg-hcp/workload-role/cert-manager/cert-manager:")]},
     ["rosa-foundation:extraPolicyArns.cluster/stg-hcp/workload-role/cert-manager/cert-manager: extra policies go "
      "on ROSA's account and operator roles only"]),
    ("secret-arn-naming-every-secret", "staging",
     {"staging": [("secret:staging/ledger/*", "secret:*")]},
     ["rosa-foundation:workloadRoles[0].secretArns[0] = 'arn:aws:secretsmanager:eu-central-1:222222222222:secret:*': "
      "must be a Secrets Manager secret ARN whose name starts with a name's own character (not * or ?"]),
    ("extra-policy-of-another-account", "staging",
     {"staging": [("policy/AmazonSSMManagedInstanceCore", "policy/AmazonSSMManagedInstanceCore\", "
                   "\"arn:aws:iam::999999999999:policy/Shared")]},
     ["rosa-foundation:extraPolicyArns.account-role/hcp/instance-worker[1] = 'arn:aws:iam::999999999999:policy/"
      "Shared': a customer managed policy of account 999999999999; IAM attaches only AWS managed policies"]),
    ("extra-policy-the-pipelines-boundary", "staging",
     {"staging": [("policy/AmazonSSMManagedInstanceCore", "policy/AmazonSSMManagedInstanceCore\", "
                   "\"arn:aws:iam::222222222222:policy/rosa/staging/StagingOpenShift-PipelineBoundary")]},
     ["rosa-foundation:extraPolicyArns.account-role/hcp/instance-worker[1] = 'arn:aws:iam::222222222222:policy/rosa/"
      "staging/StagingOpenShift-PipelineBoundary': a permissions boundary of this stack's roles"]),
    ("extra-policy-a-wildcard", "staging",
     {"staging": [("policy/AmazonSSMManagedInstanceCore", "policy/*")]},
     ["rosa-foundation:extraPolicyArns.account-role/hcp/instance-worker[0] = 'arn:aws:iam::aws:policy/*': must be an "
      "IAM policy ARN"]),
    ("extra-policy-in-another-partition", "staging",
     {"staging": [("arn:aws:iam::aws:policy/AmazonSSM", "arn:aws-us-gov:iam::aws:policy/AmazonSSM")]},
     ["rosa-foundation:extraPolicyArns.account-role/hcp/instance-worker[0] = 'arn:aws-us-gov:iam::aws:policy/"
      "AmazonSSMManagedInstanceCore': not in this stack's partition 'aws'"]),
    ("trusted-clusters-as-text", "staging", {"staging": [("[stg-hcp, stg-classic]", "stg-hcp")]},
     ["rosa-foundation:workloadRoles[0].trustedClusters = 'stg-hcp': expected a list, but YAML read text"]),
    ("preset-audience-unknown", "staging",
     {"staging": [("      preset: external-secrets\n", "      preset: external-secrets\n      audience: sts\n")]},
     ["rosa-foundation:workloadRoles[0].audience = 'sts': must be 'sts.amazonaws.com' or 'openshift'"]),
    ("preset-zone-as-an-arn", "staging",
     {"staging": [("hostedZoneIds: [Z0452716ABCDEFGHIJKLM]\n        - preset: cert",
                   "hostedZoneIds: [/hostedzone/Z0452716ABCDEFGHIJKLM]\n        - preset: cert")]},
     ["rosa-foundation:clusters[0].workloadRoles[2].hostedZoneIds[0] = '/hostedzone/Z0452716ABCDEFGHIJKLM': must be "
      "a Route 53 hosted zone id"]),
    ("derived-log-bucket-name", "prod",
     {"prod": [("bucketName: acme-prod-rosa-backups", "bucketName: acme-prod-rosa-backups-" + "b" * 38)]},
     ["the access log bucket name", "no dots: HTTPS to a dotted bucket name"]),
    ("aws-admin-policy-on-a-workload-role", "dev",
     {"dev": [("          serviceAccount: iam-app-s3-sa\n",
               "          serviceAccount: iam-app-s3-sa\n"
               "          managedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]\n")]},
     ["rosa-foundation:clusters[0].workloadRoles[0].managedPolicyArns[0] = "
      "'arn:aws:iam::aws:policy/AdministratorAccess': AWS's AdministratorAccess hands over the account"]),
    # 9. The OCM role and user roles (split-account holds them).
    ("ocm-role-in-a-cluster-stack", "split-hcp",
     {"split-hcp": [("layout: cluster", "layout: cluster\n  rosa-foundation:ocmRole: {organizationId: 2Kf7dQm1x, "
                                        "organizationExternalId: '1'}")]},
     ["rosa-foundation:ocmRole: the OCM and user roles link the account to Red Hat's OCM and belong to the account "
      "stack"]),
    ("ocm-role-profile-unknown", "split-account",
     {"split-account": [("profile: standard", "profile: administrator")]},
     ["rosa-foundation:ocmRole.profile = 'administrator': must be 'standard', 'admin' or 'no-console'"]),
    ("ocm-external-id-unquoted", "split-account",
     {"split-account": [('organizationExternalId: "16502874"', "organizationExternalId: 16502874")]},
     ["rosa-foundation:ocmRole.organizationExternalId = 16502874: expected text, but YAML read a number; quote it"]),
    ("ocm-organization-id-missing", "split-account",
     {"split-account": [("    organizationId: 2Kf7dQm1xVbR9sTnW4yHcZp3LaE\n", "")]},
     ["rosa-foundation:ocmRole.organizationId is missing: it is required"]),
    ("user-role-twice", "split-account",
     {"split-account": [("ocmUsername: platform-bob", "ocmUsername: Platform-Alice")]},
     ["rosa-foundation:userRoles[1].ocmUsername = 'Platform-Alice': userRoles[0] has it already"]),
    ("ocm-username-iam-refuses", "split-account",
     {"split-account": [("ocmUsername: platform-alice", "ocmUsername: platform alice")]},
     ["rosa-foundation:userRoles[0].ocmUsername = 'platform alice': must be 1 to 64 letters, digits or _+=,.@-"]),
    # 7. HCP-only identities: what CloudWatch and rosa refuse.
    ("log-retention-cloudwatch-lacks", "prod", {"prod": [("retentionDays: 400", "retentionDays: 100")]},
     ["rosa-foundation:clusters[0].logForwarding.cloudwatch.retentionDays = 100: must be one of CloudWatch Logs' "
      "retentions, in days: 1, 3, 5, 7, 14,"]),
    ("log-retention-as-text", "prod", {"prod": [("retentionDays: 400", "retentionDays: forever")]},
     ["rosa-foundation:clusters[0].logForwarding.cloudwatch.retentionDays = 'forever': expected a whole number"]),
    ("unknown-control-plane-log-group", "prod",
     {"prod": [("          retentionDays: 400\n", "          retentionDays: 400\n        groups: [api, etcd]\n")]},
     ["rosa-foundation:clusters[0].logForwarding.groups[1] = 'etcd': must be one of ROSA's control-plane log groups: "
      "'api', 'authentication', 'controller manager', 'scheduler'"]),
    ("log-forwarding-forwards-nothing", "prod",
     {"prod": [("          retentionDays: 400\n", "          retentionDays: 400\n        groups: []\n")]},
     ["rosa-foundation:clusters[0].logForwarding forwards nothing: name at least one of groups"]),
    ("log-forwarding-without-a-destination", "prod",
     {"prod": [("        cloudwatch:\n          retentionDays: 400\n        s3:\n"
                "          bucketName: acme-prod-payments-control-plane-logs\n          retentionDays: 2557\n",
                "        groups: [api]\n")]},
     ["rosa-foundation:clusters[0].logForwarding names no destination: cloudwatch, s3, or both"]),
    ("log-bucket-prefix-with-spaces", "prod",
     {"prod": [("          retentionDays: 2557\n", "          retentionDays: 2557\n          prefix: my logs/\n")]},
     ["rosa-foundation:clusters[0].logForwarding.s3.prefix = 'my logs/': must be an S3 key prefix"]),
    ("audit-log-on-classic", "prod", {"prod": [("    - name: ledger\n", "    - name: ledger\n      auditLog: true\n")]},
     ["rosa-foundation:clusters[2].auditLog is set on a classic cluster: rosa offers audit-log forwarding to "
      "CloudWatch for hosted control plane clusters only (topology: hcp)"]),
    ("auto-node-on-classic", "prod", {"prod": [("    - name: ledger\n", "    - name: ledger\n      autoNode: true\n")]},
     ["rosa-foundation:clusters[2].autoNode is set on a classic cluster: rosa offers AutoNode for hosted control "
      "plane clusters only"]),
    ("auto-node-as-text", "prod", {"prod": [("autoNode: true", "autoNode: enabled")]},
     ["rosa-foundation:clusters[0].autoNode = 'enabled': expected true or false"]),
    ("log-bucket-retention-beyond-ten-years", "prod",
     {"prod": [("retentionDays: 2557", "retentionDays: 5000")]},
     ["rosa-foundation:clusters[0].logForwarding.s3.retentionDays = 5000: must be less than or equal to 3650"]),
    ("log-bucket-is-the-backup-bucket", "prod",
     {"prod": [("bucketName: acme-prod-payments-control-plane-logs", "bucketName: acme-prod-rosa-backups")]},
     ["rosa-foundation:clusters[0].logForwarding.s3.bucketName: bucket 'acme-prod-rosa-backups' is also used by "
      "rosa-foundation:backup.bucketName"]),
    ("log-bucket-prefix-from-the-root", "prod",
     {"prod": [("          retentionDays: 2557\n", "          retentionDays: 2557\n          prefix: /logs/\n")]},
     ["rosa-foundation:clusters[0].logForwarding.s3.prefix = '/logs/': must be an S3 key prefix"]),
    ("log-groups-as-text", "prod",
     {"prod": [("          retentionDays: 400\n", "          retentionDays: 400\n        groups: api\n")]},
     ["rosa-foundation:clusters[0].logForwarding.groups = 'api': expected a list, but YAML read text"]),
    ("log-group-key-of-ones-own", "prod",
     {"prod": [("          retentionDays: 400\n",
                "          retentionDays: 400\n          kmsKeyArn: arn:aws:kms:us-east-1:333333333333:key/x\n")]},
     ["rosa-foundation:clusters[0].logForwarding.cloudwatch.kmsKeyArn: unknown key (a typo?); allowed: retentionDays"]),
    ("log-forwarding-as-true", "prod",
     {"prod": [("        cloudwatch:\n          retentionDays: 400\n", "        cloudwatch: true\n")]},
     ["rosa-foundation:clusters[0].logForwarding.cloudwatch = true: expected a mapping of keys to values"]),
    ("log-forwarding-on-classic", "prod",
     {"prod": [("    - name: ledger\n", "    - name: ledger\n      logForwarding:\n        cloudwatch: {}\n")]},
     ["rosa-foundation:clusters[2].logForwarding is set on a classic cluster: rosa offers control-plane log "
      "forwarding for hosted control plane clusters only"]),
    ("audit-log-as-text", "prod", {"prod": [("auditLog: true", "auditLog: 'yes'")]},
     ["rosa-foundation:clusters[0].auditLog = 'yes': expected true or false, but YAML read text"]),
]  # fmt: skip


def stacks_with(tmp_path: Path, edits: dict[str, list[tuple[str, str]]]) -> Path:
    """A copy of the example stack files with `edits` made, each edit to text the example holds."""
    folder = tmp_path / "stacks"
    shutil.copytree(EXAMPLES, folder)
    for stack, replacements in edits.items():
        path = folder / f"Pulumi.{stack}.yaml"
        text = path.read_text()
        for old, new in replacements:
            assert old in text, f"{path.name} no longer holds {old!r}: update the case"
            text = text.replace(old, new, 1)
        path.write_text(text)
    return folder


@pytest.mark.parametrize(("stack", "edits", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_by_the_render_with_exit_2_one_line_each_and_nothing_written(
    tmp_path, capsys, stack, edits, fragments
):
    out = tmp_path / "out"
    code = main([stack, "--stacks", str(stacks_with(tmp_path, edits)), "--out", str(out)])
    error = capsys.readouterr().err
    assert code == 2, error
    for fragment in fragments:
        assert fragment in error
    assert "Traceback" not in error and "issuer" not in error
    assert not out.exists()


def test_a_stack_that_does_not_exist_is_named_with_the_stacks_that_do(tmp_path, capsys):
    assert main(["prd", "--stacks", str(EXAMPLES), "--out", str(tmp_path / "out")]) == 2
    assert "no stack 'prd'" in (error := capsys.readouterr().err)
    there = sorted(path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in EXAMPLES.glob("Pulumi.*.yaml"))
    assert f"stacks there: {', '.join(there)}\n" in error and "dev, fleet, " in error


def test_values_yaml_reads_as_dates_or_octal_render_as_the_text_written(tmp_path, capsys):
    # As the Pulumi CLI hands top-level values to the program; a date inside a mapping stays text too.
    edits = {
        "dev": [
            ('accountId: "111111111111"', "accountId: 011111111111"),
            ("iam::111111111111:role/PlatformAdministrator", "iam::011111111111:role/PlatformAdministrator"),
            ("rosa-foundation:retainStatefulOnDelete: false", "rosa-foundation:trustExternalId: 2024-01-01\n"
             "  rosa-foundation:retainStatefulOnDelete: false"),
            ("    environment: dev\n", "    environment: dev\n    since: 2024-01-01\n"),
        ]
    }  # fmt: skip
    out = tmp_path / "out"
    assert main(["dev", "--stacks", str(stacks_with(tmp_path, edits)), "--out", str(out)]) == 0, capsys.readouterr()
    outputs = json.loads((out / "dev" / "outputs.json").read_text())
    assert outputs["accountId"] == "011111111111"
    args = outputs["clusters"]["dev-hcp"]["rosaCreateClusterArgs"]
    assert args[args.index("--external-id") + 1] == "2024-01-01"
    provider = next(r for r in json.loads((out / "dev" / "resources.json").read_text()) if r["name"] == "aws")
    assert json.loads(provider["inputs"]["defaultTags"])["tags"]["since"] == "2024-01-01"


@pytest.mark.parametrize(
    ("args", "edits", "fragment"),
    [
        (["dev"], {"dev": [("vault: shared", "vault: [shared")]}, "not valid YAML"),
        (["split-hcp"], {"split-account": [("layout: account", f"layout: cluster\n  rosa-foundation:{SPLIT_ACCOUNT}")]},
         # a cluster stack with no clusters, and the OCM and user roles it may not hold
         "the account stack's settings are invalid (3 problems); fix Pulumi.split-account.yaml"),
        (["prd"], {}, "no stack 'prd'"),
    ],
    ids=["yaml-syntax", "account-stack-names-itself-back", "no-such-stack"],
)  # fmt: skip
def test_the_command_line_exits_2_without_a_traceback(tmp_path, args, edits, fragment):
    stacks = stacks_with(tmp_path, edits)
    result = subprocess.run(
        [sys.executable, "-m", "render", *args, "--stacks", str(stacks), "--out", str(tmp_path / "out")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert fragment in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
