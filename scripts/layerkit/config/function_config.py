"""Reads and checks `functions/<name>/function.toml`: a function's runtime and its layers.

A function's code is everything under `functions/<name>/src/`; its layers are named in
merge order (later layers overwrite earlier ones in /opt) and must be declared compatible
with the function's runtime and architecture in their own layer.toml. A layer published
elsewhere (another team's, or a vendor's) is named by its version ARN instead; the build
cannot see inside it, so Terraform checks it when it plans.
"""

from dataclasses import dataclass
from pathlib import Path

from layerkit import lambda_facts, suggest
from layerkit.config import declaration, function_settings, layer_config, permissions, regions, role, triggers, values
from layerkit.config.layer_config import LayerConfig
from layerkit.errors import LayerError
from layerkit.wording import twice

FUNCTION_FILE = "function.toml"
CODE_DIR = "src"

_KEYS = frozenset(
    {"runtime", "handler", "architecture", "memory", "timeout", "layers", "environment", permissions.KEY, role.KEY}
    | {triggers.KEY, regions.KEY}
    | function_settings.KEYS
)


@dataclass(frozen=True)
class FunctionConfig:
    """A function as function.toml declares it."""

    name: str
    directory: Path
    runtime: str
    handler: str
    architecture: str
    memory: int
    timeout: int
    layers: tuple[str, ...]
    """Local layer names and external layer version ARNs, in merge order."""
    environment: tuple[tuple[str, str], ...]
    permissions: tuple[permissions.Statement, ...]
    """What the function's own role may do, beyond writing its logs."""
    settings: function_settings.Settings
    role: role.Role
    triggers: triggers.Triggers
    regions: tuple[str, ...] | None = None
    """Where it runs, the first one first: its own `regions`, else the project's; None: only `var.region`."""

    @property
    def code_dir(self) -> Path:
        return self.directory / CODE_DIR


def is_external(layer: str) -> bool:
    """Whether a function's layer entry is a version ARN of a layer published elsewhere."""
    return layer.startswith("arn:")


def discover(
    functions_dir: Path, layers: list[LayerConfig], default_regions: tuple[str, ...] | None = None
) -> list[FunctionConfig]:
    """Every function under `functions_dir`, sorted by name; none when the folder is absent.

    `default_regions`: the project's (`regions.project_default`), for a function that lists none.
    """
    if not functions_dir.is_dir():
        return []
    by_name = {layer.name: layer for layer in layers}
    configs = [load(d, by_name, default_regions) for d in sorted(functions_dir.iterdir()) if d.is_dir()]
    _check_role_names(configs)
    return configs


def _check_role_names(configs: list[FunctionConfig]) -> None:
    """IAM is global: two functions' roles must not share a name in any region."""
    owners: dict[str, FunctionConfig] = {}
    for config in configs:
        for region, name in (regions.role_names(config.name, config.regions) or {}).items():
            other = owners.setdefault(name, config)
            if other is not config:
                raise LayerError(
                    f"function {config.name}: {config.directory / FUNCTION_FILE}: its role in {region} would be "
                    f"named {name}, as function {other.name}'s is, and IAM role names are global; rename one function"
                )
            if len(name) > lambda_facts.MAX_NAME_CHARS:
                raise LayerError(
                    f"function {config.name}: {config.directory / FUNCTION_FILE}: its role in {region} would be "
                    f"named {name}, over IAM's {lambda_facts.MAX_NAME_CHARS} characters; shorten the function's name"
                )


def load(
    directory: Path, layers: dict[str, LayerConfig], default_regions: tuple[str, ...] | None = None
) -> FunctionConfig:
    """Parse one function.toml and check its layers against their layer.toml."""
    name = directory.name
    where, data = declaration.read("function", directory, FUNCTION_FILE, _KEYS, "it becomes the function name")
    runtime = _required(data, "runtime", where, lambda_facts.RUNTIMES)
    architecture = _required(data, "architecture", where, lambda_facts.ARCHITECTURES)
    handler = data.get("handler")
    if not isinstance(handler, str) or not lambda_facts.HANDLER.fullmatch(handler):
        raise LayerError(f'{where}: handler must be "module.function", e.g. handler = "handler.handle"')
    memory = values.whole(
        data, "memory", where, (lambda_facts.MIN_MEMORY_MB, lambda_facts.MAX_MEMORY_MB), lambda_facts.DEFAULT_MEMORY_MB
    )
    timeout = values.whole(
        data, "timeout", where, (lambda_facts.MIN_TIMEOUT_S, lambda_facts.MAX_TIMEOUT_S), lambda_facts.DEFAULT_TIMEOUT_S
    )
    names = _layers(data, where, layers, runtime, architecture)
    own_regions = regions.declared(data, where, default_regions)
    regions.check_layers(where, own_regions, list(names), layers)
    environment = data.get("environment", {})
    if not isinstance(environment, dict) or not all(isinstance(v, str) for v in environment.values()):
        raise LayerError(f'{where}: [environment] values must be strings, e.g. LOG_LEVEL = "INFO"')
    if not (directory / CODE_DIR).is_dir():
        raise LayerError(f"{where}: no {CODE_DIR}/ folder; put the handler's code in {directory / CODE_DIR}")
    return FunctionConfig(
        name=name,
        directory=directory,
        runtime=runtime,
        handler=handler,
        architecture=architecture,
        memory=memory,
        timeout=timeout,
        layers=names,
        environment=tuple(sorted(environment.items())),
        permissions=permissions.parse(data.get(permissions.KEY), where, environment),
        settings=function_settings.parse(data, where),
        role=role.parse(data, where, has_permissions=permissions.KEY in data),
        triggers=triggers.parse(data, where),
        regions=own_regions,
    )


def _layers(
    data: dict[str, object], where: str, layers: dict[str, LayerConfig], runtime: str, architecture: str
) -> tuple[str, ...]:
    """The function's layers in merge order, each one built for its runtime and architecture."""
    names = data.get("layers", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise LayerError(
            f'{where}: layers must be a list of layer names or layer version ARNs in merge order, e.g. ["boto3"]'
        )
    if len(names) > lambda_facts.MAX_LAYERS_PER_FUNCTION:
        raise LayerError(
            f"{where}: {len(names)} layers, but Lambda attaches at most {lambda_facts.MAX_LAYERS_PER_FUNCTION}; "
            "drop one from layers, or merge two into one layer"
        )
    if repeated := twice(names):
        raise LayerError(
            f"{where}: layers lists {', '.join(repeated)} twice; a layer is attached once, so drop the second one"
        )
    for layer_name in names:
        if is_external(layer_name):
            if not lambda_facts.LAYER_VERSION_ARN.fullmatch(layer_name):
                raise LayerError(
                    f"{where}: {layer_name!r} is not a layer version ARN; write "
                    "arn:aws:lambda:<region>:<account id>:layer:<name>:<version>"
                )
            continue
        layer = layers.get(layer_name)
        if layer is None:
            listed = suggest.hint([layer_name], sorted(layers), "layers")
            raise LayerError(f"{where}: no layer named {layer_name!r}{listed}")
        if runtime not in layer.runtimes or architecture not in layer.architectures:
            attached = [layers[n] for n in names if n in layers]
            raise LayerError(f"{where}: {_unsuited(layer, attached, runtime, architecture)}")
        missing = [r.name for r in layer_config.required(layer, layers) if r.name not in names]
        if missing:
            raise LayerError(
                f"{where}: layer {layer_name} requires {', '.join(missing)}, which the function does not attach; "
                "add them to layers, in the merge order you want"
            )
    return tuple(names)


def _unsuited(layer: LayerConfig, attached: list[LayerConfig], runtime: str, architecture: str) -> str:
    """Why `layer` cannot serve the function, and both fixes: build the layer for it, or move the function.

    The function is offered only a runtime (architecture) that every local layer it attaches is built for.
    """
    lacking = []
    for key, wanted, built, shared in (
        ("runtime", runtime, layer.runtimes, [r for r in layer.runtimes if all(r in c.runtimes for c in attached)]),
        (
            "architecture",
            architecture,
            layer.architectures,
            [a for a in layer.architectures if all(a in c.architectures for c in attached)],
        ),
    ):
        if wanted not in built:
            lacking.append((f"{wanted} to {key}s", f"{key} to {_one_of(shared)}" if shared else ""))
    add = " and ".join(adding for adding, _ in lacking)
    moves = [moving for _, moving in lacking]
    move = f", or set the function's {' and its '.join(moves)}" if all(moves) else ""
    return (
        f"layer {layer.name} is built for {', '.join(layer.runtimes)} on {', '.join(layer.architectures)}, "
        f"not {runtime} on {architecture}; add {add} in {layer.directory / layer_config.LAYER_FILE}{move}"
    )


def _one_of(choices: list[str]) -> str:
    return choices[0] if len(choices) == 1 else f"one of {', '.join(choices)}"


def _required(data: dict[str, object], key: str, where: str, allowed: tuple[str, ...]) -> str:
    value = values.choice(data, key, where, allowed)
    if value is None:
        raise LayerError(f"{where}: {key} must be one of {', '.join(allowed)}, not None")
    return value
