"""The CLI's commands, one module each, found through `REGISTRY` and imported only when run.

Each module has `add_arguments(parser)` and `run(args) -> int`; the flags several commands
share come from `options`. `cli` parses the command's name, imports its module, parses the
rest with the parser the module describes, and renders any error. So `layerkit audit` never
imports moto or Terraform's driver, and `layerkit build` never imports the audit's YAML reader.
Commands print what they report; they hold no domain rules (those live in the packages below).
Imports any other subpackage; none imports it.
"""

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Command:
    module: str
    """Its module under `layerkit.commands`."""
    help: str


REGISTRY = MappingProxyType(
    {
        "lock": Command("lock", "resolve each layer's requirements.in for its targets"),
        "build": Command("build", "build every layer zip and build/manifest.json"),
        "report": Command("report", "each function's layers, sizes, overlaps and findings, from the manifest"),
        "audit": Command("audit", "which layers and functions ship a version an OSV advisory names"),
        "invoke": Command("invoke", "run a function locally with its layers, as Lambda would"),
        "init": Command("init", "initialise the root configuration: local state, or S3 with --backend"),
        "plan": Command("plan", "show what Terraform would change, from the build's manifest"),
        "apply": Command("apply", "apply the root configuration, from the build's manifest"),
        "demo": Command("demo", "apply to a local AWS, show the result, and plan again"),
        "move-state": Command("move_state", "move the state from before regions were declared into its region's"),
        "prune": Command("prune", "list the layer versions nothing uses, and delete them with --yes"),
        "local-aws": Command("local_aws", "run the local AWS in the foreground until Ctrl-C"),
    }
)
"""Every command, by the name it is called with: one entry each, and nothing else runs."""
