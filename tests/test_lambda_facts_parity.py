"""Each Lambda fact that the modules write again in HCL equals its one Python copy in lambda_facts.py.

COPIES is the table: for each copy in `modules/*/`, the fact's name in lambda_facts, its Python value,
where the copy is (a file, then a path into python-hcl2's reading of it), and a regex whose one group
captures the copy from the text there. python-hcl2 keeps each string as it is written in the file,
quotes and escapes included, so a captured string is unescaped before it is compared. A number is
compared as HCL writes it (10240), a pattern as `^<pattern>$` (the modules call `regex("^...$")`, and
the Python side calls `fullmatch`), a list of names as the items of an HCL list.

The layer version ARN pattern is also run, on both sides, over the same strings: Python's `re`
directly, and the module's own regex through the real CLI (`console`), because HCL's regex() is RE2
and the point is what RE2 refuses, not what Python's `re` makes of the same text.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING

import hcl2
import pytest
from conftest import ROOT
from layerkit import lambda_facts as facts

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

MODULES = ROOT / "modules"
FUNCTION = "lambda-function/variables.tf"
FUNCTION_MAIN = "lambda-function/main.tf"
LAYER = "lambda-layer/variables.tf"
ROOT_VARIABLES = "../variables.tf"
"""The root configuration's, which consumers do not use, but which also copies a fact."""

REGEX = r'regex\("((?:[^"\\]|\\.)*)"'
"""The string literal given to regex()."""
NUMBER = r"^(\d+)$"
STRING = r'^"(.*)"$'
LIST = r"contains\(\[([^]]*)\]"
"""The items of the list a validation's contains() looks in."""


@dataclass(frozen=True)
class Copy:
    """One copy in HCL of a fact in lambda_facts."""

    fact: str
    value: object
    file: str
    """Relative to modules/ (the root configuration's files are in ../)."""
    path: str
    """Into python-hcl2's reading of the file: block types, labels and attributes, `[i]` the i-th block or item."""
    extract: str
    """A regex whose one group is the copy, in the text at `path`; every match must be equal to `value`."""


# fmt: off
COPIES = [
    # fact name, Python value,
    #     where in HCL, how to extract it
    Copy("MAX_UNZIPPED_BYTES", facts.MAX_UNZIPPED_BYTES,
         FUNCTION_MAIN, "locals.max_unzipped_bytes", NUMBER),
    Copy("MAX_LAYERS_PER_FUNCTION", facts.MAX_LAYERS_PER_FUNCTION,
         FUNCTION, "variable.layers.validation[1].condition", r"length\(var\.layers\) <= (\d+)"),
    Copy("MAX_LAYERS_PER_FUNCTION", facts.MAX_LAYERS_PER_FUNCTION,
         FUNCTION, "variable.layers.validation[1].error_message", r"at most (\d+) layers"),
    Copy("LAYER_VERSION_ARN", facts.LAYER_VERSION_ARN,
         FUNCTION, "variable.layers.validation[3].condition", REGEX),
    Copy("LAYER_VERSION_ARN", facts.LAYER_VERSION_ARN,
         FUNCTION, "variable.layers.validation[3].error_message", REGEX),
    Copy("NAME", facts.NAME,
         FUNCTION, "variable.name.validation[0].condition", REGEX),
    Copy("MAX_NAME_CHARS", facts.MAX_NAME_CHARS,
         FUNCTION, "variable.name.validation[0].error_message", r"1 to (\d+) letters"),
    Copy("HANDLER", facts.HANDLER,
         FUNCTION, "variable.handler.validation[0].condition", REGEX),
    Copy("ARCHITECTURES", facts.ARCHITECTURES,
         FUNCTION, "variable.architecture.validation[0].condition", LIST),
    Copy("ARCHITECTURES", facts.ARCHITECTURES,
         LAYER, "variable.compatible_architectures.validation[0].condition", LIST),
    Copy("DEFAULT_MEMORY_MB", facts.DEFAULT_MEMORY_MB,
         FUNCTION, "variable.memory_size.default", NUMBER),
    Copy("MIN_MEMORY_MB", facts.MIN_MEMORY_MB,
         FUNCTION, "variable.memory_size.validation[0].condition", r"var\.memory_size >= (\d+)"),
    Copy("MAX_MEMORY_MB", facts.MAX_MEMORY_MB,
         FUNCTION, "variable.memory_size.validation[0].condition", r"var\.memory_size <= (\d+)"),
    Copy("MIN_MEMORY_MB", facts.MIN_MEMORY_MB,
         FUNCTION, "variable.memory_size.validation[0].error_message", r"from (\d+) to"),
    Copy("MAX_MEMORY_MB", facts.MAX_MEMORY_MB,
         FUNCTION, "variable.memory_size.validation[0].error_message", r"to (\d+);"),
    Copy("MIN_MEMORY_MB", facts.MIN_MEMORY_MB,
         FUNCTION, "variable.memory_size.description", r"(\d+) to"),
    Copy("MAX_MEMORY_MB", facts.MAX_MEMORY_MB,
         FUNCTION, "variable.memory_size.description", r"to (\d+)\."),
    Copy("DEFAULT_TIMEOUT_S", facts.DEFAULT_TIMEOUT_S,
         FUNCTION, "variable.timeout.default", NUMBER),
    Copy("MIN_TIMEOUT_S", facts.MIN_TIMEOUT_S,
         FUNCTION, "variable.timeout.validation[0].condition", r"var\.timeout >= (\d+)"),
    Copy("MAX_TIMEOUT_S", facts.MAX_TIMEOUT_S,
         FUNCTION, "variable.timeout.validation[0].condition", r"var\.timeout <= (\d+)"),
    Copy("MIN_TIMEOUT_S", facts.MIN_TIMEOUT_S,
         FUNCTION, "variable.timeout.validation[0].error_message", r"from (\d+) to"),
    Copy("MAX_TIMEOUT_S", facts.MAX_TIMEOUT_S,
         FUNCTION, "variable.timeout.validation[0].error_message", r"to (\d+);"),
    Copy("MIN_TIMEOUT_S", facts.MIN_TIMEOUT_S,
         FUNCTION, "variable.timeout.description", r"(\d+) to"),
    Copy("MAX_TIMEOUT_S", facts.MAX_TIMEOUT_S,
         FUNCTION, "variable.timeout.description", r"to (\d+)\."),
    Copy("BASIC_EXECUTION_POLICY", facts.BASIC_EXECUTION_POLICY,
         FUNCTION, "variable.managed_policies.default[0]", STRING),
    Copy("BASIC_EXECUTION_POLICY", facts.BASIC_EXECUTION_POLICY,
         FUNCTION, "variable.managed_policies.validation[0].error_message", r'e\.g\. \\"(.*?)\\"'),
    Copy("BASIC_EXECUTION_POLICY", facts.BASIC_EXECUTION_POLICY,
         FUNCTION_MAIN, "moved[0].to", r'managed\["(.*?)"\]'),
    Copy("MAX_DESCRIPTION_CHARS", facts.MAX_DESCRIPTION_CHARS,
         LAYER, "variable.description.validation[0].condition", r"<= (\d+)"),
    Copy("MAX_DESCRIPTION_CHARS", facts.MAX_DESCRIPTION_CHARS,
         LAYER, "variable.description.validation[0].error_message", r"at most (\d+) characters"),
    Copy("MAX_LICENSE_CHARS", facts.MAX_LICENSE_CHARS,
         LAYER, "variable.license_info.validation[0].condition", r"<= (\d+)"),
    Copy("MAX_LICENSE_CHARS", facts.MAX_LICENSE_CHARS,
         LAYER, "variable.license_info.validation[0].error_message", r"at most (\d+) characters"),
    Copy("MAX_COMPATIBLE_RUNTIMES", facts.MAX_COMPATIBLE_RUNTIMES,
         LAYER, "variable.compatible_runtimes.validation[0].condition", r"<= (\d+)"),
    Copy("MAX_COMPATIBLE_RUNTIMES", facts.MAX_COMPATIBLE_RUNTIMES,
         LAYER, "variable.compatible_runtimes.validation[0].error_message", r"1 to (\d+) runtimes"),
    Copy("ACCOUNT_ID", facts.ACCOUNT_ID,
         LAYER, "variable.shared_with_accounts.validation[1].condition", REGEX),
    Copy("ORGANIZATION_ID", facts.ORGANIZATION_ID,
         LAYER, "variable.shared_with_organization.validation[0].condition", REGEX),
    Copy("MAX_DESCRIPTION_CHARS", facts.MAX_DESCRIPTION_CHARS,
         FUNCTION, "variable.description.validation[0].condition", r"<= (\d+)"),
    Copy("LOG_RETENTION_DAYS", facts.LOG_RETENTION_DAYS,
         FUNCTION, "variable.log_retention_days.validation[0].condition", LIST),
    Copy("DEFAULT_LOG_RETENTION_DAYS", facts.DEFAULT_LOG_RETENTION_DAYS,
         FUNCTION, "variable.log_retention_days.default", NUMBER),
    Copy("KMS_KEY_ARN", facts.KMS_KEY_ARN,
         FUNCTION, "variable.log_kms_key_arn.validation[0].condition", REGEX),
    Copy("KMS_KEY_ARN", facts.KMS_KEY_ARN,
         FUNCTION, "variable.kms_key_arn.validation[0].condition", REGEX),
    Copy("LOG_FORMATS", facts.LOG_FORMATS,
         FUNCTION, "variable.logging.validation[0].condition", LIST),
    Copy("LOG_LEVELS", facts.LOG_LEVELS,
         FUNCTION, "variable.logging.validation[2].condition", LIST),
    Copy("SYSTEM_LOG_LEVELS", facts.SYSTEM_LOG_LEVELS,
         FUNCTION, "variable.logging.validation[3].condition", LIST),
    Copy("TRACING_MODES", facts.TRACING_MODES,
         FUNCTION, "variable.tracing_mode.validation[0].condition", LIST),
    Copy("MIN_EPHEMERAL_STORAGE_MB", facts.MIN_EPHEMERAL_STORAGE_MB,
         FUNCTION, "variable.ephemeral_storage_size.default", NUMBER),
    Copy("MIN_EPHEMERAL_STORAGE_MB", facts.MIN_EPHEMERAL_STORAGE_MB,
         FUNCTION, "variable.ephemeral_storage_size.validation[0].condition", r">= (\d+)"),
    Copy("MAX_EPHEMERAL_STORAGE_MB", facts.MAX_EPHEMERAL_STORAGE_MB,
         FUNCTION, "variable.ephemeral_storage_size.validation[0].condition", r"<= (\d+)"),
    Copy("MAX_RETRY_ATTEMPTS", facts.MAX_RETRY_ATTEMPTS,
         FUNCTION, "variable.async_invocation.validation[0].condition", r"contains\(\[[^]]*?(\d+)\]"),
    Copy("MIN_EVENT_AGE_S", facts.MIN_EVENT_AGE_S,
         FUNCTION, "variable.async_invocation.validation[1].condition", r">= (\d+)"),
    Copy("MAX_EVENT_AGE_S", facts.MAX_EVENT_AGE_S,
         FUNCTION, "variable.async_invocation.validation[1].condition", r"<= (\d+)"),
    Copy("DESTINATION_ARN", facts.DESTINATION_ARN,
         FUNCTION, "variable.async_invocation.validation[2].condition", REGEX),
    Copy("DEAD_LETTER_ARN", facts.DEAD_LETTER_ARN,
         FUNCTION, "variable.dead_letter_target_arn.validation[0].condition", REGEX),
    Copy("QUEUE_ARN", facts.QUEUE_ARN,
         FUNCTION, "variable.sqs_triggers.validation[0].condition", REGEX),
    Copy("MAX_SQS_FIFO_BATCH", facts.MAX_SQS_FIFO_BATCH,
         FUNCTION, "variable.sqs_triggers.validation[1].condition", r"\? (\d+) :"),
    Copy("MAX_SQS_BATCH", facts.MAX_SQS_BATCH,
         FUNCTION, "variable.sqs_triggers.validation[1].condition", r": (\d+)\)"),
    Copy("MAX_SQS_BATCHING_WINDOW_S", facts.MAX_SQS_BATCHING_WINDOW_S,
         FUNCTION, "variable.sqs_triggers.validation[2].condition", r"batching_window <= (\d+)"),
    Copy("MAX_SQS_BATCH_WITHOUT_WINDOW", facts.MAX_SQS_BATCH_WITHOUT_WINDOW,
         FUNCTION, "variable.sqs_triggers.validation[2].condition", r"batch_size <= (\d+)"),
    Copy("DEFAULT_SQS_BATCH", facts.DEFAULT_SQS_BATCH,
         FUNCTION, "variable.sqs_triggers.type", r"batch_size\W+optional\(number, (\d+)\)"),
    Copy("SCHEDULE", facts.SCHEDULE,
         FUNCTION, "variable.schedules.validation[0].condition", REGEX),
    Copy("NAME", facts.NAME,
         FUNCTION, "variable.schedules.validation[1].condition", REGEX),
    Copy("SERVICE_PRINCIPAL", facts.SERVICE_PRINCIPAL,
         FUNCTION, "variable.invoke_permissions.validation[0].condition", REGEX),
    Copy("POLICY_ARN", facts.POLICY_ARN,
         FUNCTION, "variable.permissions_boundary.validation[0].condition", REGEX),
    Copy("POLICY_ARN", facts.POLICY_ARN,
         FUNCTION, "variable.policy_arns.validation[0].condition", REGEX),
    Copy("ROLE_PATH", facts.ROLE_PATH,
         FUNCTION, "variable.role_path.validation[0].condition", REGEX),
    Copy("IAM_ACTION", facts.IAM_ACTION,
         FUNCTION, "variable.policy_statements.validation[1].condition", REGEX),
    Copy("REGION", facts.REGION,
         ROOT_VARIABLES, "variable.region.validation[0].condition", REGEX),
]
# fmt: on

PYTHON_ONLY = {
    "MAX_DIRECT_UPLOAD_BYTES": "the build marks each zip needs_s3 in the manifest; the root configuration reads that",
    "RUNTIMES": "the modules take any runtime the provider takes; the build's list is the runtimes it can build for",
    "ALIASES": "only the build's typo hints use them",
    "EN_DASH": "a character for messages, not a fact about Lambda",
    "ARN": "the module checks only that a resource starts with arn: (or is *); the build checks its parts",
    "ROLE_ARN": "the module's role_arn takes any role the provider takes; the build checks function.toml's [role]",
    "SUBNET_ID": "the module passes subnet IDs on, and AWS refuses one that does not exist",
    "SECURITY_GROUP_ID": "the module passes security group IDs on, and AWS refuses one that does not exist",
}
"""The constants of lambda_facts that no module copies, and why: a new constant must go in COPIES or here."""

_ESCAPE = re.compile(r'\\(["\\nrt])')
_ESCAPED = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}


def as_hcl(value: object) -> str:
    """`value` as its HCL copy reads once unescaped."""
    if isinstance(value, re.Pattern):
        return f"^{value.pattern}$"
    if isinstance(value, tuple):
        return ", ".join(f'"{item}"' if isinstance(item, str) else str(item) for item in value)
    return str(value)


def unescape(literal: str) -> str:
    r"""The text an HCL quoted string holds: `\\.` in the file is `\.` in a regex, `\"` is `"`."""
    return _ESCAPE.sub(lambda match: _ESCAPED[match[1]], literal)


_STEP = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")


def at(tree: object, path: str) -> object:
    """What is at `path` in python-hcl2's reading of a file; LookupError when nothing is."""
    node = tree
    for name, indexes in _STEP.findall(path):
        # A block type reads as a list of its blocks, and a labelled block as `{'"label"': body}`.
        for item in node if isinstance(node, list) else [node]:
            if isinstance(item, dict) and (name in item or f'"{name}"' in item):
                node = item.get(name, item.get(f'"{name}"'))
                break
        else:
            raise LookupError(name)
        for index in re.findall(r"\d+", indexes):
            if not isinstance(node, list) or int(index) >= len(node):
                raise LookupError(f"{name}{indexes}")
            node = node[int(index)]
    return node


def copies_of(modules: Path, copies: Sequence[Copy] = COPIES) -> list[tuple[Copy, list[str] | None]]:
    """Each row, with what its `extract` finds at its path under `modules` (unescaped); None: no such path."""
    trees: dict[str, object] = {}
    found: list[tuple[Copy, list[str] | None]] = []
    for copy in copies:
        if copy.file not in trees:
            with (modules / copy.file).open(encoding="utf-8") as handle:
                trees[copy.file] = hcl2.load(handle)
        try:
            node = at(trees[copy.file], copy.path)
        except LookupError:
            found.append((copy, None))
        else:
            found.append((copy, [unescape(text) for text in re.findall(copy.extract, str(node))]))
    return found


def differences(modules: Path, copies: Sequence[Copy] = COPIES) -> list[str]:
    """One line per copy under `modules` that is missing or differs from lambda_facts, naming the fact."""
    problems = []
    for copy, found in copies_of(modules, copies):
        said = f"{copy.fact}: lambda_facts.py has {as_hcl(copy.value)!r}; {copy.file}: {copy.path}"
        if found is None:
            problems.append(f"{said} is missing")
        elif not found:
            problems.append(f"{said} has nothing that {copy.extract!r} finds")
        problems.extend(f"{said} has {text!r}" for text in found or [] if text != as_hcl(copy.value))
    return problems


def test_every_copy_in_the_modules_equals_lambda_facts() -> None:
    assert differences(MODULES) == []


def test_each_row_holds_the_value_of_the_fact_it_names() -> None:
    assert [c.fact for c in COPIES if getattr(facts, c.fact) is not c.value] == []


def test_every_fact_is_copied_or_said_to_be_python_only() -> None:
    constants = {name for name in vars(facts) if name.isupper() and not name.startswith("_")}
    assert constants == {c.fact for c in COPIES} | set(PYTHON_ONLY)


def test_every_pattern_is_ascii_only() -> None:
    patterns = {name: value for name, value in vars(facts).items() if isinstance(value, re.Pattern)}
    assert patterns
    for name, pattern in patterns.items():
        assert pattern.flags & re.ASCII, name
        # \d, \w, \s and \b mean other things in RE2 than in Python (RE2's are ASCII only).
        assert not re.search(r"\\[dDwWsSbB]", pattern.pattern), name


def copy_of_the_modules(tmp_path: Path) -> Path:
    """modules/ and the root configuration's variables.tf beside it, as in the repository."""
    modules = tmp_path / "modules"
    shutil.copytree(MODULES, modules, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    shutil.copy2(MODULES / ROOT_VARIABLES, modules / ROOT_VARIABLES)
    return modules


def test_the_check_names_the_layer_limit_when_a_module_says_6(tmp_path: Path) -> None:
    modules = copy_of_the_modules(tmp_path)
    variables = modules / FUNCTION
    variables.write_text(
        variables.read_text(encoding="utf-8").replace("length(var.layers) <= 5", "length(var.layers) <= 6"),
        encoding="utf-8",
    )
    said = "MAX_LAYERS_PER_FUNCTION: lambda_facts.py has '5'; lambda-function/variables.tf: variable.layers"
    assert differences(modules) == [f"{said}.validation[1].condition has '6'"]


@pytest.mark.parametrize(
    ("old", "new", "fact"),
    [
        (
            'can(regex("^arn:aws[a-zA-Z-]*:lambda:',
            'can(regex("^arn:(aws[a-zA-Z-]*)?:lambda:',
            "LAYER_VERSION_ARN",
        ),
        ('default     = ["service-role/', 'default     = ["service-role/Other', "BASIC_EXECUTION_POLICY"),
    ],
    ids=["arn-empty-partition", "policy-name"],
)
def test_the_check_names_the_fact_whose_copy_differs(tmp_path: Path, old: str, new: str, fact: str) -> None:
    modules = copy_of_the_modules(tmp_path)
    variables = modules / FUNCTION
    text = variables.read_text(encoding="utf-8")
    assert text.count(old) >= 1
    variables.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = differences(modules)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{fact}: lambda_facts.py has "), problems


def test_the_check_names_a_copy_it_cannot_find(tmp_path: Path) -> None:
    modules = copy_of_the_modules(tmp_path)
    main = modules / FUNCTION_MAIN
    main.write_text(main.read_text(encoding="utf-8").replace("max_unzipped_bytes", "limit"), encoding="utf-8")
    missing = "MAX_UNZIPPED_BYTES: lambda_facts.py has '262144000'; lambda-function/main.tf: locals.max_unzipped_bytes"
    assert differences(modules) == [f"{missing} is missing"]


# --- the layer version ARN, on both sides ------------------------------------------------------

ARABIC_INDIC_ONE = "\u0661"
ARNS = [
    ("arn:aws:lambda:us-east-1:123456789012:layer:tools:1", True),
    ("arn:aws-cn:lambda:cn-north-1:123456789012:layer:tools:1", True),
    ("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:layer:tools:12", True),
    ("arn:aws-iso-b:lambda:us-isob-east-1:123456789012:layer:my_layer-2:3", True),
    ("arn::lambda:us-east-1:123456789012:layer:tools:1", False),  # no partition
    (f"arn:aws:lambda:us-east-{ARABIC_INDIC_ONE}:123456789012:layer:tools:1", False),
    (f"arn:aws:lambda:us-east-1:{ARABIC_INDIC_ONE * 12}:layer:tools:1", False),
    (f"arn:aws:lambda:us-east-1:123456789012:layer:tools:{ARABIC_INDIC_ONE}", False),
    ("arn:aws:lambda:us-east-1:123456789012:layer:tools", False),  # no version
    ("arn:aws:lambda:us-east-1:1234:layer:tools:1", False),  # a short account ID
    ("arn:aws:lambda:us-east-1:123456789012:layer:tools:1\n", False),  # Python's $ would take this
]


def test_python_takes_exactly_the_good_arns() -> None:
    assert [arn for arn, good in ARNS if bool(facts.LAYER_VERSION_ARN.fullmatch(arn)) != good] == []


@pytest.mark.terraform
def test_the_module_takes_exactly_the_good_arns(each_cli: str, tmp_path: Path) -> None:
    # The regex literal exactly as the module writes it, evaluated by the CLI's own regex() (RE2).
    row = next(c for c in COPIES if c.fact == "LAYER_VERSION_ARN" and c.path.endswith("condition"))
    with (MODULES / row.file).open(encoding="utf-8") as handle:
        match = re.search(REGEX, str(at(hcl2.load(handle), row.path)))
    assert match
    # JSON's string escapes (\uXXXX, \n) are HCL's too.
    expression = f'jsonencode([for s in {json.dumps([arn for arn, _ in ARNS])} : can(regex("{match[1]}", s))])'
    result = subprocess.run(
        [each_cli, "console"], input=expression, cwd=tmp_path, capture_output=True, text=True, check=True
    )
    taken = json.loads(json.loads(result.stdout.strip()))
    assert [arn for (arn, good), took in zip(ARNS, taken, strict=True) if took != good] == []
