r"""Facts about AWS Lambda that the build must honour: limits, runtimes and the wheels each runtime runs.

This is the Python side's one copy of each fact. The modules under `modules/` write many of them
again in HCL; tests/test_lambda_facts_parity.py reads both and fails when a copy differs. Patterns
are matched whole (`fullmatch`), as the modules' `regex("^...$")` does. Their classes are spelled
out (`[0-9]`, never `\d`) and compiled with re.ASCII, so Python and Terraform's RE2 refuse the same
strings (`\d` in Python takes any Unicode digit).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

MAX_UNZIPPED_BYTES = 262_144_000
"""Function code plus all its layers, unzipped ("must be smaller than 262144000 bytes")."""

MAX_DIRECT_UPLOAD_BYTES = 50 * 1024 * 1024
"""Zips larger than this cannot be uploaded directly and must go through S3."""

BASIC_EXECUTION_POLICY = "service-role/AWSLambdaBasicExecutionRole"
"""The AWS managed policy that lets a function write its logs, by its name under arn:aws:iam::aws:policy/."""

MAX_LAYERS_PER_FUNCTION = 5
MAX_COMPATIBLE_RUNTIMES = 15
MAX_DESCRIPTION_CHARS = 256
MAX_LICENSE_CHARS = 512

MIN_MEMORY_MB = 128
MAX_MEMORY_MB = 10_240
DEFAULT_MEMORY_MB = 128
MIN_TIMEOUT_S = 1
MAX_TIMEOUT_S = 900
DEFAULT_TIMEOUT_S = 3

MAX_NAME_CHARS = 64
NAME = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_NAME_CHARS}}}", re.ASCII)
"""A function's name, and so its role's (IAM allows 64 characters too). Layer folders are held to it
as well, so one rule names both; Lambda itself would take a layer name of 140."""

HANDLER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+", re.ASCII)
"""`module.function`, as the Python runtimes resolve a handler."""

LAYER_VERSION_ARN = re.compile(
    r"arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso[a-z]?))?-[a-z]+-[0-9]:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+",
    re.ASCII,
)
"""A layer version ARN in any partition (aws, aws-cn, aws-us-gov, aws-iso...): a region, an account ID, a
layer name and a version number."""

ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}|aws)?:.+", re.ASCII)
"""Any ARN, arn:partition:service:region:account:resource, where region and account may be empty (IAM, S3)."""

IAM_ACTION = re.compile(r"[a-z0-9-]+:[A-Za-z0-9*]+", re.ASCII)
"""An IAM action in `service:Action` form, `*` allowed in the action: `sts:AssumeRole`, `s3:Get*`."""

REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]", re.ASCII)
"""An AWS region, as the root configuration's `region` takes it: `eu-west-1`, `us-gov-west-1`."""

ACCOUNT_ID = re.compile(r"[0-9]{12}", re.ASCII)
"""An AWS account ID, as a layer version permission's principal takes it."""

ORGANIZATION_ID = re.compile(r"o-[a-z0-9]{10,32}", re.ASCII)
"""An AWS Organizations ID, as a layer version permission's organization-id takes it."""

LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
"""The retentions CloudWatch Logs accepts (Terraform's 0, "never expire", is left out on purpose)."""
DEFAULT_LOG_RETENTION_DAYS = 30
"""Long enough to look back over a month's incidents; a longer one is a choice with a bill."""
LOG_FORMATS = ("Text", "JSON")
LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
"""Application log levels; the system log level takes DEBUG, INFO and WARN only."""
SYSTEM_LOG_LEVELS = ("DEBUG", "INFO", "WARN")
TRACING_MODES = ("Active", "PassThrough")

MIN_EPHEMERAL_STORAGE_MB = 512
MAX_EPHEMERAL_STORAGE_MB = 10_240
MAX_RETRY_ATTEMPTS = 2
MIN_EVENT_AGE_S = 60
MAX_EVENT_AGE_S = 21_600

MAX_SQS_BATCH = 10_000
MAX_SQS_FIFO_BATCH = 10
MAX_SQS_BATCHING_WINDOW_S = 300
DEFAULT_SQS_BATCH = 10
MAX_SQS_BATCH_WITHOUT_WINDOW = 10
"""Over 10 messages a batch, Lambda needs a batching window of at least 1 s."""

SCHEDULE = re.compile(
    r"(rate\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\)|cron\(([^ ()]+ ){5}[^ ()]+\))",
    re.ASCII,
)
"""An EventBridge schedule: `rate(1 hour)`, `rate(5 minutes)`, or `cron(...)` with six fields."""

KMS_KEY_ARN = re.compile(r"arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_-]+", re.ASCII)
POLICY_ARN = re.compile(
    r"arn:aws[a-zA-Z-]*:iam::([0-9]{12}|aws):policy/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]+", re.ASCII
)
ROLE_ARN = re.compile(r"arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]+", re.ASCII)
ROLE_PATH = re.compile(r"/([A-Za-z0-9+=,.@_-]+/)*", re.ASCII)
"""An IAM path: `/`, or names between slashes, such as `/service/`."""
QUEUE_ARN = re.compile(r"arn:aws[a-zA-Z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?", re.ASCII)
DESTINATION_ARN = re.compile(
    r"arn:aws[a-zA-Z-]*:(sqs|sns|lambda|events):[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9:/_.-]+", re.ASCII
)
"""Where Lambda sends a failed asynchronous event: an SQS queue, SNS topic, Lambda function or EventBridge bus."""
DEAD_LETTER_ARN = re.compile(r"arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+", re.ASCII)
SUBNET_ID = re.compile(r"subnet-[0-9a-f]{8,17}", re.ASCII)
SECURITY_GROUP_ID = re.compile(r"sg-[0-9a-f]{8,17}", re.ASCII)
SERVICE_PRINCIPAL = re.compile(r"[a-z0-9.-]+\.amazonaws\.com", re.ASCII)
"""A service that may invoke a function, such as `s3.amazonaws.com`; never `*` or an account."""

# The manylinux tag each runtime's OS can load. Amazon Linux 2 has glibc 2.26, but
# uv offers no manylinux_2_26 platform, so the nearest older one (2_17) is used.
_GLIBC_TAG = MappingProxyType(
    {
        "python3.10": "manylinux_2_17",
        "python3.11": "manylinux_2_17",
        "python3.12": "manylinux_2_34",
        "python3.13": "manylinux_2_34",
        "python3.14": "manylinux_2_34",
    }
)
RUNTIMES = tuple(_GLIBC_TAG)

# Lambda's architecture name -> the machine name in wheel tags and uv platforms.
_MACHINE = MappingProxyType({"x86_64": "x86_64", "arm64": "aarch64"})
ARCHITECTURES = tuple(_MACHINE)
ALIASES = MappingProxyType({"amd64": "x86_64", "aarch64": "arm64"})
"""Other names for Lambda's architectures (a machine's, a Docker platform's), so a typo check suggests
the architecture meant, not the nearest spelling (amd64 is x86_64, though it reads like arm64)."""


@dataclass(frozen=True, order=True)
class Target:
    """One runtime on one architecture: what a lockfile and an install are for."""

    runtime: str
    architecture: str

    @property
    def key(self) -> str:
        return f"{self.runtime}-{self.architecture}"

    @property
    def python_version(self) -> str:
        return self.runtime.removeprefix("python")

    @property
    def uv_platform(self) -> str:
        return f"{_MACHINE[self.architecture]}-{_GLIBC_TAG[self.runtime]}"

    @property
    def marker_environment(self) -> dict[str, str]:
        """PEP 508 marker values on this target, for checking requirement markers."""
        return {
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "platform_machine": _MACHINE[self.architecture],
            "platform_system": "Linux",
            "sys_platform": "linux",
            "os_name": "posix",
            "python_version": self.python_version,
            "python_full_version": f"{self.python_version}.0",
        }


EN_DASH = "\u2013"


def runtime_span(runtimes: Iterable[str]) -> str:
    """Runtimes in words: `python3.12`, or `python3.10 and python3.12`.

    A run of two or more consecutive runtimes is its first and last, joined by an en dash.
    """
    ordered = sorted(set(runtimes), key=RUNTIMES.index)
    first = RUNTIMES.index(ordered[0])
    if len(ordered) > 1 and list(RUNTIMES[first : first + len(ordered)]) == ordered:
        return f"{ordered[0]}{EN_DASH}{ordered[-1].removeprefix('python')}"
    return ordered[0] if len(ordered) == 1 else f"{', '.join(ordered[:-1])} and {ordered[-1]}"


def describe(targets: Iterable[Target]) -> str:
    """Targets in words: `python3.13 on arm64`, `<runtime span> on x86_64 and arm64`, or a phrase per architecture."""
    by_architecture: dict[str, set[str]] = {}
    for target in targets:
        by_architecture.setdefault(target.architecture, set()).add(target.runtime)
    architectures = sorted(by_architecture, key=ARCHITECTURES.index)
    spans = [runtime_span(by_architecture[a]) for a in architectures]
    if len(set(spans)) == 1:
        return f"{spans[0]} on {' and '.join(architectures)}"
    return ", ".join(f"{span} on {a}" for span, a in zip(spans, architectures, strict=True))
