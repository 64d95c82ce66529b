"""``python -m translators.export.worker``: run one exported task for Airflow 2.

Reads the request (the keyword arguments of :func:`translators.export.runtime.run_task`) as
JSON on stdin and prints the materialization record as one JSON line on stdout. Anything
the assets print goes to stderr (the task log). Exits 1 with the reason on stderr when the
assets fail.
"""

from __future__ import annotations

import contextlib
import json
import sys
import traceback


def main() -> int:
    """Run the request on stdin; 0 on success."""
    request = json.loads(sys.stdin.read())
    from translators.export.runtime import run_task

    try:
        with contextlib.redirect_stdout(sys.stderr):
            record = run_task(**request)
    except Exception as exc:
        traceback.print_exc()
        print(f"{type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    print(json.dumps(record, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
