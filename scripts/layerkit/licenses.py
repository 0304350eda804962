"""A distribution's license, as its METADATA declares it, in SPDX terms where it can be.

Read in this order, the first present wins: `License-Expression` (PEP 639), `License`,
then the `License ::` classifiers. A text that parses against the SPDX license list is
kept as its normalised SPDX expression; any other text is kept as a named license, as
written (its first line, at most `MAX_NAME_CHARS`). A distribution that declares none has
an unknown license: nothing is guessed.

METADATA comes from whoever published the wheel, so it is data, never trusted to be well
formed: bytes that are not UTF-8 become U+FFFD, control characters too, and an error that
license-expression raises on a strange text (its own bugs included: 30.4.4 raises
AttributeError on some pasted license texts, such as numpy 1.26's) means "not SPDX".
Nothing here raises on what a METADATA file holds.

Used by the report (each distribution's license), the SBOMs and layer.toml's `[licenses]`,
where a named or unknown license is never allowed, since it cannot be checked.
"""

import functools
import re
from dataclasses import dataclass
from email.parser import HeaderParser
from typing import Any

from license_expression import Licensing, get_spdx_licensing

_CLASSIFIER = "License ::"
_NOT_A_LICENSE = frozenset({"", "UNKNOWN"})
"""What old setuptools wrote when a project declared no license."""
MAX_NAME_CHARS = 256
"""A named license longer than this (a whole text pasted on one line) is cut, and ends with an ellipsis."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


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


def _guarded(call: Any, *args: object) -> Any:  # noqa: ANN401 -- whatever license-expression returns
    """license-expression's answer, or None when it raises: on untrusted text, any exception means "not SPDX"."""
    try:
        return call(*args)
    except Exception:  # noqa: BLE001 -- the library's own bugs included (see the module docstring)
        return None


def spdx(text: str) -> str | None:
    """The normalised SPDX expression `text` is, or None when it is not one (an unknown key, free text)."""
    checked = _guarded(_licensing().validate, text)
    if checked is None or checked.errors or not isinstance(checked.normalized_expression, str):
        return None
    return str(checked.normalized_expression)


def is_spdx_id(text: str) -> bool:
    """Whether `text` is one SPDX license identifier (not an expression of several)."""
    normalised = spdx(text)
    if normalised is None or " " in normalised:
        return False
    keys = _guarded(_licensing().license_keys, normalised)
    return keys is not None and len(keys) == 1


def from_metadata(data: bytes) -> License | None:
    """The license a distribution's METADATA declares, or None when it declares none."""
    headers = HeaderParser().parsestr(data.decode("utf-8", errors="replace"), headersonly=True)
    for field in ("License-Expression", "License"):
        text = _first_line(headers.get(field, ""))
        if text not in _NOT_A_LICENSE:
            expression = spdx(text)
            return License(expression=expression) if expression else License(names=(text,))
    classifiers = [
        _clean(str(c).rpartition("::")[2])
        for c in headers.get_all("Classifier", [])
        if str(c).startswith(_CLASSIFIER) and str(c).count("::") >= 2  # "License :: OSI Approved" alone names none
    ]
    names = tuple(sorted({c for c in classifiers if c}))
    return License(names=names) if names else None


def permits(allow: tuple[str, ...], license_: License | None) -> bool:
    """Whether a distribution under `license_` may ship where only the SPDX ids in `allow` are.

    An expression passes when choosing among its `OR`s can satisfy it with allowed licenses
    only; a named license or an unknown one never passes, since it cannot be checked.
    """
    if license_ is None or license_.expression is None:
        return False
    licensing = _licensing()
    parsed = _guarded(licensing.parse, license_.expression)
    if parsed is None:
        return False
    allowed = {key.lower() for key in allow}
    truth = {
        symbol: licensing.TRUE if str(symbol).lower() in allowed else licensing.FALSE for symbol in parsed.get_symbols()
    }
    return bool(_guarded(lambda: parsed.subs(truth).simplify() == licensing.TRUE))


def _first_line(value: object) -> str:
    """A header's first non-empty line: some projects paste a whole license text into `License`."""
    return next((_clean(line) for line in str(value).splitlines() if _clean(line)), "")


def _clean(text: str) -> str:
    """`text` stripped, with control characters made visible as U+FFFD, and cut to MAX_NAME_CHARS."""
    text = _CONTROL.sub("\ufffd", text).strip()
    return text if len(text) <= MAX_NAME_CHARS else text[: MAX_NAME_CHARS - 1].rstrip() + "\u2026"
