"""`make audit`'s findings: who ships a version an advisory names, who gets it, what to change.

`audit` finds them; this holds them, and renders them as `build/audit.json` (typed below, as
other teams' tooling reads it) and as the text `make audit` prints.
"""

from dataclasses import dataclass
from typing import TypedDict

from layerkit.config.layer_config import LAYER_FILE
from layerkit.inspect.osv import Advisory
from layerkit.wording import and_list


class LayerCopyJson(TypedDict):
    layer: str
    version: str
    artifacts: list[str]
    architectures: list[str]
    requirements_in: str
    ignored: str | None


class CodeCopyJson(TypedDict):
    function: str
    version: str
    src: str


class RequiredByJson(TypedDict):
    layer: str
    through: str
    requirements_in: str


class ExposedJson(TypedDict):
    function: str
    layers: list[str]
    through: list[str]


class FindingJson(TypedDict):
    """One advisory against one package, in `audit.json`."""

    id: str
    aliases: list[str]
    summary: str
    source: str
    package: str
    fixed: list[str]
    last_affected: list[str]
    ignored: bool
    layers: list[LayerCopyJson]
    code: list[CodeCopyJson]
    required_by: list[RequiredByJson]
    functions: list[ExposedJson]
    change: list[str]


class StaleIgnoreJson(TypedDict):
    layer: str
    id: str
    layer_toml: str


class AuditJson(TypedDict):
    """`build/audit.json`."""

    format: int
    advisories: str
    advisory_files: int
    findings: list[FindingJson]
    stale_ignores: list[StaleIgnoreJson]
    warnings: list[str]
    failed: bool


FORMAT = 1


@dataclass(frozen=True)
class InLayer:
    """One version of the package in one layer: every artifact (architecture) of it that ships it."""

    layer: str
    version: str
    artifacts: tuple[str, ...]
    architectures: tuple[str, ...]
    requirements_in: str
    ignored: str | None
    """The reason in the layer's `[audit] ignore`, when it names the advisory."""


@dataclass(frozen=True)
class InCode:
    """The package in a function's own zip: its `src/` holds a copy."""

    function: str
    version: str
    source: str


@dataclass(frozen=True)
class Dependent:
    """A layer that ships no copy but relies on one through `requires`."""

    layer: str
    through: str
    requirements_in: str


@dataclass(frozen=True)
class Exposed:
    """A function that gets the package: from the layers it attaches, and the layers that require them."""

    function: str
    layers: tuple[str, ...]
    through: tuple[str, ...]


@dataclass(frozen=True)
class AdvisoryFinding:
    advisory: Advisory
    package: str
    layers: tuple[InLayer, ...]
    code: tuple[InCode, ...]
    dependents: tuple[Dependent, ...]
    functions: tuple[Exposed, ...]

    @property
    def ignored(self) -> bool:
        """Every copy is in a layer that ignores the advisory (a function's own copy cannot be ignored)."""
        return not self.code and all(copy.ignored for copy in self.layers)

    def ignored_in(self, layer: str) -> str | None:
        """The reason `layer` gives for ignoring this advisory, if it ships a copy and ignores it."""
        return next((c.ignored for c in self.layers if c.layer == layer and c.ignored), None)

    @property
    def to_change(self) -> tuple[str, ...]:
        """The requirements.in files (and functions' src folders) to change, for the copies not ignored."""
        return tuple(
            sorted(
                {c.requirements_in for c in self.layers if not c.ignored}
                | {c.source for c in self.code}
                | {d.requirements_in for d in self.dependents if not self.ignored_in(d.through)}
            )
        )

    def to_json(self) -> FindingJson:
        advisory = self.advisory
        return {
            "id": advisory.id,
            "aliases": list(advisory.aliases),
            "summary": advisory.summary,
            "source": advisory.source,
            "package": self.package,
            "fixed": list(advisory.fixed(self.package)),
            "last_affected": list(advisory.last_affected(self.package)),
            "ignored": self.ignored,
            "layers": [
                {
                    "layer": c.layer,
                    "version": c.version,
                    "artifacts": list(c.artifacts),
                    "architectures": list(c.architectures),
                    "requirements_in": c.requirements_in,
                    "ignored": c.ignored,
                }
                for c in self.layers
            ],
            "code": [{"function": c.function, "version": c.version, "src": c.source} for c in self.code],
            "required_by": [
                {"layer": d.layer, "through": d.through, "requirements_in": d.requirements_in} for d in self.dependents
            ],
            "functions": [
                {"function": e.function, "layers": list(e.layers), "through": list(e.through)} for e in self.functions
            ],
            "change": list(self.to_change),
        }

    def text(self) -> str:
        """The finding's block for a person: what, where it ships, who gets it, what to change."""
        advisory = self.advisory
        aliases = f" ({', '.join(advisory.aliases)})" if advisory.aliases else ""
        lines = [f"{self.package} {advisory.id}{aliases}{': ignored' if self.ignored else ''}"]
        if advisory.summary:
            lines.append(f"  {advisory.summary}")
        fixed, last = advisory.fixed(self.package), advisory.last_affected(self.package)
        if fixed:
            lines.append(f"  fixed in: {', '.join(fixed)}")
        else:
            lines.append("  fixed in: none known" + (f"; last affected: {', '.join(last)}" if last else ""))
        for copy in self.layers:
            ships = f"  layer {copy.layer} ({', '.join(copy.architectures)}) ships {self.package} {copy.version}"
            if copy.ignored:
                lines.append(f"{ships}: ignored in its {LAYER_FILE} ({copy.ignored})")
            else:
                lines.append(f"{ships}: change {copy.requirements_in}")
        for dependent in self.dependents:
            gets = f"  layer {dependent.layer} gets it through {dependent.through}, which it requires"
            if self.ignored_in(dependent.through):
                lines.append(f"{gets}: ignored there")
            else:
                lines.append(f"{gets}: change {dependent.requirements_in}")
        for exposed in self.functions:
            through = f", through {and_list(exposed.through)}" if exposed.through else ""
            lines.append(f"  function {exposed.function} attaches {and_list(exposed.layers)}{through}")
        lines += [
            f"  function {c.function}'s own code ships {self.package} {c.version}: change {c.source}" for c in self.code
        ]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class StaleIgnore:
    layer: str
    advisory: str
    layer_toml: str

    def line(self) -> str:
        return (
            f"warning: layer {self.layer}: [audit] ignore {self.advisory!r} matches no finding; "
            f"remove it from {self.layer_toml}"
        )


@dataclass(frozen=True)
class Audit:
    database: str
    files: int
    findings: tuple[AdvisoryFinding, ...]
    stale: tuple[StaleIgnore, ...]
    warnings: tuple[str, ...]
    """One per advisory file that was skipped."""

    @property
    def failing(self) -> tuple[AdvisoryFinding, ...]:
        return tuple(f for f in self.findings if not f.ignored)

    def to_json(self) -> AuditJson:
        return {
            "format": FORMAT,
            "advisories": self.database,
            "advisory_files": self.files,
            "findings": [f.to_json() for f in self.findings],
            "stale_ignores": [{"layer": s.layer, "id": s.advisory, "layer_toml": s.layer_toml} for s in self.stale],
            "warnings": list(self.warnings),
            "failed": bool(self.failing),
        }

    def text(self) -> str:
        """Every finding's block, failing ones first, each group sorted by package then advisory ID."""
        ordered = [*self.failing, *(f for f in self.findings if f.ignored)]
        return "\n".join(f.text() for f in ordered)
