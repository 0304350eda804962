"""`make prune`: delete the versions of the project's layers that nothing uses, and nothing else.

`skip_destroy` keeps every layer version a function might still use, so versions pile up.
A version is kept when it is:
- attached to any function in the account and region: its `$LATEST` or a published version
  (an alias points at one of those, so aliases are covered);
- the current one in Terraform's state;
- among the newest `keep` of its layer;
- shared with another account, an organization or everyone, unless `include_shared`: their
  functions cannot be seen from here, so "unused" cannot be proven for them.

Everything is looked up before anything is deleted, so a failed look-up deletes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from layerkit.errors import LayerError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mypy_boto3_lambda import LambdaClient


@dataclass(frozen=True)
class Version:
    """One layer version and what the pruner decided about it."""

    layer: str
    number: int
    arn: str
    created: str
    size: int
    kept_because: str | None
    """None: nothing uses it, so it can be deleted."""


def region_of(arn: str) -> str:
    """The region of a layer version ARN (arn:<partition>:lambda:<region>:<account>:layer:<name>:<version>)."""
    return arn.split(":")[3]


def published_in_state(state: dict[str, Any]) -> dict[str, str]:
    """The layer versions in Terraform's state (`show -json`): layer name -> current version ARN."""
    current = {}
    pending = [state.get("values", {}).get("root_module", {})]
    while pending:
        module = pending.pop()
        pending += module.get("child_modules", [])
        for resource in module.get("resources", []):
            if resource["type"] == "aws_lambda_layer_version" and resource["mode"] == "managed":
                current[resource["values"]["layer_name"]] = resource["values"]["arn"]
    return current


def survey(
    aws: LambdaClient, layers: Iterable[str], current: set[str], keep: int, *, include_shared: bool
) -> list[Version]:
    """Every version of `layers` with the reason it is kept, or None; no deletion."""
    try:
        attached = _attached(aws)
        versions = []
        for layer in layers:
            listed = _layer_versions(aws, layer)
            newest = {v["LayerVersionArn"] for v in listed[:keep]}
            for listing in listed:
                arn = listing["LayerVersionArn"]
                reason = _reason(
                    aws,
                    layer,
                    listing,
                    attached=attached,
                    current=current,
                    newest=newest,
                    include_shared=include_shared,
                )
                details = aws.get_layer_version(LayerName=layer, VersionNumber=int(listing["Version"]))
                versions.append(
                    Version(
                        layer=layer,
                        number=int(listing["Version"]),
                        arn=arn,
                        created=str(listing.get("CreatedDate", ""))[:19],
                        size=int(details.get("Content", {}).get("CodeSize", 0)),
                        kept_because=reason,
                    )
                )
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        raise LayerError(f"cannot list the layer versions: {_aws_error(exc)}; nothing was deleted") from None
    return sorted(versions, key=lambda v: (v.layer, -v.number))


def delete(aws: LambdaClient, versions: Iterable[Version]) -> list[Version]:
    """Delete each version nothing keeps; returns those deleted."""
    deleted: list[Version] = []
    for version in versions:
        if version.kept_because is None:
            try:
                aws.delete_layer_version(LayerName=version.layer, VersionNumber=version.number)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
                done = f"; deleted before it: {', '.join(v.arn for v in deleted)}" if deleted else ""
                raise LayerError(f"cannot delete {version.arn}: {_aws_error(exc)}{done}") from None
            deleted.append(version)
    return deleted


def _reason(  # noqa: PLR0913 -- every rule that can keep a version
    aws: LambdaClient,
    layer: str,
    listing: Any,  # noqa: ANN401 -- a ListLayerVersions entry
    *,
    attached: dict[str, list[str]],
    current: set[str],
    newest: set[str],
    include_shared: bool,
) -> str | None:
    arn = listing["LayerVersionArn"]
    if arn in attached:
        return f"attached to {', '.join(sorted(attached[arn]))}"
    if arn in current:
        return "current in Terraform's state"
    if arn in newest:
        return "among the newest kept"
    grantees = _grantees(aws, layer, int(listing["Version"]))
    if grantees and not include_shared:
        return f"shared with {', '.join(grantees)}: their functions cannot be seen from here (--include-shared)"
    return None


def _layer_versions(aws: LambdaClient, layer: str) -> list[Any]:
    """Every version of the layer, newest first."""
    listed = []
    for page in aws.get_paginator("list_layer_versions").paginate(LayerName=layer):
        listed += page["LayerVersions"]
    return sorted(listed, key=lambda v: -int(v["Version"]))


def _attached(aws: LambdaClient) -> dict[str, list[str]]:
    """Layer version ARN -> the functions that attach it: `$LATEST` and every published version."""
    attached: dict[str, list[str]] = {}
    for page in aws.get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            name = function["FunctionName"]
            for versions in aws.get_paginator("list_versions_by_function").paginate(FunctionName=name):
                for version in versions["Versions"]:
                    for layer in version.get("Layers", []):
                        attached.setdefault(layer["Arn"], []).append(f"{name}:{version['Version']}")
    return attached


def _grantees(aws: LambdaClient, layer: str, number: int) -> list[str]:
    """Who else the version's policy lets use it: account IDs, organizations, or everyone."""
    try:
        policy = aws.get_layer_version_policy(LayerName=layer, VersionNumber=number)["Policy"]
    except aws.exceptions.ResourceNotFoundException:
        return []
    grantees = []
    for statement in json.loads(policy)["Statement"]:
        principal = statement.get("Principal")
        organization = statement.get("Condition", {}).get("StringEquals", {}).get("aws:PrincipalOrgID")
        if organization:
            grantees.append(f"organization {organization}")
        elif principal in ("*", {"AWS": "*"}):
            grantees.append("every AWS account")
        else:
            arn = principal.get("AWS", "") if isinstance(principal, dict) else str(principal)
            grantees.append(f"account {arn.split(':')[4] if arn.startswith('arn:') else arn}")
    return grantees


def _aws_error(exc: Exception) -> str:
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return "no AWS credentials found; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return f"{exc}; is the endpoint up?"
    return " ".join(str(exc).split())
