"""`layerkit invoke <function>`: run a function locally with its layers, as Lambda would, or as its own role."""

import argparse
import json
import sys
from pathlib import Path

from layerkit.commands import options
from layerkit.config import function_config
from layerkit.deploy import credentials, function_role, local_aws, terraform_root
from layerkit.errors import LayerError
from layerkit.inspect import invoke

NO_CREDENTIALS = "NoCredentialsError"
"""botocore's error when a handler calls AWS without credentials."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("function", help="the function's name (its folder under functions/)")
    parser.add_argument("--event", type=Path, help="a JSON file with the event (default: {})")
    parser.add_argument("--python", default=sys.executable, help="the interpreter to run the handler with")
    options.build_dir(parser)
    as_role = parser.add_mutually_exclusive_group()
    as_role.add_argument(
        "--local-aws", action="store_true", help="start a local AWS for the call, and run as the function's own role"
    )
    as_role.add_argument("--endpoint", help="a running local AWS's URL: run as the function's own role there")


def run(args: argparse.Namespace) -> int:
    event = _event(args.event)
    no_credentials = False
    where = None
    if args.endpoint:
        terraform_root.check_listening(args.endpoint)
        result = function_role.invoke_as_role(args.build_dir, args.function, event, args.python, args.endpoint)
        where = args.endpoint
    elif args.local_aws:
        with local_aws.running() as endpoint:
            result = function_role.invoke_as_role(args.build_dir, args.function, event, args.python, endpoint)
        where = "a local AWS started for the call"
    else:
        no_credentials = not credentials.found()
        result = invoke.invoke(args.build_dir, args.function, event, args.python)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if where:
        print(f"note: function {args.function} ran as its own role on {where}, with IAM enforced", file=sys.stderr)
    elif not no_credentials:
        print(
            f"note: function {args.function} ran with your own AWS credentials, so its role's permissions were not "
            "exercised; --local-aws (LOCAL_AWS=1 under make) runs it as its own role on a local AWS, with IAM enforced",
            file=sys.stderr,
        )
    sys.stderr.write(result.logs)
    if no_credentials and result.error_type == NO_CREDENTIALS:
        raise LayerError(
            f"function {args.function} calls AWS, but no AWS credentials were found; run it on a local AWS as its "
            f"own role with 'make invoke FUNCTION={args.function} LOCAL_AWS=1' (no account needed), or set AWS_PROFILE"
        )
    print(json.dumps(result.payload, indent=2))
    toml = args.functions_dir / args.function / function_config.FUNCTION_FILE
    for denial in result.denials:
        print(
            f"denied: function {args.function}'s role may not {denial}; allow it under [[permissions]] in {toml}",
            file=sys.stderr,
        )
    return 1 if result.failed else 0


def _event(path: Path | None) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else exc
        raise LayerError(f"{path}: not a readable JSON event ({reason}); pass a file that holds JSON") from None
