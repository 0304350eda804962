"""The report: per function, its sizes, overlapping paths, findings and the distributions it imports.

Renders as `report.json` and as the table `make report` prints. What each finding means and
how it is found: see `analyses`.
"""

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from layerkit.build_dir import BuildDir
from layerkit.columns import columns
from layerkit.fsutil import atomic_write
from layerkit.lambda_facts import MAX_UNZIPPED_BYTES
from layerkit.licenses import License

FORMAT = 1
Level = Literal["error", "warning", "note"]
LEVELS: tuple[Level, ...] = ("error", "warning", "note")


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
    license: License | None = None
    """As the distribution's METADATA declares it (`layerkit.licenses`); None: unknown."""

    @property
    def license_text(self) -> str | None:
        return str(self.license) if self.license else None


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
        return known_total(self.code_size, self.layers)

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
                {"distribution": d.distribution, "version": d.version, "layer": d.layer, "license": d.license_text}
                for d in self.distributions
            ],
        }

    def table_lines(self) -> list[str]:
        return [
            f"function {self.name} ({self.runtime}, {self.architecture})",
            *_size_lines(self),
            "",
            *_overlap_lines(self.overlaps),
            "",
            *_distribution_lines(self.distributions),
            "",
            *([f"  {f.level}: {f.message}" for f in self.findings] or ["  no findings"]),
        ]


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


def write(build_dir: BuildDir, report: Report) -> Path:
    atomic_write(build_dir.report, report.to_json())
    return build_dir.report


def known_total(code_size: int, sizes: Sequence[LayerSize]) -> int:
    return code_size + sum(s.unzipped_size for s in sizes if s.unzipped_size is not None)


def size_text(size: int | None) -> str:
    return "unknown" if size is None else f"{size:,}"


def overlap_groups(overlaps: Sequence[Overlap]) -> dict[tuple[str, tuple[str, ...], str], list[Overlap]]:
    """Overlaps by (group, layers, imported from), sorted, for one line each instead of one per path."""
    groups: dict[tuple[str, tuple[str, ...], str], list[Overlap]] = defaultdict(list)
    for overlap in overlaps:
        groups[overlap.group, overlap.layers, overlap.imported_from].append(overlap)
    return dict(sorted(groups.items()))


def _size_lines(function: FunctionReport) -> list[str]:
    """Each layer's size in merge order, the code's and the total, then how the total stands to the limit."""
    total = function.total_size
    sizes = [("merge order", "layer", "unzipped bytes")]
    sizes += [(str(n), s.layer, size_text(s.unzipped_size)) for n, s in enumerate(function.layers, start=1)]
    shown = f"{total:,}" if function.total_known else f"at least {total:,}"
    sizes += [("", "function code", f"{function.code_size:,}"), ("", "total", shown)]
    left = MAX_UNZIPPED_BYTES - total
    margin = f"{left:,} left" if left >= 0 else f"over by {-left:,}"
    limit = f"  {total / MAX_UNZIPPED_BYTES:.1%} of Lambda's {MAX_UNZIPPED_BYTES:,}-byte limit ({margin})"
    return [*columns(sizes, right={0, 2}), limit]


def _overlap_lines(overlaps: Sequence[Overlap]) -> list[str]:
    if not overlaps:
        return ["  no path is shipped by more than one layer"]
    rows = [("shipped by 2+ layers", "files", "differ", "unused bytes", "layers in merge order", "imported")]
    for (group, layers, imported), members in overlap_groups(overlaps).items():
        differ = sum(1 for o in members if not o.identical)
        unused = sum(o.unused_size for o in members)
        rows.append((group, f"{len(members):,}", f"{differ:,}", f"{unused:,}", ", ".join(layers), imported))
    return columns(rows, right={1, 2, 3})


def _distribution_lines(distributions: Sequence[Provided]) -> list[str]:
    if not distributions:
        return ["  no distribution comes from a layer"]
    provided = [("distribution", "version", "imported from layer", "license")]
    provided += [(d.distribution, d.version, d.layer, d.license_text or "unknown") for d in distributions]
    return columns(provided, right=set())
