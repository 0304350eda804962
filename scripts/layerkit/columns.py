"""Plain-text tables, as the CLI prints them."""

from collections.abc import Sequence


def columns(rows: Sequence[tuple[str, ...]], right: set[int]) -> list[str]:
    """Rows as aligned text columns, indented; columns in `right` are right-aligned (numbers)."""
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return [
        "  "
        + "  ".join(
            cell.rjust(w) if c in right else cell.ljust(w) for c, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
