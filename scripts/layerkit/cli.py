"""Command line: `python -m layerkit <command>` (lock, build, report, audit, invoke, plan, apply, demo, local-aws).

The only module that prints.
"""

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from layerkit import suggest
from layerkit.build_dir import BuildDir
from layerkit.builder import manifest, pipeline, resolve
from layerkit.columns import columns
from layerkit.config import function_config, layer_config
from layerkit.errors import LayerError, read_while
from layerkit.inspect import audit, invoke
from layerkit.report import analyses, model

if TYPE_CHECKING:
    from layerkit.deploy.terraform_cli import Workspace

# The deploy modules import moto and boto3, about 1.5 s before the first line runs; each
# command that drives Terraform or AWS imports them itself, so `audit`, `report` and
# `lock` start without that cost (`make bench-audit`, docs/performance.md).

ROOT = Path(__file__).resolve().parents[2]
"""The repository root, which holds the root Terraform configuration."""
INTERRUPTED = 130
BUG = 70
"""EX_SOFTWARE: the exit code of an unexpected exception, which is layerkit's fault, not the user's."""
DEBUG_VARIABLE = "LAYERKIT_DEBUG"
"""Set to 1, or pass --debug: an unexpected exception also prints its traceback."""
BUG_REPORTS = "see 'Reporting a bug' in docs/development.md"
NO_CREDENTIALS = "NoCredentialsError"
"""botocore's error when a handler calls AWS without credentials."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        _check_numbers(args)
        return _dispatch(args)
    except LayerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
    except Exception as exc:  # noqa: BLE001 -- the one boundary where a bug becomes one line instead of a traceback
        if args.debug or os.environ.get(DEBUG_VARIABLE) == "1":
            traceback.print_exc()
        print(f"error: {_bug(exc)}", file=sys.stderr)
        return BUG


def _bug(exc: Exception) -> str:
    """A bug in one line: that it is one, what was raised and while reading what, and where to report it."""
    what = " ".join(f"{type(exc).__name__}: {exc}".split())
    where = f" while reading {source}" if (source := read_while(exc)) else ""
    return (
        f"layerkit hit a bug, not a problem with your files ({what}){where}; please report it with this line "
        f"and the output of the same command with --debug ({DEBUG_VARIABLE}=1 under make): {BUG_REPORTS}"
    )


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line like every other error here (no usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message}; see 'python -m layerkit --help', or 'make help'\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="layerkit", description=__doc__)
    parser.add_argument("--layers-dir", type=Path, default=Path("layers"), help="one folder per layer")
    parser.add_argument("--functions-dir", type=Path, default=Path("functions"), help="one folder per function")
    parser.add_argument("--debug", action="store_true", help=f"print a bug's traceback (or set {DEBUG_VARIABLE}=1)")
    commands = parser.add_subparsers(dest="command", required=True)
    lock = commands.add_parser("lock", help="resolve each layer's requirements.in for its targets")
    lock.add_argument("layers", nargs="*", help="layer names (default: all)")
    lock.add_argument("--upgrade", action="store_true", help="ignore current pins and take the newest versions")
    make = commands.add_parser("build", help="build every layer zip and build/manifest.json")
    make.add_argument("--build-dir", type=lambda s: BuildDir(Path(s)), default=BuildDir(Path("build")))
    make.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="artifacts built at once")
    run = commands.add_parser("invoke", help="run a function locally with its layers, as Lambda would")
    run.add_argument("function", help="the function's name (its folder under functions/)")
    run.add_argument("--event", type=Path, help="a JSON file with the event (default: {})")
    run.add_argument("--python", default=sys.executable, help="the interpreter to run the handler with")
    run.add_argument("--build-dir", type=lambda s: BuildDir(Path(s)), default=BuildDir(Path("build")))
    as_role = run.add_mutually_exclusive_group()
    as_role.add_argument(
        "--local-aws", action="store_true", help="start a local AWS for the call, and run as the function's own role"
    )
    as_role.add_argument("--endpoint", help="a running local AWS's URL: run as the function's own role there")
    show = commands.add_parser("report", help="each function's layers, sizes, overlaps and findings, from the manifest")
    show.add_argument("--build-dir", type=lambda s: BuildDir(Path(s)), default=BuildDir(Path("build")))
    check = commands.add_parser("audit", help="which layers and functions ship a version an OSV advisory names")
    check.add_argument(
        "--advisories",
        type=Path,
        required=True,
        help="a folder of OSV .json or .yaml files (a clone of the advisory database), or an OSV export zip",
    )
    check.add_argument("--build-dir", type=lambda s: BuildDir(Path(s)), default=BuildDir(Path("build")))
    setup = commands.add_parser("init", help="initialise the root configuration: local state, or S3 with --backend")
    setup.add_argument("--backend", type=Path, help="a partial S3 backend configuration (default: local state)")
    setup.add_argument("--tf", help="the CLI to run (default: terraform on PATH, else tofu)")
    for verb, text in (("plan", "show what Terraform would change"), ("apply", "apply the root configuration")):
        terraform = commands.add_parser(verb, help=f"{text}, from the build's manifest")
        terraform.add_argument("--build-dir", type=lambda s: BuildDir(Path(s)), default=BuildDir(Path("build")))
        terraform.add_argument("--tf", help="the CLI to run (default: terraform on PATH, else tofu)")
        terraform.add_argument("--endpoint", help="a local AWS's URL, e.g. http://127.0.0.1:5000 (default: AWS)")
        if verb == "apply":
            terraform.add_argument("--auto-approve", action="store_true", help="apply without asking")
    demo_ = commands.add_parser("demo", help="apply to a local AWS, show the result, and plan again")
    demo_.add_argument("--build-dir", type=lambda s: BuildDir(Path(s)), default=BuildDir(Path("build")))
    demo_.add_argument("--tf", help="the CLI to run (default: terraform on PATH, else tofu)")
    prune_ = commands.add_parser("prune", help="list the layer versions nothing uses, and delete them with --yes")
    prune_.add_argument("--build-dir", type=lambda s: BuildDir(Path(s)), default=BuildDir(Path("build")))
    prune_.add_argument("--tf", help="the CLI that reads Terraform's state (default: terraform on PATH, else tofu)")
    prune_.add_argument("--endpoint", help="a local AWS's URL, e.g. http://127.0.0.1:5000 (default: AWS)")
    prune_.add_argument("--keep", type=int, default=3, help="keep this many newest versions of each layer")
    prune_.add_argument("--layer", action="append", default=[], help="only this layer, as published (repeatable)")
    prune_.add_argument("--include-shared", action="store_true", help="also delete versions shared with others")
    prune_.add_argument("--yes", action="store_true", help="delete; without it, only list")
    serve = commands.add_parser("local-aws", help="run the local AWS in the foreground until Ctrl-C")
    serve.add_argument("--port", type=int, default=5000)
    return parser


def _check_numbers(args: argparse.Namespace) -> None:
    """Make's numeric variables, named as the user set them."""
    if getattr(args, "jobs", 1) < 1:
        raise LayerError(f"JOBS={args.jobs}: at least 1 artifact must be built at a time; set JOBS=1 or more")
    if getattr(args, "keep", 0) < 0:
        raise LayerError(f"KEEP={args.keep}: cannot keep fewer than 0 versions; set KEEP=0 or more")
    if not 0 <= getattr(args, "port", 0) < 65536:
        raise LayerError(f"PORT={args.port}: not a TCP port; choose one from 1 to 65535, or 0 for any free one")


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "invoke":
        return _invoke(args)
    if args.command in ("init", "plan", "apply", "prune", "demo", "local-aws"):
        return _deploy(args)
    configs = layer_config.discover(args.layers_dir)
    if args.command == "lock":
        return _lock(configs, args.layers, upgrade=args.upgrade)
    if args.command == "report":
        return _report(args.build_dir)
    if args.command == "audit":
        return _audit(args)
    functions = function_config.discover(args.functions_dir, configs)
    return _build(configs, functions, args.build_dir, args.jobs)


def _deploy(args: argparse.Namespace) -> int:
    from layerkit.deploy import credentials, terraform_root  # noqa: PLC0415 -- see the note on the deploy modules above
    from layerkit.deploy.terraform_cli import Workspace, find_cli  # noqa: PLC0415

    if args.command == "init":
        terraform_root.init(Workspace(root=ROOT, cli=find_cli(args.tf)), args.backend)
        state = f"S3, as {args.backend} configures it" if args.backend else "local (terraform.tfstate)"
        print(f"initialised {ROOT}: state is {state}")
        return 0
    if args.command in ("plan", "apply", "prune"):
        cli = find_cli(args.tf)
        if not args.endpoint:
            credentials.require(f"make {args.command}")
        space = terraform_root.workspace(ROOT, cli, args.build_dir, args.endpoint)
        if args.command == "plan":
            terraform_root.plan(space, args.build_dir)
        elif args.command == "apply":
            terraform_root.apply(space, args.build_dir, auto_approve=args.auto_approve)
        else:
            return _prune(space, args)
        return 0
    if args.command == "demo":
        return _demo(find_cli(args.tf), args.build_dir)
    return _local_aws(args.port)


def _lock(configs: list[layer_config.LayerConfig], names: list[str], *, upgrade: bool) -> int:
    known = {c.name: c for c in configs}
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise LayerError(f"no layer named {', '.join(unknown)}{suggest.hint(unknown, list(known), 'layers')}")
    for config in layer_config.in_dependency_order(configs):
        if names and config.name not in names:
            continue
        required = layer_config.required(config, known)
        written = resolve.lock_layer(config, upgrade=upgrade, required=required, on_start=_progress)
        shown = ", ".join(str(p) for p in written) or "nothing to lock (no requirements)"
        print(f"locked {config.name}: {shown}")
    return 0


def _progress(line: str) -> None:
    """A step that takes a while is starting: one whole line on stderr, at once (workers call it from threads)."""
    sys.stderr.write(f"{line}\n")
    sys.stderr.flush()


def _build(
    configs: list[layer_config.LayerConfig],
    functions: list[function_config.FunctionConfig],
    build_dir: BuildDir,
    jobs: int,
) -> int:
    start = time.perf_counter()
    result = pipeline.build_all(configs, functions, build_dir, jobs, on_wait=_progress, on_start=_progress)
    outcomes = result.outcomes
    for outcome in outcomes:
        if outcome.record:
            size = outcome.record["unzipped_size"] / 1e6
            state = "built" if outcome.rebuilt else "up to date"
            s3 = ", needs S3 upload (over 50 MB zipped)" if outcome.record["needs_s3"] else ""
            print(f"{state:>10}  {outcome.record['zip']}  ({size:.1f} MB unzipped{s3})")
    failures = pipeline.failures(outcomes)
    for failure in failures:
        print(f"error: {failure.message}", file=sys.stderr)
    if len(failures) > 1:  # one error is its own summary
        failed = _failed([o.owner for o in outcomes if o.error])
        print(f"error: {failed} failed; {build_dir.manifest} was left as it was", file=sys.stderr)
    if failures:
        return 1
    findings = result.analysis.findings if result.analysis else []
    for finding in findings:
        print(finding.line(), file=sys.stderr)
    errors = sum(1 for f in findings if f.level == "error")
    if errors > 1:
        print(
            f"error: {errors} errors in {build_dir.report}; {build_dir.manifest} was left as it was",
            file=sys.stderr,
        )
    if errors:
        return 1
    elapsed = time.perf_counter() - start
    print(f"wrote {build_dir.manifest} and {build_dir.report} ({len(outcomes)} zips, {elapsed:.1f}s)")
    return 0


def _failed(owners: list[str]) -> str:
    """`layer a`, `2 layers (a, b) and function c`: what did not build, each once."""
    by_kind: dict[str, list[str]] = {}
    for owner in dict.fromkeys(owners):
        kind, _, name = owner.partition(" ")
        by_kind.setdefault(kind, []).append(name)
    parts = [
        f"{kind} {names[0]}" if len(names) == 1 else f"{len(names)} {kind}s ({', '.join(sorted(names))})"
        for kind, names in sorted(by_kind.items(), key=lambda item: item[0] != "layer")
    ]
    return " and ".join(parts)


def _report(build_dir: BuildDir) -> int:
    artifacts, functions = manifest.read(build_dir)
    analysis = analyses.analyse(artifacts, functions)
    path = model.write(build_dir, analysis)
    print(analysis.table(), end="")
    print(f"wrote {path}")
    for finding in analysis.errors:
        print(finding.line(), file=sys.stderr)
    return 1 if analysis.errors else 0


def _audit(args: argparse.Namespace) -> int:
    result = audit.audit(args.advisories, args.build_dir)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    path = audit.write(args.build_dir, result)
    print(result.text(), end="")
    for stale in result.stale:
        print(stale.line(), file=sys.stderr)
    failing = len(result.failing)
    ignored = len(result.findings) - failing
    if not result.findings:
        print(f"no advisory affects what the build ships ({result.files:,} advisory files); wrote {path}")
        return 0
    print(f"\n{len(result.findings)} finding(s), {ignored} ignored, from {result.files:,} advisory files; wrote {path}")
    if failing:
        print(
            f"error: {failing} advisory finding(s) not ignored; change the files named above, or add the ID "
            "under [audit] ignore, with a reason, in the layer's layer.toml",
            file=sys.stderr,
        )
        return 1
    return 0


def _demo(cli: str, build_dir: BuildDir) -> int:
    from layerkit.deploy import demo  # noqa: PLC0415 -- see the note on the deploy modules above

    try:
        demo.run(ROOT, cli, build_dir, lambda line: print(line, flush=True))
    except KeyboardInterrupt:
        print("interrupted; the local AWS is stopped", file=sys.stderr)
        return INTERRUPTED
    return 0


def _prune(space: "Workspace", args: argparse.Namespace) -> int:
    from layerkit.deploy import prune, terraform_root  # noqa: PLC0415 -- see the note on the deploy modules above
    from layerkit.deploy.terraform_cli import TerraformCli  # noqa: PLC0415

    terraform = TerraformCli(space)
    terraform.init()
    current = prune.published_in_state(terraform.show())
    if not current:
        print("Terraform's state holds no layer versions, so there is nothing to prune; run 'make apply' first")
        return 0
    unknown = sorted(set(args.layer) - set(current))
    if unknown:
        listed = suggest.hint(unknown, sorted(current), "layers")
        raise LayerError(f"no layer named {', '.join(unknown)} in Terraform's state{listed}")
    aws = terraform_root.lambda_client(space, region=next(iter(current.values())).split(":")[3])
    versions = prune.survey(
        aws, args.layer or sorted(current), set(current.values()), args.keep, include_shared=args.include_shared
    )
    deleted = prune.delete(aws, versions) if args.yes else []
    rows = [("layer", "version", "created", "size", "verdict")]
    for v in versions:
        verdict = f"keep: {v.kept_because}" if v.kept_because else ("deleted" if v in deleted else "unused: deletable")
        rows.append((v.layer, str(v.number), v.created, f"{v.size:,}", verdict))
    print("\n".join(columns(rows, right={1, 3})))
    unused = [v for v in versions if v.kept_because is None]
    if args.yes:
        print(f"deleted {len(deleted)} of {len(versions)} layer versions")
    else:
        print(f"{len(unused)} of {len(versions)} layer versions are unused; YES=1 (--yes) deletes them")
    if any(v.kept_because and v.kept_because.startswith("shared") for v in versions):
        print("versions shared with other accounts are kept: their functions cannot be seen from here")
    return 0


def _local_aws(port: int) -> int:
    from layerkit.deploy import local_aws  # noqa: PLC0415 -- see the note on the deploy modules above

    with local_aws.running(port) as endpoint:
        try:  # Ctrl-C may come as soon as the first line is out
            print(f"local AWS (moto) listening at {endpoint}; Ctrl-C stops it", flush=True)
            print(f"  make apply ENDPOINT={endpoint}", flush=True)
            print(f"  make invoke FUNCTION=hub ENDPOINT={endpoint}", flush=True)
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("local AWS stopped", file=sys.stderr)
    return 0


def _invoke(args: argparse.Namespace) -> int:
    try:
        event = json.loads(args.event.read_text(encoding="utf-8")) if args.event else {}
    except (OSError, json.JSONDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else exc
        raise LayerError(
            f"{args.event}: not a readable JSON event ({reason}); pass EVENT=<a file holding JSON>"
        ) from None
    build_dir: BuildDir = args.build_dir
    from layerkit.deploy import credentials, local_aws, terraform_root  # noqa: PLC0415 -- see the deploy note above

    no_credentials = False
    if args.endpoint:
        terraform_root.check_listening(args.endpoint)
        result = _invoke_as_role(args, event, args.endpoint)
    elif args.local_aws:
        with local_aws.running() as endpoint:
            result = _invoke_as_role(args, event, endpoint)
    else:
        no_credentials = not credentials.found()
        result = invoke.invoke(build_dir, args.function, event, args.python)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if not (args.endpoint or args.local_aws or no_credentials):
        print(
            f"note: function {args.function} ran with your own AWS credentials, so its role's permissions were not "
            "exercised; LOCAL_AWS=1 runs it as its own role on a local AWS, with IAM enforced",
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


def _invoke_as_role(args: argparse.Namespace, event: object, endpoint: str) -> invoke.Invocation:
    from layerkit.deploy import function_role  # noqa: PLC0415 -- see the note on the deploy modules above

    return function_role.invoke_as_role(args.build_dir, args.function, event, args.python, endpoint)
