"""`layerkit lock [<layer> ...]`: resolve each layer's requirements.in for its targets."""

import argparse

from layerkit import suggest
from layerkit.builder import resolve
from layerkit.commands import options
from layerkit.config import layer_config
from layerkit.errors import LayerError
from layerkit.fsutil import atomic_write


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("layers", nargs="*", help="layer names (default: all)")
    parser.add_argument("--upgrade", action="store_true", help="ignore current pins and take the newest versions")
    options.build_dir(parser)


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
        # Kept until a lock of the layer succeeds, so `make layers` can say why its lockfile is not current.
        failure = args.build_dir.lock_failure(config.name)
        try:
            written = resolve.lock_layer(config, upgrade=args.upgrade, required=required, on_start=options.progress)
        except LayerError as exc:
            atomic_write(failure, f"{exc.message}\n".encode())
            raise
        failure.unlink(missing_ok=True)
        shown = ", ".join(str(p) for p in written) or "nothing to lock (no requirements)"
        print(f"locked {config.name}: {shown}")
    return 0
