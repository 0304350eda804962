"""Functions for production, applied for real, and read back on the local AWS with boto3.

Every setting of function.toml goes through the manifest, the root configuration and
modules/lambda-function onto the local AWS.

One project (the shipped layers and hub, and `worker`, which declares every setting) is applied
once and then changed, in file order: a layer bump, its rollback through the alias live, and back.
"""

from __future__ import annotations

import json
import shutil
import sys
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from conftest import ROOT, reset
from layerkit.build_dir import BuildDir
from layerkit.deploy import function_role, local_aws, role_grants, terraform_root
from layerkit.deploy.terraform_cli import TerraformCli
from layerkit.inspect import invoke
from test_terraform_apply import Project, build, lambda_client

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.network

ACCOUNT = "123456789012"
WORKER = ROOT / "tests/fixtures/production-function"
BOUNDARY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
READ_CONFIG = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "*"}],
}


def client(project: Project, service: str) -> Any:  # noqa: ANN401 -- one boto3 client or another
    return boto3.client(service, **local_aws.client_options(project.endpoint))  # type: ignore[call-overload]


def make_what_worker_names(endpoint: str) -> dict[str, str]:
    """The queues, topic and policies that worker's function.toml names, as another team would have made them."""
    options = local_aws.client_options(endpoint)
    sqs = boto3.client("sqs", **options)
    urls = {name: sqs.create_queue(QueueName=name)["QueueUrl"] for name in ("orders", "other", "worker-failed")}
    boto3.client("sns", **options).create_topic(Name="worker-dead")
    iam = boto3.client("iam", **options)
    iam.create_policy(PolicyName="WorkloadBoundary", PolicyDocument=json.dumps(BOUNDARY))
    iam.create_policy(PolicyName="ReadConfig", PolicyDocument=json.dumps(READ_CONFIG))
    return urls


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, moto_endpoint: str, tf_cli: str) -> Iterator[Project]:
    reset(moto_endpoint)
    directory = tmp_path_factory.mktemp("production")
    shutil.copytree(ROOT / "layers", directory / "layers")
    shutil.copytree(ROOT / "functions", directory / "functions")
    shutil.copytree(WORKER, directory / "functions/worker")
    build(directory)
    make_what_worker_names(moto_endpoint)
    space = terraform_root.workspace(
        ROOT, tf_cli, BuildDir(directory / "build"), moto_endpoint, local_dir=directory / "terraform"
    )
    terraform = TerraformCli(space)
    terraform.init()
    terraform.apply(auto_approve=True)
    yield Project(directory, moto_endpoint, terraform, lambda_client(moto_endpoint))
    reset(moto_endpoint)


def record(project: Project, name: str) -> Any:  # noqa: ANN401 -- a manifest record
    return invoke.function_record(BuildDir(project.build_dir), name)


def test_the_log_group_is_made_with_its_retention_and_the_function_logs_there(project: Project) -> None:
    groups = client(project, "logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]
    assert {g["logGroupName"]: g.get("retentionInDays") for g in groups} == {
        "/aws/lambda/hub": 30,
        "/aws/lambda/worker": 14,
    }
    config = project.aws.get_function_configuration(FunctionName="worker")
    assert config["LoggingConfig"] == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "WARN",
        "LogGroup": "/aws/lambda/worker",
    }


def test_the_function_s_own_settings_are_applied(project: Project) -> None:
    config = project.aws.get_function_configuration(FunctionName="worker")
    assert config["Description"] == "Consumes orders, and sweeps them nightly"
    assert config["TracingConfig"] == {"Mode": "Active"}
    assert config["EphemeralStorage"] == {"Size": 1024}
    assert config["VpcConfig"]["SubnetIds"] == ["subnet-0123456789abcdef0"]
    assert config["VpcConfig"]["SecurityGroupIds"] == ["sg-0123456789abcdef0"]
    assert config["DeadLetterConfig"] == {"TargetArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:worker-dead"}
    assert project.aws.get_function_concurrency(FunctionName="worker")["ReservedConcurrentExecutions"] == 5


def test_live_points_at_the_latest_version_and_the_triggers_call_it(project: Project) -> None:
    alias = project.aws.get_alias(FunctionName="worker", Name="live")
    versions = project.aws.list_versions_by_function(FunctionName="worker")["Versions"]
    assert alias["FunctionVersion"] == max(v["Version"] for v in versions if v["Version"] != "$LATEST") == "1"
    live = alias["AliasArn"]

    (target,) = client(project, "events").list_targets_by_rule(Rule="worker-nightly")["Targets"]
    assert (target["Arn"], json.loads(target["Input"])) == (live, {"task": "sweep"})
    rule = client(project, "events").describe_rule(Name="worker-nightly")
    assert rule["ScheduleExpression"] == "cron(0 3 * * ? *)"

    (mapping,) = project.aws.list_event_source_mappings(FunctionName=live)["EventSourceMappings"]
    assert mapping["EventSourceArn"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"
    assert (mapping["FunctionArn"], mapping["BatchSize"], mapping["MaximumBatchingWindowInSeconds"]) == (live, 50, 5)
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]

    policy = json.loads(project.aws.get_policy(FunctionName="worker", Qualifier="live")["Policy"])
    callers = {
        s["Sid"]: (s["Principal"]["Service"], s["Condition"]["ArnLike"]["AWS:SourceArn"]) for s in policy["Statement"]
    }
    assert callers == {
        "schedule-nightly": ("events.amazonaws.com", rule["Arn"]),
        "s3": ("s3.amazonaws.com", "arn:aws:s3:::uploads"),
    }


def test_failed_asynchronous_events_go_to_the_destination(project: Project) -> None:
    config = project.aws.get_function_event_invoke_config(FunctionName="worker", Qualifier="live")
    assert (config["MaximumRetryAttempts"], config["MaximumEventAgeInSeconds"]) == (1, 3600)
    failed = config["DestinationConfig"]["OnFailure"]["Destination"]
    assert failed == f"arn:aws:sqs:us-east-1:{ACCOUNT}:worker-failed"


def test_the_role_has_its_controls_and_exactly_what_make_invoke_gives_it(project: Project) -> None:
    iam = client(project, "iam")
    role = iam.get_role(RoleName="worker")["Role"]
    assert role["Path"] == "/workloads/"
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == f"arn:aws:iam::{ACCOUNT}:policy/WorkloadBoundary"
    attached = sorted(p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="worker")["AttachedPolicies"])
    assert attached == ["AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole", "ReadConfig"]

    applied = iam.get_role_policy(RoleName="worker", PolicyName="permissions")["PolicyDocument"]
    created = function_role.policy_document(role_grants.statements(record(project, "worker")))
    assert normalised(applied) == normalised(created)
    assert [s["Action"] for s in normalised(applied)] == [
        ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
        ["sqs:SendMessage"],
        ["sns:Publish"],
        ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
    ]


def normalised(document: Any) -> list[dict[str, Any]]:  # noqa: ANN401 -- a policy document
    """Its statements in order, each action and resource list sorted (IAM renders one item as a string)."""
    return [
        {key: _sorted(value) if key in ("Action", "Resource") else value for key, value in statement.items()}
        for statement in document["Statement"]
    ]


def _sorted(value: str | list[str]) -> list[str]:
    return sorted([value] if isinstance(value, str) else value)


def test_a_second_plan_has_no_changes(project: Project) -> None:
    changes, output = project.terraform.plan()
    assert not changes, output


def test_as_its_role_the_queue_consumer_reads_its_queue_and_is_denied_another(project: Project) -> None:
    sqs = client(project, "sqs")
    own, other = (sqs.get_queue_url(QueueName=name)["QueueUrl"] for name in ("orders", "other"))
    build_dir = BuildDir(project.build_dir)

    result = function_role.invoke_as_role(
        build_dir, "worker", {"queues": [own, other]}, sys.executable, project.endpoint
    )

    assert not result.failed, result.payload
    assert result.payload == {own: "allowed", other: "denied"}


def test_provisioned_concurrency_is_planned_on_the_alias(project: Project) -> None:
    """Planned only: the local AWS (moto 5.2.5) answers PutProvisionedConcurrencyConfig "Not yet implemented"."""
    toml = project.directory / "functions/worker/function.toml"
    original = toml.read_text(encoding="utf-8")
    toml.write_text(original + "\n[versions]\nprovisioned_concurrency = 2\n", encoding="utf-8")
    try:
        project.build()
        assert project.changes() == {
            'module.function["worker"].aws_lambda_provisioned_concurrency_config.live[0]': ["create"]
        }
    finally:
        toml.write_text(original, encoding="utf-8")
        project.build()


def test_a_layer_bump_publishes_a_version_and_moves_live(project: Project) -> None:
    source = project.directory / "layers/aws_helpers/python/aws_helpers/__init__.py"
    source.write_text(source.read_text(encoding="utf-8") + "\nBUMPED = True\n", encoding="utf-8")
    project.build()
    project.terraform.apply(auto_approve=True)

    assert project.aws.get_alias(FunctionName="hub", Name="live")["FunctionVersion"] == "2"
    layers = [
        layer["Arn"] for layer in project.aws.get_function_configuration(FunctionName="hub", Qualifier="2")["Layers"]
    ]
    assert layers[1].endswith(":layer:aws_helpers:2")


def test_holding_live_on_the_previous_version_rolls_back_the_layers_and_stays(project: Project) -> None:
    toml = project.directory / "functions/hub/function.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[versions]\nlive = 1\n", encoding="utf-8")
    project.build()
    assert project.changes() == {'module.function["hub"].aws_lambda_alias.live[0]': ["update"]}
    project.terraform.apply(auto_approve=True)

    assert project.aws.get_alias(FunctionName="hub", Name="live")["FunctionVersion"] == "1"
    held = project.aws.get_function_configuration(FunctionName="hub", Qualifier="1")["Layers"]
    assert held[1]["Arn"].endswith(":layer:aws_helpers:1")
    assert project.changes() == {}, "Terraform must keep the rollback"


def test_a_rollback_made_outside_terraform_shows_in_the_next_plan(project: Project) -> None:
    toml = project.directory / "functions/hub/function.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("\n[versions]\nlive = 1\n", ""), encoding="utf-8")
    project.build()
    project.terraform.apply(auto_approve=True)
    assert project.aws.get_alias(FunctionName="hub", Name="live")["FunctionVersion"] == "2"

    project.aws.update_alias(FunctionName="hub", Name="live", FunctionVersion="1")
    assert project.changes() == {'module.function["hub"].aws_lambda_alias.live[0]': ["update"]}
