"""Paths that more than one of a function's layers ships: whose copy is imported, and what `requires` would do.

Part of the report (`analyses` runs it for each function). Lambda extracts the layers into
/opt in merge order, so a later layer's file overwrites an earlier one's at the same path,
but Python imports from `python/lib/python3.X/site-packages/` before `python/`, whatever
the merge order (`contents` gives each copy its rank there).
"""

from collections import defaultdict
from collections.abc import Callable, Sequence

from layerkit.records import Artifact
from layerkit.report.contents import Contents
from layerkit.report.model import Level, Overlap, overlap_groups
from layerkit.wording import and_list, some

Found = list[tuple[Level, str, str, str]]
"""(level, kind, subject, message) before they are tied to a function."""
Hint = Callable[[tuple[str, ...]], str]
"""For layers that ship the same distributions, in merge order: how `requires` would stop that, or ""."""


def imported(candidates: Sequence[tuple[int, int]]) -> int:
    """Which of (merge index, rank) is imported: the first on sys.path; in one folder, the later layer's.

    The SBOMs (`builder.sbom`) mark shadowed distributions by the same rule.
    """
    return min(candidates, key=lambda c: (c[1], -c[0]))[0]


def shared_paths(names: list[str], layers: list[Contents]) -> list[Overlap]:
    """Every import path more than one of the layers (in merge order) ships, with whose copy is imported."""
    shipped: dict[str, list[int]] = defaultdict(list)
    for index, contents in enumerate(layers):
        for path in contents.files:
            shipped[path].append(index)
    overlaps = []
    for path, indexes in sorted(shipped.items()):
        if len(indexes) < 2:
            continue
        copies = {i: layers[i].files[path] for i in indexes}
        winner = imported([(i, c.rank) for i, c in copies.items()])
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


def shadowed(overlaps: list[Overlap], requires_hint: Hint) -> Found:
    """A warning per group whose copies differ; one note per set of layers for groups that are all identical.

    Where the paths belong to a distribution, the finding ends with `requires_hint`.
    """
    found: Found = []
    same: dict[tuple[str, ...], list[list[Overlap]]] = defaultdict(list)
    for (group, layers, imported), members in overlap_groups(overlaps).items():
        differ = [o.path for o in members if not o.identical]
        if not differ:
            same[layers].append(members)
            continue
        if len(members) == 1:
            message = f"layers {and_list(layers)} ship different bytes at {differ[0]}; {imported}'s copy is imported"
        else:
            shown = some(differ)
            message = (
                f"layers {and_list(layers)} ship {group} ({len(differ):,} of {len(members):,} files differ: {shown}); "
                f"{imported}'s copies are imported"
            )
        hint = requires_hint(layers) if members[0].distribution else ""
        found.append(("warning", "shadowed-path", group, message + hint))
    for layers, groups in sorted(same.items()):
        count = sum(len(members) for members in groups)
        files = f"{count:,} files" if count > 1 else "file"
        names = some(list(dict.fromkeys(members[0].group for members in groups)))
        unused = sum(o.unused_size for members in groups for o in members)
        message = (
            f"layers {and_list(layers)} ship the same {files} ({names}); the copies never imported add "
            f"{unused:,} bytes to the unzipped size"
        )
        hint = requires_hint(layers) if any(members[0].distribution for members in groups) else ""
        found.append(("note", "duplicate-paths", ", ".join(layers), message + hint))
    return found


def requires_hint(
    layers: tuple[str, ...], used: dict[str, Artifact], targets: dict[str, set[tuple[str, str]]], locked: set[str]
) -> str:
    """`; declare requires = ["<first>"] in <the later layers' layer.toml> ...`, or "" when that would not help.

    `requires` takes a required layer's pins out of the dependent's lockfile, and so out of its
    zip, so each layer after the first in merge order is told to require the first. Not one that
    installs nothing from a lockfile (its copies are its own python/ files, which `requires` leaves
    alone), one that `requires` already ties to the first either way, or one built for a target
    the first is not (a required layer must be built for all of them).
    """
    first, *later = (used[name] for name in layers)
    dependents = [
        layer
        for layer in later
        if layer["layer"] in locked
        and first["layer"] not in layer["requires"]
        and layer["layer"] not in first["requires"]
        and targets[layer["layer"]] <= targets[first["layer"]]
    ]
    if not dependents:
        return ""
    files = and_list([layer["layer_toml"] for layer in dependents])
    ships = f"{dependents[0]['layer']} ships" if len(dependents) == 1 else "they ship"
    return (
        f"; declare requires = [\"{first['layer']}\"] in {files} and run 'make lock', "
        f"so {ships} only what {first['layer']} lacks"
    )
