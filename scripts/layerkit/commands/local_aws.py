"""`layerkit local-aws`: run the local AWS (moto) in the foreground until Ctrl-C."""

import argparse
import sys
import time

from layerkit.deploy import local_aws
from layerkit.errors import LayerError

_PORTS = 65536


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=5000, help="the port on 127.0.0.1 (0: any free one)")


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.port < _PORTS:
        raise LayerError(f"--port {args.port}: not a TCP port; choose one from 1 to 65535, or 0 for any free one")
    with local_aws.running(args.port) as endpoint:
        try:  # Ctrl-C may come as soon as the first line is out
            print(f"local AWS (moto) listening at {endpoint}; Ctrl-C stops it", flush=True)
            print(f"  make apply ENDPOINT={endpoint}", flush=True)
            print(f"  make invoke FUNCTION=hub ENDPOINT={endpoint}", flush=True)
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("local AWS stopped", file=sys.stderr)
    return 0
