"""`make report`: what each function really gets once Lambda merges its layers into /opt.

Lambda extracts a function's layers into /opt in merge order, so where two layers ship one
path the later one silently overwrites the earlier, and it counts the function's code plus
every layer, unzipped, against one 250 MB budget. Neither shows until deploy or run time.
`contents` reads the zips the build wrote (their central directories, and the small
`*.dist-info/RECORD` files); this module finds, for each function:

- each layer's and the code's unzipped size against the budget (over it: an error);
- every path that more than one layer puts on the import path, whose copy Python imports,
  and whether the copies differ (CRC-32 and size from the zip, nothing is decompressed);
- one distribution at two versions across the layers: an error, unless the layer whose
  copy is imported lists it in `overrides` in its layer.toml (then a warning);
- distributions the function's own zip bundles although a layer provides them (a warning);
- layers that ship boto3 or botocore, shadowing the runtime's own SDK (a note);
- layers published elsewhere, named by version ARN: their files are not here, so their size
  counts as unknown, not zero, and nothing in them is checked (a note);
- and, for the record, which layer gives each distribution the function imports.

Only the folders the runtime imports from count (`contents` says which).
"""

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from packaging.utils import canonicalize_name

from layerkit.columns import columns
from layerkit.config.layer_config import LAYER_FILE, LayerConfig
from layerkit.errors import LayerError
from layerkit.fsutil import atomic_write
from layerkit.lambda_facts import MAX_UNZIPPED_BYTES
from layerkit.records import Record
from layerkit.report.contents import Contents, code_place, layer_place, read_zip

FORMAT = 1
REPORT_FILE = "report.json"
Level = Literal["error", "warning", "note"]
LEVELS: tuple[Level, ...] = ("error", "warning", "note")
RUNTIME_SDK = ("boto3", "botocore")
"""Distributions every Python runtime bundles: a layer that ships them shadows the runtime's copy."""

_LISTED = 5
"""Paths or names a one-line finding lists before "and N more"."""


@dataclass(frozen=True)
class Finding:
    """One thing the report found about a function: an error stops the build, a warning or note does not."""

    function: str
    level: Level
    kind: str
    subject: str
    message: str

    def line(self) -> str:
        return f"{self.level}: function {self.function}: {self.message}"

    def to_json(self) -> dict[str, str]:
        return {"level": self.level, "kind": self.kind, "subject": self.subject, "message": self.message}


@dataclass(frozen=True)
class LayerSize:
    layer: str
    """The layer's name, or the version ARN of a layer published elsewhere."""
    key: str | None
    """The artifact key; None for a layer published elsewhere."""
    unzipped_size: int | None
    """None: published elsewhere, so unknown here."""


@dataclass(frozen=True)
class Overlap:
    """One import path that more than one of a function's layers ships."""

    path: str
    layers: tuple[str, ...]
    """The layers that ship it, in merge order."""
    zip_paths: tuple[str, ...]
    """Each of those layers' copy, in the same order."""
    imported_from: str
    identical: bool
    distribution: str | None
    """The distribution whose RECORD lists the path, if any."""
    unused_size: int
    """Bytes of the copies that are never imported, but still count against the budget."""

    @property
    def group(self) -> str:
        """What the path belongs to, for a readable summary: its distribution, else its top-level name."""
        if self.distribution:
            return self.distribution
        top, sep, _ = self.path.partition("/")
        return top + sep

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "layers": list(self.layers),
            "zip_paths": list(self.zip_paths),
            "imported_from": self.imported_from,
            "identical": self.identical,
            "distribution": self.distribution,
            "unused_size": self.unused_size,
        }


@dataclass(frozen=True)
class Provided:
    """A distribution the function imports from a layer: the copy first on sys.path."""

    distribution: str
    version: str
    layer: str


@dataclass(frozen=True)
class FunctionReport:
    name: str
    runtime: str
    architecture: str
    layers: tuple[LayerSize, ...]
    """In merge order."""
    code_size: int
    overlaps: tuple[Overlap, ...]
    findings: tuple[Finding, ...]
    distributions: tuple[Provided, ...]
    """Sorted by name."""

    @property
    def total_size(self) -> int:
        """The code and every layer whose size is known: a lower bound when one is published elsewhere."""
        return _known_total(self.code_size, self.layers)

    @property
    def total_known(self) -> bool:
        return all(layer.unzipped_size is not None for layer in self.layers)

    def to_json(self) -> dict[str, object]:
        return {
            "function": self.name,
            "runtime": self.runtime,
            "architecture": self.architecture,
            "layers": [
                {"layer": s.layer, "key": s.key, "unzipped_size": s.unzipped_size, "merge_order": n}
                for n, s in enumerate(self.layers, start=1)
            ],
            "code_unzipped_size": self.code_size,
            "total_unzipped_size": self.total_size,
            "total_is_lower_bound": not self.total_known,
            "overlaps": [o.to_json() for o in self.overlaps],
            "findings": [f.to_json() for f in self.findings],
            "distributions": [
                {"distribution": d.distribution, "version": d.version, "layer": d.layer} for d in self.distributions
            ],
        }

    def table_lines(self) -> list[str]:
        total = self.total_size
        lines = [f"function {self.name} ({self.runtime}, {self.architecture})"]
        sizes = [("merge order", "layer", "unzipped bytes")]
        sizes += [(str(n), s.layer, _size(s.unzipped_size)) for n, s in enumerate(self.layers, start=1)]
        shown = f"{total:,}" if self.total_known else f"at least {total:,}"
        sizes += [("", "function code", f"{self.code_size:,}"), ("", "total", shown)]
        lines += columns(sizes, right={0, 2})
        left = MAX_UNZIPPED_BYTES - total
        margin = f"{left:,} left" if left >= 0 else f"over by {-left:,}"
        lines.append(f"  {total / MAX_UNZIPPED_BYTES:.1%} of Lambda's {MAX_UNZIPPED_BYTES:,}-byte limit ({margin})")
        lines.append("")
        if self.overlaps:
            rows = [("shipped by 2+ layers", "files", "differ", "unused bytes", "layers in merge order", "imported")]
            for (group, layers, imported), overlaps in _groups(self.overlaps).items():
                differ = sum(1 for o in overlaps if not o.identical)
                unused = sum(o.unused_size for o in overlaps)
                rows.append((group, f"{len(overlaps):,}", f"{differ:,}", f"{unused:,}", ", ".join(layers), imported))
            lines += columns(rows, right={1, 2, 3})
        else:
            lines.append("  no path is shipped by more than one layer")
        lines.append("")
        if self.distributions:
            provided = [("distribution", "version", "imported from layer")]
            provided += [(d.distribution, d.version, d.layer) for d in self.distributions]
            lines += columns(provided, right=set())
        else:
            lines.append("  no distribution comes from a layer")
        lines.append("")
        lines += [f"  {f.level}: {f.message}" for f in self.findings] or ["  no findings"]
        return lines


@dataclass(frozen=True)
class Report:
    """The report on every function in the manifest, sorted by name."""

    functions: tuple[FunctionReport, ...]

    @property
    def findings(self) -> list[Finding]:
        return [f for function in self.functions for f in function.findings]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "limit_unzipped_bytes": MAX_UNZIPPED_BYTES,
            "functions": [f.to_json() for f in self.functions],
        }
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()

    def table(self) -> str:
        if not self.functions:
            return "no functions in the manifest\n"
        sections = ["\n".join(f.table_lines()) for f in self.functions]
        return "\n\n".join(sections) + "\n"


def write(build_dir: Path, report: Report) -> Path:
    path = build_dir / REPORT_FILE
    atomic_write(path, report.to_json())
    return path


def analyse(artifacts: list[Record], functions: list[Record], layers: list[LayerConfig]) -> Report:
    """The report on every function, from the manifest's records and the layers' layer.toml."""
    by_key = {str(a["key"]): a for a in artifacts}
    configs = {c.name: c for c in layers}
    ordered = sorted(functions, key=lambda f: str(f["key"]))
    return Report(tuple(_analyse_function(f, by_key, configs) for f in ordered))


def _imported(candidates: Sequence[tuple[int, int]]) -> int:
    """Which of (merge index, rank) is imported: the first on sys.path; in one folder, the later layer's."""
    return min(candidates, key=lambda c: (c[1], -c[0]))[0]


def _analyse_function(record: Record, artifacts: dict[str, Record], configs: dict[str, LayerConfig]) -> FunctionReport:
    name = str(record["name"])
    used = []
    sizes = []
    for attached in record["layers"]:
        if attached["arn"]:
            sizes.append(LayerSize(str(attached["arn"]), None, None))
            continue
        artifact = artifacts.get(attached["artifact"])
        if artifact is None or artifact["layer"] not in configs:
            raise LayerError(
                f"function {name}: layer artifact {attached['artifact']} is not in the manifest or layers/; "
                "run 'make layers'"
            )
        used.append(artifact)
        sizes.append(LayerSize(str(artifact["layer"]), str(artifact["key"]), int(artifact["unzipped_size"])))
    names = [str(a["layer"]) for a in used]
    place = layer_place(str(record["runtime"]))
    layers = [read_zip(Path(a["zip"]), place) for a in used]
    code = read_zip(Path(record["zip"]), code_place)
    code_size = int(record["unzipped_size"])

    overlaps = _overlaps(names, layers)
    found = _budget(code_size, tuple(sizes))
    found += _external(tuple(sizes), str(record["runtime"]), str(record["architecture"]))
    versions, conflicted = _versions(names, layers, [configs[n] for n in names])
    found += versions
    found += _shadowed([o for o in overlaps if o.distribution not in conflicted])
    found += _bundled(names, layers, code)
    found += _runtime_sdk(names, layers)
    findings = sorted(
        (Finding(name, level, kind, subject, message) for level, kind, subject, message in found),
        key=lambda f: LEVELS.index(f.level),
    )
    return FunctionReport(
        name=name,
        runtime=str(record["runtime"]),
        architecture=str(record["architecture"]),
        layers=tuple(sizes),
        code_size=code_size,
        overlaps=tuple(overlaps),
        findings=tuple(findings),
        distributions=_provided(names, layers),
    )


_Found = list[tuple[Level, str, str, str]]
"""(level, kind, subject, message) before they are tied to a function."""


def _known_total(code_size: int, sizes: Sequence[LayerSize]) -> int:
    return code_size + sum(s.unzipped_size for s in sizes if s.unzipped_size is not None)


def _size(size: int | None) -> str:
    return "unknown" if size is None else f"{size:,}"


def _budget(code_size: int, sizes: tuple[LayerSize, ...]) -> _Found:
    total = _known_total(code_size, sizes)
    if total <= MAX_UNZIPPED_BYTES:
        return []
    parts = " + ".join([f"function code {code_size:,}", *(f"layer {s.layer} {_size(s.unzipped_size)}" for s in sizes)])
    message = (
        f"{total:,} bytes unzipped ({parts}), over Lambda's limit of {MAX_UNZIPPED_BYTES:,} for a function "
        "and all its layers; detach a layer or make one smaller"
    )
    return [("error", "budget", "unzipped size", message)]


def _overlaps(names: list[str], layers: list[Contents]) -> list[Overlap]:
    shipped: dict[str, list[int]] = defaultdict(list)
    for index, contents in enumerate(layers):
        for path in contents.files:
            shipped[path].append(index)
    overlaps = []
    for path, indexes in sorted(shipped.items()):
        if len(indexes) < 2:
            continue
        copies = {i: layers[i].files[path] for i in indexes}
        winner = _imported([(i, c.rank) for i, c in copies.items()])
        owner = next((o for i in indexes if (o := layers[i].owner(path))), None)
        overlaps.append(
            Overlap(
                path=path,
                layers=tuple(names[i] for i in indexes),
                zip_paths=tuple(c.zip_path for c in copies.values()),
                imported_from=names[winner],
                identical=len({(c.crc, c.size) for c in copies.values()}) == 1,
                distribution=owner,
                unused_size=sum(c.size for i, c in copies.items() if i != winner),
            )
        )
    return overlaps


def _versions(names: list[str], layers: list[Contents], configs: list[LayerConfig]) -> tuple[_Found, set[str]]:
    """One distribution at several versions; also returns those distributions, whose paths this covers."""
    found: _Found = []
    conflicted = set()
    for dist in sorted({d for contents in layers for d in contents.dists}):
        indexes = [i for i, contents in enumerate(layers) if dist in contents.dists]
        version = {i: layers[i].dists[dist].version for i in indexes}
        if len(set(version.values())) < 2:
            continue
        conflicted.add(dist)
        winner = _imported([(i, layers[i].dists[dist].rank) for i in indexes])
        config = configs[winner]
        if dist in {canonicalize_name(o) for o in config.overrides}:
            others = _and([f"{dist} {version[i]} from layer {names[i]}" for i in indexes if i != winner])
            message = (
                f"layer {names[winner]} overrides {others} with {dist} {version[winner]}, as its overrides declare"
            )
            found.append(("warning", "version-override", dist, message))
        else:
            each = _and([f"{names[i]} ({dist} {version[i]})" for i in indexes])
            message = (
                f"layers {each} ship different versions of {dist}, and {names[winner]}'s is imported; pin one "
                f'version in every layer, or add "{dist}" to overrides in {config.directory / LAYER_FILE} '
                "if it is meant to win"
            )
            found.append(("error", "version-conflict", dist, message))
    return found, conflicted


def _provided(names: list[str], layers: list[Contents]) -> tuple[Provided, ...]:
    provided = []
    for dist in sorted({d for contents in layers for d in contents.dists}):
        winner = _imported(
            [(i, contents.dists[dist].rank) for i, contents in enumerate(layers) if dist in contents.dists]
        )
        provided.append(Provided(dist, layers[winner].dists[dist].version, names[winner]))
    return tuple(provided)


def _groups(overlaps: Sequence[Overlap]) -> dict[tuple[str, tuple[str, ...], str], list[Overlap]]:
    """Overlaps by (group, layers, imported from), sorted, for one line each instead of one per path."""
    groups: dict[tuple[str, tuple[str, ...], str], list[Overlap]] = defaultdict(list)
    for overlap in overlaps:
        groups[overlap.group, overlap.layers, overlap.imported_from].append(overlap)
    return dict(sorted(groups.items()))


def _shadowed(overlaps: list[Overlap]) -> _Found:
    """A warning per group whose copies differ; one note per set of layers for groups that are all identical."""
    found: _Found = []
    same: dict[tuple[str, ...], list[list[Overlap]]] = defaultdict(list)
    for (group, layers, imported), members in _groups(overlaps).items():
        differ = [o.path for o in members if not o.identical]
        if not differ:
            same[layers].append(members)
            continue
        if len(members) == 1:
            message = f"layers {_and(layers)} ship different bytes at {differ[0]}; {imported}'s copy is imported"
        else:
            shown = _some(differ)
            message = (
                f"layers {_and(layers)} ship {group} ({len(differ):,} of {len(members):,} files differ: {shown}); "
                f"{imported}'s copies are imported"
            )
        found.append(("warning", "shadowed-path", group, message))
    for layers, groups in sorted(same.items()):
        count = sum(len(members) for members in groups)
        files = f"{count:,} files" if count > 1 else "file"
        names = _some(list(dict.fromkeys(members[0].group for members in groups)))
        unused = sum(o.unused_size for members in groups for o in members)
        message = (
            f"layers {_and(layers)} ship the same {files} ({names}); the copies never imported add "
            f"{unused:,} bytes to the unzipped size"
        )
        found.append(("note", "duplicate-paths", ", ".join(layers), message))
    return found


def _bundled(names: list[str], layers: list[Contents], code: Contents) -> _Found:
    """Distributions in the function's zip that a layer provides: the bytes are the files their RECORD lists."""
    found: _Found = []
    for dist, own in sorted(code.dists.items()):
        providers = [i for i, contents in enumerate(layers) if dist in contents.dists]
        if not providers:
            continue
        size = sum(code.files[p].size for p in own.files)
        provide = "provides" if len(providers) == 1 else "provide"
        by = _and([f"layer {names[i]} ({dist} {layers[i].dists[dist].version})" for i in providers])
        message = (
            f"bundles {dist} {own.version} ({size:,} bytes in {len(own.files):,} files, by its RECORD) although "
            f"{by} already {provide} it; the function's copy is imported first, so remove it from the function's code"
        )
        found.append(("warning", "bundled-distribution", dist, message))
    return found


def _external(sizes: tuple[LayerSize, ...], runtime: str, architecture: str) -> _Found:
    """A note per layer published elsewhere: the build cannot see inside it."""
    message = (
        "is published elsewhere: its size counts as unknown, not zero, and its files are not checked here; "
        f"Terraform checks at plan time that it exists and suits {runtime} on {architecture}"
    )
    return [("note", "published-elsewhere", s.layer, f"layer {s.layer} {message}") for s in sizes if s.key is None]


def _runtime_sdk(names: list[str], layers: list[Contents]) -> _Found:
    found: _Found = []
    for dist in RUNTIME_SDK:
        indexes = [i for i, contents in enumerate(layers) if dist in contents.dists]
        if not indexes:
            continue
        winner = _imported([(i, layers[i].dists[dist].rank) for i in indexes])
        also = f" (layers {_and([names[i] for i in indexes])} ship it)" if len(indexes) > 1 else ""
        message = (
            f"{dist} {layers[winner].dists[dist].version} from layer {names[winner]} shadows the runtime's own "
            f"{dist}{also}; right when the layer pins the SDK on purpose"
        )
        found.append(("note", "runtime-sdk", dist, message))
    return found


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _some(items: Sequence[str]) -> str:
    if len(items) <= _LISTED:
        return ", ".join(items)
    return f"{', '.join(items[:_LISTED])} and {len(items) - _LISTED:,} more"
