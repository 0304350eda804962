"""The OSV advisory model this audit uses: an advisory, its PyPI `affected[]` entries and their ranges.

How an advisory is read from a file is `advisories`; how a range is evaluated follows OSV's
own evaluator (`Range.contains`).
"""

from dataclasses import dataclass

from packaging.version import InvalidVersion, Version


@dataclass(frozen=True)
class Range:
    """One `ECOSYSTEM` range: its events in the order OSV evaluates them."""

    events: tuple[tuple[str, Version], ...]
    """(kind, version), sorted by version; kind is introduced, fixed, last_affected or limit."""

    def contains(self, version: Version) -> bool:
        """OSV's evaluation: walk the events in version order, opening at `introduced`, closing after the others."""
        if any(kind == "limit" and version >= bound for kind, bound in self.events):
            return False
        affected = False
        for kind, bound in self.events:
            if kind == "introduced" and version >= bound:
                affected = True
            elif (kind == "fixed" and version >= bound) or (kind == "last_affected" and version > bound):
                affected = False
        return affected


@dataclass(frozen=True)
class Affected:
    """One `affected[]` entry for a PyPI package."""

    package: str
    """The PEP 503 normalised name."""
    ranges: tuple[Range, ...]
    versions: frozenset[str]
    """The explicit `versions` list, as written."""
    parsed_versions: frozenset[Version]
    fixed: tuple[str, ...]
    """Every `fixed` event, as written."""
    last_affected: tuple[str, ...] = ()
    """Every `last_affected` event, as written: the newest affected version when no fix is known."""

    def contains(self, version: str) -> bool:
        if version in self.versions:
            return True
        try:
            parsed = Version(version)
        except InvalidVersion:
            return False
        return parsed in self.parsed_versions or any(r.contains(parsed) for r in self.ranges)


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    """Its summary, or the start of its details, on one line."""
    source: str
    """The file it was read from (`<zip>:<member>` for a zip), for messages."""
    affected: tuple[Affected, ...]

    def affects(self, package: str, version: str) -> bool:
        return any(a.package == package and a.contains(version) for a in self.affected)

    def fixed(self, package: str) -> tuple[str, ...]:
        """The versions that fix it for `package`, oldest first."""
        found = {v for a in self.affected if a.package == package for v in a.fixed}
        return tuple(sorted(found, key=sort_key))

    def last_affected(self, package: str) -> tuple[str, ...]:
        found = {v for a in self.affected if a.package == package for v in a.last_affected}
        return tuple(sorted(found, key=sort_key))

    @property
    def names(self) -> frozenset[str]:
        """Its ID and its aliases: what an ignore may name."""
        return frozenset((self.id, *self.aliases))


def version(raw: str) -> Version | None:
    try:
        return Version(raw)
    except InvalidVersion:
        return None


def sort_key(raw: str) -> tuple[int, Version, str]:
    """PEP 440 order, and any version it cannot read after those, as text."""
    parsed = version(raw)
    return (0, parsed, "") if parsed is not None else (1, Version("0"), raw)
