"""A distribution's license, as its METADATA declares it, in SPDX terms where it can be.

Read in this order, the first present wins: `License-Expression` (PEP 639), `License`,
then the `License ::` classifiers. A text that parses against the SPDX license list is
kept as its normalised SPDX expression; any other text is kept as a named license, as
written. A distribution that declares none has an unknown license: nothing is guessed.
Used by the report (each distribution's license), the SBOMs and layer.toml's `[licenses]`.
"""

import functools
from dataclasses import dataclass
from email.parser import BytesHeaderParser

from license_expression import ExpressionError, Licensing, get_spdx_licensing

_CLASSIFIER = "License ::"
_NOT_A_LICENSE = frozenset({"", "UNKNOWN"})
"""What old setuptools wrote when a project declared no license."""


@dataclass(frozen=True)
class License:
    """An SPDX expression (`expression`), or the names the distribution gave (`names`)."""

    expression: str | None = None
    names: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.expression or "; ".join(self.names)


@functools.cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


def spdx(text: str) -> str | None:
    """The normalised SPDX expression `text` is, or None when it is not one (an unknown key, free text)."""
    checked = _licensing().validate(text)
    return None if checked.errors else checked.normalized_expression


def is_spdx_id(text: str) -> bool:
    """Whether `text` is one SPDX license identifier (not an expression of several)."""
    normalised = spdx(text)
    return normalised is not None and len(_licensing().license_keys(normalised)) == 1 and " " not in normalised


def from_metadata(data: bytes) -> License | None:
    """The license a distribution's METADATA declares, or None when it declares none."""
    headers = BytesHeaderParser().parsebytes(data)
    for field in ("License-Expression", "License"):
        text = _first_line(headers.get(field, ""))
        if text not in _NOT_A_LICENSE:
            expression = spdx(text)
            return License(expression=expression) if expression else License(names=(text,))
    classifiers = [
        c.rpartition("::")[2].strip()
        for c in headers.get_all("Classifier", [])
        if c.startswith(_CLASSIFIER) and c.count("::") >= 2  # "License :: OSI Approved" alone names none
    ]
    return License(names=tuple(sorted(set(classifiers)))) if classifiers else None


def permits(allow: tuple[str, ...], license_: License | None) -> bool:
    """Whether a distribution under `license_` may ship where only the SPDX ids in `allow` are.

    An expression passes when choosing among its `OR`s can satisfy it with allowed licenses
    only; a named license or an unknown one never passes, since it cannot be checked.
    """
    if license_ is None or license_.expression is None:
        return False
    licensing = _licensing()
    try:
        parsed = licensing.parse(license_.expression)
    except ExpressionError:
        return False
    allowed = {key.lower() for key in allow}
    truth = {
        symbol: licensing.TRUE if str(symbol).lower() in allowed else licensing.FALSE for symbol in parsed.get_symbols()
    }
    return bool(parsed.subs(truth).simplify() == licensing.TRUE)


def _first_line(value: str) -> str:
    """A header's first non-empty line: some projects paste a whole license text into `License`."""
    return next((line.strip() for line in str(value).splitlines() if line.strip()), "")
