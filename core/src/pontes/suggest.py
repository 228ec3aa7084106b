"""Suggestions for configuration mistakes: the closest known name and the names allowed.

``did_you_mean("conections", ["connections", "store"])`` gives
``"did you mean 'connections'?"``; ``hint`` adds the names allowed, and ``unknown_name``
builds the whole message an operator reads ("unknown connector 'ploomez'; did you mean
'ploomes'? installed connectors: ..."). The
closeness test is ``difflib``'s ratio, which catches typos, swapped and missing letters.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.75
"""How alike (difflib ratio, 0 to 1) a name must be to be suggested: close enough for
typos, far enough that "movidesk" is not offered for "toydesk"."""


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word``, or ``None`` when none is close enough."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=CUTOFF)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"did you mean 'x'?"`` for the closest choice, or ``""`` when none is close."""
    match = closest(word, choices)
    return f"did you mean {match!r}?" if match else ""


def hint(word: str, choices: Iterable[str], allowed_label: str) -> str:
    """``"did you mean 'x'? <allowed_label>: a, b, c"`` to follow an "unknown ..." message.

    The question is left out when no choice is close; the list says ``none`` when empty.
    """
    options = sorted(choices)
    listing = f"{allowed_label}: {', '.join(options) or 'none'}"
    question = did_you_mean(word, options)
    return f"{question} {listing}" if question else listing


def unknown_name(what: str, word: str, choices: Iterable[str], allowed_label: str) -> str:
    """``"unknown <what> 'word'; did you mean 'x'? <allowed_label>: a, b, c"``."""
    return f"unknown {what} {word!r}; {hint(word, choices, allowed_label)}"
