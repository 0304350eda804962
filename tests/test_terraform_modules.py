"""The Terraform code itself: fmt, validate, each module on its own, its `tofu test` files, each refusal's message.

The refusals are planned with a provider that calls no AWS; the examples are applied to the local AWS.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import ROOT, reset
from layerkit.deploy import terraform_root
from layerkit.deploy.terraform_cli import TerraformCli, TerraformError, Workspace
from python_terraform import IsFlagged

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

MODULES = ("modules/lambda-layer", "modules/lambda-function")
EXAMPLES = (
    *(f"{m}/examples/basic" for m in MODULES),
    "modules/lambda-function/examples/spoke-role",
    "modules/lambda-function/examples/production",
)
CONFIGURATIONS = (".", *MODULES, *EXAMPLES)
FIXTURES = Path(__file__).parent / "fixtures" / "module-calls"
LAYER: dict[str, Any] = {
    "arn": "arn:aws:lambda:us-east-1:123456789012:layer:boto3:3",
    "compatible_runtimes": ["python3.12"],
    "compatible_architectures": ["x86_64"],
    "unzipped_size": 1000,
}


def workspace(
    tf_cli: str, root: Path, tmp_path: Path, endpoint: str | None = None, state: Path | None = None
) -> TerraformCli:
    """An initialised workspace on `root`, against the local AWS at `endpoint` when given."""
    environment: Mapping[str, str | None] = {}
    if endpoint:
        environment = {"AWS_ENDPOINT_URL": endpoint, **terraform_root.LOCAL_CREDENTIALS}
    space = Workspace(root=root, cli=tf_cli, data_dir=tmp_path / "data", state=state, environment=environment)
    cli = TerraformCli(space)
    cli.init()
    return cli


@pytest.fixture(scope="module")
def tree(each_cli: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Terraform code, copied for this CLI (and xdist worker), to init where no other test does.

    `init` writes `.terraform.lock.hcl` beside the configuration, and each CLI's drops the other's
    provider: in a folder both CLIs init at once, the plan of whichever inited first would fail.
    """
    copy = tmp_path_factory.mktemp(f"tree-{each_cli}")
    for path in ROOT.glob("*.tf"):
        shutil.copy2(path, copy / path.name)
    shutil.copytree(ROOT / "modules", copy / "modules", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    return copy


def alone(module: str, tmp_path: Path) -> Path:
    """A copy of the module's folder, and nothing else of the repository, as a registry publishes it."""
    copy = tmp_path / Path(module).name
    shutil.copytree(ROOT / module, copy, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    return copy


def test_every_file_is_formatted(each_cli: str, tmp_path: Path) -> None:
    cli = TerraformCli(Workspace(root=ROOT, cli=each_cli, data_dir=tmp_path))
    cli.run("fmt", check=IsFlagged, recursive=IsFlagged, list=True)


@pytest.mark.parametrize("configuration", CONFIGURATIONS)
def test_configuration_is_valid(each_cli: str, tree: Path, tmp_path: Path, configuration: str) -> None:
    cli = workspace(each_cli, tree / configuration, tmp_path)
    result = json.loads(cli.run("validate", json=IsFlagged))
    assert result["valid"], result["diagnostics"]
    assert result["warning_count"] == 0, result["diagnostics"]


@pytest.mark.parametrize("module", MODULES)
def test_each_module_stands_alone(each_cli: str, tmp_path: Path, module: str) -> None:
    """The module's folder, copied out of the repository (as a registry publishes it), inits and validates.

    `init` also installs the modules its tests call, so a test that reaches outside the folder
    (another module of this repository) fails here with "Unreadable module directory".
    """
    cli = TerraformCli(Workspace(root=alone(module, tmp_path), cli=each_cli, data_dir=tmp_path / "data"))
    cli.run("init", backend=False, input=False)
    result = json.loads(cli.run("validate", json=IsFlagged))
    assert result["valid"], result["diagnostics"]
    assert result["warning_count"] == 0, result["diagnostics"]


@pytest.mark.parametrize("module", MODULES)
def test_module_test_files_pass(each_cli: str, tmp_path: Path, module: str) -> None:
    """Each module's own tests, in a copy of its folder alone: they need nothing else of the repository."""
    cli = workspace(each_cli, alone(module, tmp_path), tmp_path)
    output = cli.run("test")
    assert "0 failed" in output, output
    assert "passed" in output


@pytest.fixture(scope="module")
def fixtures(tf_cli: str, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], TerraformCli]:
    """Each fixture folder's workspace, initialised once for the module (in each xdist worker)."""
    initialised: dict[str, TerraformCli] = {}

    def get(fixture: str) -> TerraformCli:
        if fixture not in initialised:
            initialised[fixture] = workspace(tf_cli, FIXTURES / fixture, tmp_path_factory.mktemp(fixture))
        return initialised[fixture]

    return get


def refusal(cli: TerraformCli, tmp_path: Path, variables: dict[str, object]) -> str:
    """Plan the fixture with `variables` (no AWS is called); the one error line it fails with."""
    var_file = tmp_path / "case.tfvars.json"
    var_file.write_text(json.dumps(variables), encoding="utf-8")
    with pytest.raises(TerraformError) as caught:
        # No state lock: another worker may be planning in the same fixture folder, and there is no state.
        cli.plan(var_file=str(var_file), lock=False)
    assert caught.value.output.count("Error: ") == 1, caught.value.output
    return str(caught.value)


@pytest.mark.parametrize(
    ("fixture", "variables", "message"),
    [
        (
            "function",
            {"layers": [{**LAYER, "arn": f"{LAYER['arn'][:-1]}{n}"} for n in range(6)]},
            "Lambda attaches at most 5 layers to a function; got 6; detach one, or merge two into one layer.",
        ),
        (
            "function",
            {"unzipped_size": 262_144_000 - 999, "layers": [LAYER]},
            (
                "Function api: code and layers are 262144001 bytes unzipped, over Lambda's limit of 262144000 bytes; "
                "detach a layer or make one smaller."
            ),
        ),
        (
            "function",
            {"runtime": "python3.11", "layers": [LAYER]},
            (
                "Function api runs python3.11 on x86_64, but these layers do not declare both: layer 1; "
                "attach a version built for them, or change the function's runtime or architecture."
            ),
        ),
        (
            "function",
            {"architecture": "arm64", "layers": [LAYER]},
            (
                "Function api runs python3.12 on arm64, but these layers do not declare both: layer 1; "
                "attach a version built for them, or change the function's runtime or architecture."
            ),
        ),
        (
            "function",
            {
                "role_arn": "arn:aws:iam::123456789012:role/existing",
                "policy_statements": [{"actions": ["sts:AssumeRole"], "resources": ["*"]}],
            },
            (
                "Function api is given both role_arn and policy_statements, but the module manages no policy on a "
                "role it does not own; give those permissions to that role where it is defined, or drop role_arn so "
                "the module creates the role with them."
            ),
        ),
        (
            "function",
            {"policy_statements": [{"actions": ["AssumeRole"], "resources": ["*"]}]},
            'Each action in policy_statements must be in service:Action form, e.g. "sts:AssumeRole".',
        ),
        (
            "same-plan",
            {"runtime": "python3.13"},
            (
                "Function hub runs python3.13 on x86_64, but these layers do not declare both: layer 1 (helpers); "
                "attach a version built for them, or change the function's runtime or architecture."
            ),
        ),
        (
            "same-plan",
            {"unzipped_size": 262_144_000 - 3999},
            (
                "Function hub: code and layers are 262144001 bytes unzipped, over Lambda's limit of 262144000 bytes; "
                "detach a layer or make one smaller."
            ),
        ),
        (
            "same-plan",
            {"architecture": "arm64"},
            (
                "Function hub runs python3.12 on arm64, but these layers do not declare both: layer 1 (helpers); "
                "attach a version built for them, or change the function's runtime or architecture."
            ),
        ),
        (
            "same-plan",
            {"copies": 6},
            "Lambda attaches at most 5 layers to a function; got 6; detach one, or merge two into one layer.",
        ),
        (
            "layer",
            {"shared_with_accounts": ["*"]},
            (
                'shared_with_accounts lists "*" (every AWS account); to share the layer publicly, set public = true '
                "on purpose instead."
            ),
        ),
    ],
    ids=[
        "six-layers",
        "over-250-mb",
        "runtime-mismatch",
        "architecture-mismatch",
        "statements-with-a-given-role",
        "action-form",
        "runtime-mismatch-arn-unknown",
        "over-250-mb-arn-unknown",
        "architecture-mismatch-arn-unknown",
        "six-layers-arn-unknown",
        "public-without-opting-in",
    ],
)
def test_each_refusal_has_its_own_message(
    fixtures: Callable[[str], TerraformCli], tmp_path: Path, fixture: str, variables: dict[str, object], message: str
) -> None:
    assert message in refusal(fixtures(fixture), tmp_path, variables)


def test_an_unknown_arn_with_the_right_runtime_plans(fixtures: Callable[[str], TerraformCli], tmp_path: Path) -> None:
    """A layer published by the layer module and attached in the same apply, its ARN unknown at plan."""
    cli = fixtures("same-plan")
    plan = tmp_path / "tfplan"
    cli.plan(out=str(plan), lock=False)
    planned = json.loads(cli.run("show", str(plan), json=IsFlagged))
    assert planned["planned_values"]["outputs"]["unzipped_size"]["value"] == 5000, (
        "The attachment output carries the layer's size."
    )


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_applies_to_the_local_aws_and_plans_no_changes(
    tf_cli: str, tmp_path: Path, moto_endpoint: str, example: str
) -> None:
    reset(moto_endpoint)
    cli = workspace(tf_cli, ROOT / example, tmp_path, moto_endpoint, state=tmp_path / "terraform.tfstate")
    cli.apply(auto_approve=True)
    outputs = cli.output()
    assert outputs, "the example has outputs"
    assert not cli.plan()[0]
    if example.endswith("production"):
        assert outputs["orders_alias_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:orders:live"
        assert outputs["log_groups"] == ["/aws/lambda/nightly", "/aws/lambda/orders"]
    elif example.endswith("spoke-role"):
        assert outputs["spoke_role_arn"] == "arn:aws:iam::111111111111:role/hub-access"
        assert outputs["hub_role_arn"] == "arn:aws:iam::123456789012:role/hub"
    elif "lambda-function" in example:
        assert outputs["layers"] == ["arn:aws:lambda:us-east-1:123456789012:layer:greeting:1"]
    else:
        assert outputs["statement_ids"] == ["account-111111111111"]
