"""Lists in words, as every message and table here writes them: `a, b and c`, `a, b ... and 3 more`."""

from collections.abc import Sequence

LISTED = 5
"""Names a one-line message lists before "and N more"."""


def and_list(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def some(items: Sequence[str]) -> str:
    """At most LISTED of `items`, then how many more there are."""
    if len(items) <= LISTED:
        return ", ".join(items)
    return f"{', '.join(items[:LISTED])} and {len(items) - LISTED:,} more"


def twice(items: Sequence[str]) -> list[str]:
    """The items listed more than once, each once, sorted."""
    return sorted({item for item in items if items.count(item) > 1})
