"""The known name nearest a mistyped one ("did you mean ...?"), worded the same in every error.

Every error that refuses a name (a key, a layer, a runtime, a function) ends the same way:
`<what is wrong>; did you mean <name>? <label>: <the known names>`, or, when no known name is
close, `<what is wrong>; <label>: <the known names>`. `hint` writes that tail.
"""

import difflib
from collections.abc import Iterable, Mapping, Sequence

CUTOFF = 0.6
"""difflib's own default: how alike (0 to 1) a known name must be to be suggested."""


def closest(word: str, known: Iterable[str], aliases: Mapping[str, str] | None = None) -> str | None:
    """The known name nearest `word` by difflib's `get_close_matches`, or None when none is close.

    A word `aliases` names (in any case) is another name for a known one, and gets that one; a word
    that is a known name in another case (`Json`, `active`) gets that name. Equally near names go
    first to one with the same letters as `word` in another order (a transposition: `python3.31`
    is python3.13, not python3.11), then to the first in `known`.
    """
    choices = list(dict.fromkeys(known))
    alias = (aliases or {}).get(word.lower())
    if alias in choices:
        return alias
    same_letters = [c for c in choices if c.lower() == word.lower()]
    if same_letters:
        return same_letters[0]
    matches = difflib.get_close_matches(word, choices, n=max(len(choices), 1), cutoff=CUTOFF)
    if not matches:
        return None
    # get_close_matches compares each possibility as the first sequence, and `word` as the second.
    scores = {m: difflib.SequenceMatcher(None, m, word).ratio() for m in matches}
    best = max(scores.values())
    tied = [c for c in choices if scores.get(c) == best]
    return next((c for c in tied if sorted(c) == sorted(word)), tied[0])


def hint(
    words: Sequence[str],
    known: Sequence[str],
    label: str,
    *,
    prefix: str = "",
    aliases: Mapping[str, str] | None = None,
) -> str:
    """`; did you mean <name>? <label>: <known>` for the unknown `words`; without the question when none is close.

    With several words, each suggestion names the word it replaces: `did you mean license for
    licence, runtimes for runtime?`. `prefix` goes before each word and suggestion (a table's
    name, such as `share.`), not before the listed names. `aliases`: as for `closest`.
    """
    listed = f"{label}: {', '.join(known) or 'none'}"
    guesses = [(word, guess) for word in words if (guess := closest(word, known, aliases))]
    if not guesses:
        return f"; {listed}"
    if len(words) == 1:
        question = f"{prefix}{guesses[0][1]}"
    else:
        question = ", ".join(f"{prefix}{guess} for {prefix}{word}" for word, guess in guesses)
    return f"; did you mean {question}? {listed}"
