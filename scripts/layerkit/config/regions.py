"""Where each layer is published and each function runs: `regions.toml` and the `regions` key.

`regions.toml`, beside the layers folder, holds the project's `default` list. A layer.toml or
function.toml may list its own `regions` instead. A project that declares none has one region,
the root configuration's `var.region`, as before regions could be declared: every reader then
finds `None`, and nothing changes for it.
"""

from __future__ import annotations

import functools
import tomllib
from typing import TYPE_CHECKING

from layerkit import lambda_facts, suggest
from layerkit.config import declaration
from layerkit.errors import LayerError
from layerkit.fsutil import read_text
from layerkit.wording import twice

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from layerkit.config.layer_config import LayerConfig

FILE = "regions.toml"
KEY = "regions"
_FILE_KEYS = frozenset({"default"})
_EXAMPLE = '["us-east-1", "eu-west-1"]'


def project_default(project_dir: Path) -> tuple[str, ...] | None:
    """`regions.toml`'s `default` in `project_dir` (the folder holding the layers folder); None without the file."""
    path = project_dir / FILE
    where = str(path)
    try:
        data = tomllib.loads(read_text(path, where, "save it as UTF-8 TOML"))
    except FileNotFoundError:
        return None
    except tomllib.TOMLDecodeError as exc:
        raise LayerError(f"{where}: not valid TOML ({exc})") from None
    declaration.check_keys(data, _FILE_KEYS, where)
    if "default" not in data:
        raise LayerError(
            f'{where}: no default; write the regions every layer and function uses, e.g. default = ["us-east-1"]'
        )
    return _regions(data["default"], where, "default")


def declared(data: dict[str, object], where: str, default: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """A layer's or function's regions: its own `regions`, else the project's default (None: only `var.region`)."""
    if KEY not in data:
        return default
    if default is None:
        raise LayerError(
            f"{where}: regions is set, but the project declares no regions; list the regions every layer and "
            f'function uses in {FILE} beside the layers folder, e.g. default = ["us-east-1"], then override them here'
        )
    return _regions(data[KEY], where, KEY)


def _regions(value: object, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise LayerError(f"{where}: {key} must be a non-empty list of AWS regions, e.g. {key} = {_EXAMPLE}")
    known = known_regions()
    for region in value:
        if region not in known:
            guess = suggest.closest(region, known)
            fix = f"did you mean {guess}?" if guess else "write one such as us-east-1 or eu-west-1"
            raise LayerError(f"{where}: {key}: {region!r} is not an AWS region that has Lambda; {fix}")
    if repeated := twice(value):
        raise LayerError(f"{where}: {key} lists {', '.join(repeated)} twice; list each region once")
    return tuple(value)


@functools.cache
def known_regions() -> tuple[str, ...]:
    """Every region with Lambda, in every partition, as botocore's endpoint data lists them, sorted.

    Only those the region pattern allows, which the root configuration's `var.region` holds too.
    botocore takes about 0.4 s to load, so only a project that declares regions pays for it.
    """
    import botocore.session  # noqa: PLC0415

    session = botocore.session.Session()
    found = {
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("lambda", partition_name=partition)
    }
    return tuple(sorted(r for r in found if lambda_facts.REGION.fullmatch(r)))


def check_layers(
    where: str, own: tuple[str, ...] | None, attached: list[str], layers: Mapping[str, LayerConfig]
) -> None:
    """Refuse a function whose layers are not all published in each of its regions.

    `attached` names local layers and external version ARNs; an ARN's region is in the ARN.
    """
    if own is None:
        return  # nothing declared anywhere: one region, which the root checks at plan
    for name in attached:
        if name.startswith("arn:"):
            region = name.split(":")[3]
            elsewhere = [r for r in own if r != region]
            if elsewhere:
                raise LayerError(
                    f"{where}: runs in {elsewhere[0]}, but its layer {name} is in {region}, and Lambda attaches "
                    f'only layers of the function\'s own region; list regions = ["{region}"] for it, or attach a '
                    "layer built here"
                )
            continue
        layer = layers[name]
        missing = [r for r in own if r not in (layer.regions or ())]
        if missing:
            raise LayerError(
                f"{where}: runs in {missing[0]}, but its layer {name} is not published there "
                f"({layer.file} has {', '.join(layer.regions or ())}); add {missing[0]} to "
                "that layer's regions, or take it out of the function's"
            )


def role_names(function: str, own: tuple[str, ...] | None) -> dict[str, str] | None:
    """The function's IAM role name in each of its regions; None: one region, and the role is named as the function.

    IAM is global, and each region's state owns its roles, so the names must differ: the role in the
    function's first region is named as the function (so a project that adds a region keeps its role
    as it was), and `<function>-<region>` in each other one.
    """
    if own is None:
        return None
    return {region: function if n == 0 else f"{function}-{region}" for n, region in enumerate(own)}
