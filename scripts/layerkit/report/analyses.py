"""`make report`: what each function really gets once Lambda merges its layers into /opt.

Lambda extracts a function's layers into /opt in merge order, so where two layers ship one
path the later one silently overwrites the earlier, and it counts the function's code plus
every layer, unzipped, against one 250 MB budget. Neither shows until deploy or run time.
`contents` reads the zips the build wrote (their central directories, and the small
`*.dist-info/RECORD` files); this module finds, for each function:

- each layer's and the code's unzipped size against the budget (over it: an error);
- every path that more than one layer puts on the import path, whose copy Python imports,
  and whether the copies differ (CRC-32 and size from the zip, nothing is decompressed);
  where the paths belong to a distribution a later layer installs from its lockfile, the
  finding says to declare `requires` on the first layer, which stops the later one shipping it;
- one distribution at two versions across the layers: an error, unless the layer whose
  copy is imported lists it in `overrides` in its layer.toml, as the manifest recorded it (then a warning);
- distributions the function's own zip bundles although a layer provides them (a warning);
- layers that ship boto3 or botocore, shadowing the runtime's own SDK (a note);
- layers published elsewhere, named by version ARN: their files are not here, so their size
  counts as unknown, not zero, and nothing in them is checked (a note);
- and, for the record, which layer gives each distribution the function imports, and its license.

Only the folders the runtime imports from count (`contents` says which); `overlaps` finds the
paths several layers ship. `model` holds what is found, and renders it. Everything it knows
of a layer comes from the manifest's records (`records`), never from layers/: the build hands
it the records the manifest will hold.
"""

import functools
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from packaging.utils import canonicalize_name

from layerkit.errors import LayerError
from layerkit.lambda_facts import MAX_UNZIPPED_BYTES
from layerkit.records import Artifact, FunctionZip
from layerkit.report.contents import Contents, code_place, layer_place, read_zip
from layerkit.report.model import (
    LEVELS,
    Finding,
    FunctionReport,
    LayerSize,
    Overlap,
    Provided,
    Report,
    known_total,
    size_text,
)
from layerkit.report.overlaps import Found, Hint, imported, requires_hint, shadowed, shared_paths
from layerkit.wording import and_list

RUNTIME_SDK = ("boto3", "botocore")
"""Distributions every Python runtime bundles: a layer that ships them shadows the runtime's copy."""


def analyse(artifacts: Sequence[Artifact], functions: Sequence[FunctionZip]) -> Report:
    """The report on every function, from the manifest's records (or those the build is about to write)."""
    by_key = {a["key"]: a for a in artifacts}
    targets: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for artifact in artifacts:
        targets[artifact["layer"]] |= {(runtime, artifact["architecture"]) for runtime in artifact["runtimes"]}
    ordered = sorted(functions, key=lambda f: f["key"])
    return Report(tuple(_analyse_function(f, by_key, targets) for f in ordered))


def _analyse_function(
    record: FunctionZip, artifacts: dict[str, Artifact], targets: dict[str, set[tuple[str, str]]]
) -> FunctionReport:
    """`targets`: every (runtime, architecture) each layer is built for, across its artifacts."""
    name, runtime, architecture = record["name"], record["runtime"], record["architecture"]
    used, sizes = _attached(record, artifacts)
    names = [a["layer"] for a in used]
    place = layer_place(runtime)
    layers = [read_zip(Path(a["zip"]), place) for a in used]
    code = read_zip(Path(record["zip"]), code_place)
    code_size = record["unzipped_size"]

    overlaps = shared_paths(names, layers)
    locked = {a["layer"] for a in used if a["lockfiles"]}
    found = _budget(code_size, sizes)
    found += _external(sizes, runtime, architecture)
    hint = functools.partial(requires_hint, used={a["layer"]: a for a in used}, targets=targets, locked=locked)
    found += _in_layers(names, layers, code, overlaps, used, requires_hint=hint)
    return FunctionReport(
        name=name,
        runtime=runtime,
        architecture=architecture,
        layers=sizes,
        code_size=code_size,
        overlaps=tuple(overlaps),
        findings=_tied(name, found),
        distributions=_provided(names, layers),
    )


def _attached(record: FunctionZip, artifacts: dict[str, Artifact]) -> tuple[list[Artifact], tuple[LayerSize, ...]]:
    """The artifacts of the function's layers built here, and every attached layer's size, in merge order."""
    used = []
    sizes = []
    for attached in record["layers"]:
        if attached["arn"] is not None:
            sizes.append(LayerSize(attached["arn"], None, None))
            continue
        artifact = artifacts.get(attached["artifact"])
        if artifact is None:
            raise LayerError(
                f"function {record['name']}: layer artifact {attached['artifact']} is not in the manifest; "
                "run 'make layers'"
            )
        used.append(artifact)
        sizes.append(LayerSize(artifact["layer"], artifact["key"], artifact["unzipped_size"]))
    return used, tuple(sizes)


def _in_layers(  # noqa: PLR0913 -- the function's layers, code and overlaps, and what to tell about requires
    names: list[str],
    layers: list[Contents],
    code: Contents,
    overlaps: list[Overlap],
    artifacts: list[Artifact],
    *,
    requires_hint: Hint,
) -> Found:
    """What the layers' files show; a distribution at two versions covers its paths, so they are not shadowed too."""
    found, conflicted = _versions(names, layers, artifacts)
    found += shadowed([o for o in overlaps if o.distribution not in conflicted], requires_hint)
    found += _bundled(names, layers, code)
    found += _runtime_sdk(names, layers)
    return found


def _tied(function: str, found: Found) -> tuple[Finding, ...]:
    """The findings tied to the function, errors first, then warnings, then notes (each in the order found)."""
    return tuple(
        sorted(
            (Finding(function, level, kind, subject, message) for level, kind, subject, message in found),
            key=lambda f: LEVELS.index(f.level),
        )
    )


def _budget(code_size: int, sizes: tuple[LayerSize, ...]) -> Found:
    total = known_total(code_size, sizes)
    if total <= MAX_UNZIPPED_BYTES:
        return []
    parts = " + ".join(
        [f"function code {code_size:,}", *(f"layer {s.layer} {size_text(s.unzipped_size)}" for s in sizes)]
    )
    message = (
        f"{total:,} bytes unzipped ({parts}), over Lambda's limit of {MAX_UNZIPPED_BYTES:,} for a function "
        "and all its layers; detach a layer or make one smaller"
    )
    return [("error", "budget", "unzipped size", message)]


def _versions(names: list[str], layers: list[Contents], artifacts: list[Artifact]) -> tuple[Found, set[str]]:
    """One distribution at several versions; also returns those distributions, whose paths this covers."""
    found: Found = []
    conflicted = set()
    for dist in sorted({d for contents in layers for d in contents.dists}):
        indexes = [i for i, contents in enumerate(layers) if dist in contents.dists]
        version = {i: layers[i].dists[dist].version for i in indexes}
        if len(set(version.values())) < 2:
            continue
        conflicted.add(dist)
        winner = imported([(i, layers[i].dists[dist].rank) for i in indexes])
        artifact = artifacts[winner]
        if dist in {canonicalize_name(o) for o in artifact["overrides"]}:
            others = and_list([f"{dist} {version[i]} from layer {names[i]}" for i in indexes if i != winner])
            message = (
                f"layer {names[winner]} overrides {others} with {dist} {version[winner]}, as its overrides declare"
            )
            found.append(("warning", "version-override", dist, message))
        else:
            each = and_list([f"{names[i]} ({dist} {version[i]})" for i in indexes])
            message = (
                f"layers {each} ship different versions of {dist}, and {names[winner]}'s is imported; pin one "
                f'version in every layer, or add "{dist}" to overrides in {artifact["layer_toml"]} '
                "if it is meant to win"
            )
            found.append(("error", "version-conflict", dist, message))
    return found, conflicted


def _provided(names: list[str], layers: list[Contents]) -> tuple[Provided, ...]:
    provided = []
    for dist in sorted({d for contents in layers for d in contents.dists}):
        winner = imported(
            [(i, contents.dists[dist].rank) for i, contents in enumerate(layers) if dist in contents.dists]
        )
        chosen = layers[winner].dists[dist]
        provided.append(Provided(dist, chosen.version, names[winner], chosen.license))
    return tuple(provided)


def _bundled(names: list[str], layers: list[Contents], code: Contents) -> Found:
    """Distributions in the function's zip that a layer provides: the bytes are the files their RECORD lists."""
    found: Found = []
    for dist, own in sorted(code.dists.items()):
        providers = [i for i, contents in enumerate(layers) if dist in contents.dists]
        if not providers:
            continue
        size = sum(code.files[p].size for p in own.files)
        provide = "provides" if len(providers) == 1 else "provide"
        by = and_list([f"layer {names[i]} ({dist} {layers[i].dists[dist].version})" for i in providers])
        message = (
            f"bundles {dist} {own.version} ({size:,} bytes in {len(own.files):,} files, by its RECORD) although "
            f"{by} already {provide} it; the function's copy is imported first, so remove it from the function's code"
        )
        found.append(("warning", "bundled-distribution", dist, message))
    return found


def _external(sizes: tuple[LayerSize, ...], runtime: str, architecture: str) -> Found:
    """A note per layer published elsewhere: the build cannot see inside it."""
    message = (
        "is published elsewhere: its size counts as unknown, not zero, and its files are not checked here; "
        f"Terraform checks at plan time that it exists and suits {runtime} on {architecture}"
    )
    return [("note", "published-elsewhere", s.layer, f"layer {s.layer} {message}") for s in sizes if s.key is None]


def _runtime_sdk(names: list[str], layers: list[Contents]) -> Found:
    found: Found = []
    for dist in RUNTIME_SDK:
        indexes = [i for i, contents in enumerate(layers) if dist in contents.dists]
        if not indexes:
            continue
        winner = imported([(i, layers[i].dists[dist].rank) for i in indexes])
        also = f" (layers {and_list([names[i] for i in indexes])} ship it)" if len(indexes) > 1 else ""
        message = (
            f"{dist} {layers[winner].dists[dist].version} from layer {names[winner]} shadows the runtime's own "
            f"{dist}{also}; right when the layer pins the SDK on purpose"
        )
        found.append(("note", "runtime-sdk", dist, message))
    return found
