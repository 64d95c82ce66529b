"""Rewrite removed context keys inside Jinja templates held in Python string literals.

Only ``{{ ... }}`` and ``{% ... %}`` regions are touched, and only bare names (not
attributes such as ``dag_run.conf``, not keyword names such as ``f(next_ds=1)``).

Examples:
    >>> rewrite_template("run {{ execution_date }} and {{ next_ds }}", '"')
    ('run {{ logical_date }} and {{ data_interval_end | ds }}', [])
    >>> rewrite_template("{{ macros.ds_add(next_ds, 1) }}", '"')
    ('{{ macros.ds_add((data_interval_end | ds), 1) }}', [])
    >>> rewrite_template("{{ prev_ds }}", '"')
    ('{{ prev_ds }}', ['prev_ds'])
"""

from __future__ import annotations

import re

from codemods._airflow3_table import CONTEXT_KEYS

__all__ = ["rewrite_template"]

_REGION = re.compile(r"(\{\{|\{%)(.*?)(\}\}|%\})", re.S)
_KEY = re.compile(r"(?<![\w.'\"])(" + "|".join(sorted(CONTEXT_KEYS, key=len, reverse=True))
                  + r")(?![\w'\"])(?!\s*=[^=])")
_DAG_RUN_DATE = re.compile(r"\bdag_run\.execution_date\b")


def rewrite_template(text: str, quote: str) -> tuple[str, list[str]]:
    """``text`` with removed keys replaced, plus the removed keys left for a human.

    Args:
        text: the string literal's text (quotes included or not; only regions change).
        quote: the quote character the literal uses (replacements use the other one).
    """
    other = "'" if quote == '"' else '"'
    unresolved: list[str] = []

    def region(match: re.Match[str]) -> str:
        body = _DAG_RUN_DATE.sub("dag_run.logical_date", match.group(2))
        whole = _KEY.fullmatch(body.strip())

        def key(found: re.Match[str]) -> str:
            replacement = CONTEXT_KEYS[found.group(1)].jinja
            if replacement is None:
                unresolved.append(found.group(1))
                return found.group(1)
            replacement = replacement.format(q=other)
            simple = whole is not None or re.fullmatch(r"[\w.]+", replacement)
            return replacement if simple else f"({replacement})"

        return match.group(1) + _KEY.sub(key, body) + match.group(3)

    return _REGION.sub(region, text), unresolved
