"""Stack files are read strictly and as the engine hands them over: what YAML readers disagree on is refused with its
file and line, and a value is never silently turned into another."""

from __future__ import annotations

import json

import pytest

from foundation.stack_files import StackFileError, stack_config


def read(tmp_path, text: str) -> dict[str, str]:
    path = tmp_path / "Pulumi.t.yaml"
    path.write_text(text)
    return stack_config(path)


def refusal(tmp_path, text: str) -> str:
    with pytest.raises(StackFileError) as failure:
        read(tmp_path, text)
    return str(failure.value)


def test_top_level_values_arrive_as_the_text_written_as_the_engine_hands_them_over(tmp_path):
    config = read(
        tmp_path,
        "config:\n"
        "  rosa-foundation:accountId: 012345670123\n"  # YAML 1.1 reads octal
        "  rosa-foundation:trustExternalId: 2024-01-01\n"  # a date
        "  rosa-foundation:classicPolicyVersion: 4.20\n"  # a float, 4.2
        "  rosa-foundation:retainStatefulOnDelete: false\n"
        "  rosa-foundation:layout:\n",
    )
    assert config == {
        "rosa-foundation:accountId": "012345670123",
        "rosa-foundation:trustExternalId": "2024-01-01",
        "rosa-foundation:classicPolicyVersion": "4.20",
        "rosa-foundation:retainStatefulOnDelete": "false",
        "rosa-foundation:layout": "",
    }


def test_structured_values_keep_dates_as_written_and_read_yes_as_text(tmp_path):
    config = read(tmp_path, "config:\n  rosa-foundation:tags:\n    since: 2024-01-01\n    on-call: yes\n    n: 7\n")
    assert json.loads(config["rosa-foundation:tags"]) == {"since": "2024-01-01", "on-call": "yes", "n": 7}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("config:\n  aws:region: eu-west-1\n  aws:region: us-east-1\n",
         "Pulumi.t.yaml:3:3: config: key 'aws:region' is written twice (first on line 2); YAML would keep only one"),
        ("config:\n  rosa-foundation:tags:\n    team: a\n    team: b\n",
         "Pulumi.t.yaml:4:5: rosa-foundation:tags: key 'team' is written twice (first on line 3)"),
    ],
)  # fmt: skip
def test_a_key_written_twice_in_one_mapping_is_refused_naming_both_lines(tmp_path, text, expected):
    assert expected in refusal(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("config:\n  aws:region: [eu-west-1\n", "Pulumi.t.yaml:3:1: not valid YAML: expected ',' or ']'"),
        ("config:\n\taws:region: eu-west-1\n", "Pulumi.t.yaml:2:1: not valid YAML: found character '\\t'"),
        ("- config\n", "Pulumi.t.yaml:1:1: the stack file must be a mapping of keys to values, not a list"),
        ("config:\n  - aws:region\n", "Pulumi.t.yaml:2:3: config must be a mapping of keys to values, not a list"),
        ("config: eu-west-1\n", "config must be a mapping of keys to values, not the value 'eu-west-1'"),
    ],
)
def test_a_file_that_is_not_a_mapping_of_settings_is_refused_with_its_line(tmp_path, text, expected):
    assert expected in refusal(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("config:\n  rosa-foundation:backup:\n    retentionDays:\n      daily: 010\n",
         "Pulumi.t.yaml:4:14: rosa-foundation:backup.retentionDays.daily = 010: a number with a leading zero, which "
         "YAML readers disagree on (octal or decimal)"),
        ("config:\n  rosa-foundation:tags:\n    blob: !!binary aGVsbG8=\n",
         "rosa-foundation:tags.blob = 'aGVsbG8=': YAML type 'tag:yaml.org,2002:binary' is not read here; quote"),
        ("config:\n  rosa-foundation:quotas:\n    rolesPerAccount: .inf\n",
         "rosa-foundation:quotas.rolesPerAccount = .inf: not a finite number"),
        ("config:\n  aws:region:\n    secure: AAABAHk=\n",
         "aws:region is encrypted; the offline render reads no secrets"),
    ],
)  # fmt: skip
def test_values_readers_disagree_on_or_json_cannot_hold_are_refused(tmp_path, text, expected):
    assert expected in refusal(tmp_path, text)
