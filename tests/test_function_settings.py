"""function.toml's settings for production, checked at build: each mistake is one line with its fix.

What a good declaration becomes is read back from the manifest, and every snippet of
docs/functions.md, "Running in production", builds as written. That Terraform applies them is
in tests/test_production_functions.py.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest
from conftest import ROOT, LayerFactory
from layerkit.cli import main
from test_functions import TOML, write_function

if TYPE_CHECKING:
    from pathlib import Path

QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders"
BASE = TOML.format(layers="[]")


@pytest.fixture
def project(layers: LayerFactory) -> Path:
    """A project folder with one layer, `a`, and room for functions."""
    layers.make("a", files={"python/a.py": "A = 1\n"})
    return layers.layers_dir.parent


def build(project: Path, toml: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`make layers` on the project with one function `api` declared by `toml`; the exit code and stderr."""
    write_function(project / "functions", "api", toml)
    dirs = ["--layers-dir", str(project / "layers"), "--functions-dir", str(project / "functions")]
    code = main([*dirs, "build", "--build-dir", str(project / "build")])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[logs]\nretention_days = 10\n",
            "[logs]: retention_days 10 is not one CloudWatch keeps logs for; the nearest are 7 or 14 (allowed: 1, 3, ",
        ),
        ("[logs]\nretention_days = 0\n", "retention_days 0 is not one CloudWatch keeps logs for; the nearest are 1 ("),
        ('[logs]\nformat = "Json"\n', "[logs]: unknown format 'Json'; did you mean JSON? supported: Text, JSON"),
        ('[logs]\napplication_level = "INFO"\n', 'application_level and system_level need format = "JSON"'),
        (
            '[[triggers]]\nkind = "schedule"\nexpression = "rate(5 minute)"\n',
            "triggers[1]: expression 'rate(5 minute)' is not an EventBridge schedule; write rate(1 hour), rate(5 ",
        ),
        (
            '[[triggers]]\nkind = "schedule"\nexpression = "cron(0 12 * * ?)"\n',
            "or cron() with six fields: minutes hours day-of-month month day-of-week year, e.g. cron(0 12 * * ? *)",
        ),
        (
            '[[triggers]]\nkind = "schedule"\nexpression = "cron(0 12 * * MON *)"\n',
            "cron(0 12 * * MON *) needs ? in exactly one of day-of-month (3rd field) and day-of-week (5th)",
        ),
        (
            f'[[triggers]]\nkind = "sqs"\nqueue = "{QUEUE}"\nbatch_size = 10001\nbatching_window = 1\n',
            "triggers[1]: batch_size must be a whole number from 1 to 10000, not 10001",
        ),
        (
            f'[[triggers]]\nkind = "sqs"\nqueue = "{QUEUE}.fifo"\nbatch_size = 11\n',
            "triggers[1]: batch_size must be a whole number from 1 to 10, not 11",
        ),
        (
            f'[[triggers]]\nkind = "sqs"\nqueue = "{QUEUE}"\nbatch_size = 100\n',
            "batch_size 100 needs batching_window of at least 1 second",
        ),
        (
            '[[triggers]]\nkind = "sqs"\nqueue = "orders"\n',
            "queue must be an SQS queue ARN, arn:aws:sqs:<region>:<account>:<name>, not 'orders'",
        ),
        (
            '[[triggers]]\nkind = "schedul"\nexpression = "rate(1 hour)"\n',
            "triggers[1]: unknown kind 'schedul'; did you mean schedule? kinds: permission, schedule, sqs",
        ),
        (
            '[[triggers]]\nkind = "permission"\nprincipal = "s3.amazonaws.com"\n',
            "s3.amazonaws.com may not invoke the function from anywhere; name the caller with source_arn",
        ),
        (
            '[[triggers]]\nkind = "permission"\nprincipal = "*"\nsource_account = "123456789012"\n',
            "principal must be a service principal such as \"s3.amazonaws.com\", not '*'",
        ),
        (
            '[[triggers]]\nkind = "schedule"\nexpression = "rate(1 hour)"\n' * 2,
            "two triggers are named schedule; give each a name = of its own",
        ),
        (
            '[vpc]\nsubnets = ["subnet-0123456789abcdef0"]\n',
            "[vpc]: a function in a VPC needs both subnets and security_groups, at least one of each",
        ),
        (
            '[asynchronous]\non_failure = "arn:aws:s3:::failures"\n',
            "on_failure must be the ARN of an SQS queue, SNS topic, Lambda function or EventBridge bus, not",
        ),
        ("[asynchronous]\nretries = 3\n", "[asynchronous]: retries must be a whole number from 0 to 2, not 3"),
        ("[asynchronous]\nmax_event_age = 30\n", "max_event_age must be a whole number from 60 to 21600, not 30"),
        (
            '[role]\npermissions_boundary = "arn:aws:iam::123456789012:role/Boundary"\n',
            "[role]: permissions_boundary must be an IAM policy ARN, arn:aws:iam::<account or aws>:policy/<name>",
        ),
        (
            '[role]\narn = "arn:aws:iam::123456789012:role/made-elsewhere"\npath = "/x/"\n',
            "arn names a role made elsewhere, which nothing here changes, so path would be ignored",
        ),
        (
            "reserved_concurrency = -1\n",
            "reserved_concurrency must be a whole number of concurrent runs, 0 or more (0 switches the function off",
        ),
        ("ephemeral_storage = 256\n", "ephemeral_storage must be a whole number from 512 to 10240, not 256"),
        ('tracing = "active"\n', "unknown tracing 'active'; did you mean Active? supported: Active, PassThrough"),
        (
            "[versions]\npublish = false\nlive = 2\n",
            "[versions]: live and provisioned_concurrency need a published version; drop publish = false",
        ),
    ],
)
def test_a_bad_setting_is_one_line_with_its_fix_and_nothing_is_written(
    project: Path, capsys: pytest.CaptureFixture[str], toml: str, message: str
) -> None:
    code, err = build(project, BASE + toml, capsys)

    assert code == 1
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"error: function api: {project / 'functions/api/function.toml'}: ")
    assert message in err
    assert not (project / "build" / "manifest.json").exists()


def test_every_setting_reaches_the_manifest_as_the_module_takes_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = (ROOT / "tests/fixtures/production-function/function.toml").read_text(encoding="utf-8")
    code, err = build(project, toml.replace('layers = ["boto3"]', "layers = []"), capsys)
    assert code == 0, err

    (api,) = json.loads((project / "build/manifest.json").read_text(encoding="utf-8"))["functions"]
    assert api["logs"] == {
        "retention_days": 14,
        "kms_key": None,
        "format": "JSON",
        "application_level": "INFO",
        "system_level": "WARN",
    }
    assert api["versions"] == {"publish": True, "live": None, "provisioned_concurrency": 0}
    assert (api["tracing"], api["reserved_concurrency"], api["ephemeral_storage"]) == ("Active", 5, 1024)
    assert api["triggers"]["schedules"] == [
        {"name": "nightly", "expression": "cron(0 3 * * ? *)", "event": '{"task":"sweep"}'}
    ]
    assert [q["name"] for q in api["triggers"]["queues"]] == ["orders"]
    assert api["triggers"]["permissions"] == [
        {"name": "s3", "principal": "s3.amazonaws.com", "source_arn": "arn:aws:s3:::uploads", "source_account": None}
    ]
    assert api["role"]["path"] == "/workloads/"


def test_a_function_that_says_nothing_new_keeps_todays_settings_but_logs_and_the_alias(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = build(project, BASE, capsys)
    assert code == 0, err

    (api,) = json.loads((project / "build/manifest.json").read_text(encoding="utf-8"))["functions"]
    assert api["logs"]["retention_days"] == 30
    assert api["versions"]["publish"] is True
    assert (api["tracing"], api["reserved_concurrency"], api["vpc"], api["asynchronous"]) == (None, None, None, None)
    assert api["triggers"] == {"schedules": [], "queues": [], "permissions": []}
    assert api["role"] == {"arn": None, "path": "/", "permissions_boundary": None, "policies": []}


def snippets() -> list[str]:
    """The ```toml blocks of docs/functions.md, "Running in production"."""
    text = (ROOT / "docs/functions.md").read_text(encoding="utf-8")
    section = text[text.index("\n## Running in production\n") :]
    end = section.find("\n## ", 1)
    return re.findall(r"^```toml\n(.*?)^```$", section[: end if end != -1 else None], re.MULTILINE | re.DOTALL)


def test_the_docs_have_a_snippet_for_each_capability() -> None:
    assert len(snippets()) == 9


@pytest.mark.parametrize("snippet", snippets(), ids=lambda s: s.split("\n", 1)[0])
def test_a_snippet_of_the_docs_builds_in_a_function_toml(
    snippet: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A snippet of tables goes after the base declaration's keys; one of keys goes before them, outside any table.
    code, err = build(project, BASE + snippet if snippet.startswith("[") else snippet + BASE, capsys)
    assert code == 0, err
