"""`layerkit lock [<layer> ...]`: resolve each layer's requirements.in for its targets."""

import argparse

from layerkit import suggest
from layerkit.builder import resolve
from layerkit.commands.options import progress
from layerkit.config import layer_config
from layerkit.errors import LayerError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("layers", nargs="*", help="layer names (default: all)")
    parser.add_argument("--upgrade", action="store_true", help="ignore current pins and take the newest versions")


def run(args: argparse.Namespace) -> int:
    configs = layer_config.discover(args.layers_dir)
    known = {c.name: c for c in configs}
    unknown = sorted(set(args.layers) - set(known))
    if unknown:
        raise LayerError(f"no layer named {', '.join(unknown)}{suggest.hint(unknown, list(known), 'layers')}")
    for config in layer_config.in_dependency_order(configs):
        if args.layers and config.name not in args.layers:
            continue
        required = layer_config.required(config, known)
        written = resolve.lock_layer(config, upgrade=args.upgrade, required=required, on_start=progress)
        shown = ", ".join(str(p) for p in written) or "nothing to lock (no requirements)"
        print(f"locked {config.name}: {shown}")
    return 0
