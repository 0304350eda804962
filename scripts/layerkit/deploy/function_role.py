"""A function's own role on a local AWS, assumed with IAM enforced: what `make invoke` runs the handler as.

Lambda runs a handler with its execution role's temporary credentials, so a call that the
role's policies do not allow is denied. `sam local invoke`, and a plain local run, use the
developer's own credentials instead, and so never show that. On a local AWS this:

1. creates the role as `modules/lambda-function` does: trusting lambda.amazonaws.com, with
   the manifest's managed policies, and its `permissions` as the inline policy (or, with
   `role_arn`, takes a role Terraform already made there);
2. assumes it, as Lambda does, for temporary credentials;
3. switches on the local AWS's IAM enforcement (every request's signature and policies
   are checked, and a call the policies do not allow is denied with AWS's message);
4. yields the environment the handler gets: those credentials and the local endpoint only.

When the block ends, enforcement goes back to what it was and a role made here is deleted.
"""

from __future__ import annotations

import http.client
import json
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

import boto3

from layerkit.deploy import local_aws, role_grants
from layerkit.errors import LayerError
from layerkit.inspect import invoke

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_iam import IAMClient

    from layerkit.build_dir import BuildDir
    from layerkit.records import Function, Statement

_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
_INLINE_POLICY = "permissions"
"""The inline policy's name, as modules/lambda-function names it."""
_ENFORCE = "0"
"""moto checks every request from the first one on."""


def policy_document(statements: list[Statement]) -> dict[str, object]:
    """The manifest's statements as the IAM policy that aws_iam_policy_document makes of them."""
    rendered = []
    for statement in statements:
        entry: dict[str, object] = {
            "Effect": "Allow",
            "Action": statement["actions"],
            "Resource": statement["resources"],
        }
        conditions: dict[str, dict[str, list[str]]] = {}
        for condition in statement["conditions"]:
            conditions.setdefault(condition["test"], {})[condition["variable"]] = condition["values"]
        if conditions:
            entry["Condition"] = conditions
        rendered.append(entry)
    return {"Version": "2012-10-17", "Statement": rendered}


def invoke_as_role(  # noqa: PLR0913 -- the function, its input, and where and as whom it runs
    build_dir: BuildDir, name: str, event: object, python: str, endpoint: str, *, role_arn: str | None = None
) -> invoke.Invocation:
    """Invoke function `name` once as its role on the local AWS at `endpoint` (see `acting_as`)."""
    with acting_as(endpoint, invoke.function_record(build_dir, name), role_arn) as aws:
        return invoke.invoke(build_dir, name, event, python, aws)


@contextmanager
def acting_as(endpoint: str, function: Function, role_arn: str | None = None) -> Iterator[dict[str, str]]:
    """Run the block as `function`'s role on the local AWS at `endpoint`; yield the handler's AWS_* variables."""
    options = local_aws.client_options(endpoint)
    iam = boto3.client("iam", **options)
    made = None
    if role_arn is None and function["role"]["arn"] is not None:
        raise LayerError(
            f"function {function['name']}: its role {function['role']['arn']} is made elsewhere, so a local AWS "
            "cannot run as it; invoke without LOCAL_AWS to use your own credentials"
        )
    if role_arn is None:
        made = f"invoke-{function['name']}"[:64]
        _delete_role(iam, made)
        role_arn = create_role(iam, made, function)
    try:
        credentials = boto3.client("sts", **options).assume_role(
            RoleArn=role_arn, RoleSessionName=function["name"][:64]
        )["Credentials"]
        previous = _set_enforcement(endpoint, _ENFORCE)
        try:
            yield {
                "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
                "AWS_SESSION_TOKEN": credentials["SessionToken"],
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_REGION": local_aws.REGION,
                "AWS_DEFAULT_REGION": local_aws.REGION,
            }
        finally:
            _set_enforcement(endpoint, previous)
    finally:
        if made:
            _delete_role(iam, made)


def create_role(iam: IAMClient, name: str, function: Function) -> str:
    """The role modules/lambda-function would create, from the same manifest record; its ARN."""
    controls = function["role"]
    if controls["permissions_boundary"]:
        made = iam.create_role(
            RoleName=name,
            Path=controls["path"],
            AssumeRolePolicyDocument=_TRUST,
            PermissionsBoundary=controls["permissions_boundary"],
        )
    else:
        made = iam.create_role(RoleName=name, Path=controls["path"], AssumeRolePolicyDocument=_TRUST)
    role = made["Role"]["Arn"]
    for policy in role_grants.managed_policies(function):
        iam.attach_role_policy(RoleName=name, PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
    for policy in controls["policies"]:
        iam.attach_role_policy(RoleName=name, PolicyArn=policy)
    if statements := role_grants.statements(function):
        document = json.dumps(policy_document(statements))
        iam.put_role_policy(RoleName=name, PolicyName=_INLINE_POLICY, PolicyDocument=document)
    return role


def _delete_role(iam: IAMClient, name: str) -> None:
    """Delete a role made here, with its policies; nothing when there is none."""
    with suppress(iam.exceptions.NoSuchEntityException):
        for policy in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
        for inline in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=inline)
        iam.delete_role(RoleName=name)


def _set_enforcement(endpoint: str, count: str) -> str:
    """Set how many requests the local AWS lets through unchecked ("0": none, "inf": all); the previous setting."""
    connection = http.client.HTTPConnection(endpoint.removeprefix("http://"), timeout=30)
    try:
        connection.request("POST", "/moto-api/reset-auth", body=count.encode())
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != http.client.OK:
        raise LayerError(f"local AWS at {endpoint}: switching IAM enforcement answered {response.status}")
    previous: str = json.loads(body)["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]
    return previous
