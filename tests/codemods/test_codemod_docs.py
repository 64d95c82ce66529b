"""docs/codemods.md is generated from the command classes and must be up to date."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_codemods_page_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("gen_codemod_docs",
                                                  DOCS / "_gen" / "gen_codemod_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (DOCS / "codemods.md").read_text(encoding="utf-8") == module.render(), \
        "docs/codemods.md is stale: run python docs/_gen/gen_codemod_docs.py"
