"""The records of `build/manifest.json`, typed: what `builder.manifest` writes and every reader reads.

`builder.manifest` makes them (and `config.permissions` the IAM statements in a function's),
and `schemas/manifest.schema.json` says the same in JSON Schema for readers outside Python;
a test holds the two to each other and to the fields main.tf reads. They sit here, beside
the other shared modules, rather than in `builder/`, because `report` reads them and sits
below `builder` (`tests/test_layout.py`): the build hands its report the records the
manifest will hold, before writing them.
"""

from typing import TypedDict


class Lockfile(TypedDict):
    """One of an artifact's lockfiles: the one for a runtime."""

    path: str
    sha256: str


class Share(TypedDict):
    """`[share]` in layer.toml: who else may attach the layer's versions."""

    accounts: list[str]
    organization: str | None
    public: bool


class _LayerZip(TypedDict):
    """What a layer's artifact and its published version both say of the zip and the layer."""

    key: str
    layer: str
    runtimes: list[str]
    description: str
    license: str
    share: Share
    zip: str
    sha256: str
    sha256_base64: str
    zip_size: int
    unzipped_size: int
    needs_s3: bool
    requires: list[str]
    """Every layer this one relies on, directly or through another, nearest first."""


class Artifact(_LayerZip):
    """One zip of a layer for one architecture, as built, with what `report` and `audit` need of its layer.toml."""

    architecture: str
    file_count: int
    lockfiles: dict[str, Lockfile]
    """By runtime."""
    inputs_sha256: str
    sbom: str
    layer_toml: str
    requirements_in: str
    overrides: list[str]
    """Distributions whose copy here is meant to win over another layer's (layer.toml's `overrides`)."""
    audit_ignore: dict[str, str]
    """Advisory ID (or alias) to the reason `make audit` does not fail on it (`[audit] ignore`)."""
    licenses_allow: list[str] | None
    """`[licenses] allow`: the only SPDX licenses the layer may ship; None: no such rule."""


class LayerVersion(_LayerZip):
    """One distinct zip of a layer: what Terraform publishes as one `aws_lambda_layer_version`."""

    architectures: list[str]
    artifacts: list[str]
    regions: list[str] | None
    """Where it is published (regions.toml, layer.toml); None: only the root's `var.region`."""


class LocalLayer(TypedDict):
    """A function's layer built here: its artifact for the function's architecture."""

    artifact: str
    layer: str
    arn: None


class ExternalLayer(TypedDict):
    """A function's layer published elsewhere, by version ARN; the same keys, so Terraform reads one list."""

    artifact: None
    layer: None
    arn: str


AttachedLayer = LocalLayer | ExternalLayer
"""Tell them apart by `arn is None`."""


class Condition(TypedDict):
    test: str
    variable: str
    values: list[str]


class Statement(TypedDict):
    """One Allow statement of the function's role (`[[permissions]]`), every `${NAME}` replaced."""

    actions: list[str]
    resources: list[str]
    conditions: list[Condition]


class Logs(TypedDict):
    """`[logs]`: the log group the module makes before the function, and the function's logging config."""

    retention_days: int
    kms_key: str | None
    format: str
    application_level: str | None
    system_level: str | None


class Versions(TypedDict):
    """`[versions]`: whether each change is published, and where the alias `live` points."""

    publish: bool
    live: int | None
    """A version `live` is held on; None: the latest."""
    provisioned_concurrency: int


class Vpc(TypedDict):
    subnets: list[str]
    security_groups: list[str]


class Asynchronous(TypedDict):
    """`[asynchronous]`: what happens to an asynchronous event that fails."""

    retries: int | None
    max_event_age: int | None
    on_failure: str | None
    dead_letter: str | None


class Role(TypedDict):
    """`[role]`: a role made elsewhere (`arn`), or controls on the one the module makes."""

    arn: str | None
    path: str
    permissions_boundary: str | None
    policies: list[str]


class Schedule(TypedDict):
    name: str
    expression: str
    event: str
    """The JSON the function is called with."""


class Queue(TypedDict):
    name: str
    arn: str
    batch_size: int
    batching_window: int
    partial_batch_responses: bool


class InvokePermission(TypedDict):
    """Another service may invoke the function, from `source_arn` or `source_account` (one at least)."""

    name: str
    principal: str
    source_arn: str | None
    source_account: str | None


class Triggers(TypedDict):
    schedules: list[Schedule]
    queues: list[Queue]
    permissions: list[InvokePermission]


class FunctionZip(TypedDict):
    """A function's zip and settings, as built, before its SBOM is written."""

    key: str
    name: str
    runtime: str
    handler: str
    architecture: str
    memory: int
    timeout: int
    environment: dict[str, str]
    managed_policies: list[str]
    permissions: list[Statement]
    layers: list[AttachedLayer]
    """In merge order."""
    description: str
    tracing: str | None
    reserved_concurrency: int | None
    ephemeral_storage: int
    kms_key: str | None
    logs: Logs
    versions: Versions
    vpc: Vpc | None
    asynchronous: Asynchronous | None
    role: Role
    triggers: Triggers
    regions: list[str] | None
    """Where it runs, the first one first (regions.toml, function.toml); None: only the root's `var.region`."""
    role_names: dict[str, str] | None
    """Its IAM role's name in each region (IAM is global); None: one region, and the role is named as the function."""
    zip: str
    sha256: str
    sha256_base64: str
    zip_size: int
    unzipped_size: int
    file_count: int
    needs_s3: bool
    src: str
    """The folder the zip was made from: what to change when the code bundles a bad version."""


class Function(FunctionZip):
    """A function as the manifest records it: with its SBOM."""

    sbom: str


class Manifest(TypedDict):
    format: int
    regions: list[str] | None
    """Every region anything is published in, sorted; None: none declared, so only the root's `var.region`."""
    artifacts: list[Artifact]
    layer_versions: list[LayerVersion]
    functions: list[Function]
