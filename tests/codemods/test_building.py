"""The fast paths behind the commands give what LibCST's own calls give.

Rendering (``render`` vs ``Module.code``), rebuilding (``rebuild`` vs ``with_changes``),
templates (``fill_template`` vs ``parse_expression`` of the formatted text) and the
generated traversals (a transformer that changes nothing returns the very tree; a visitor
sees every node LibCST's visitor sees but layout, in the order of the node's fields, which
is not always the source order: an ``Arg``'s value comes before its keyword).
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from codemods._args import fill_template, source_of
from codemods._dispatch import FastTransformerDispatch, FastVisitor, is_layout, rebuild
from codemods._render import render

FIXTURES = sorted((Path(__file__).parent / "fixtures").rglob("*.py"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_render_is_module_code(path: Path) -> None:
    tree = cst.parse_module(path.read_bytes())
    assert render(tree) == tree.code
    for statement in tree.body:
        assert render(statement) == cst.Module(body=[]).code_for_node(statement)


def test_rebuild_is_with_changes_and_validates() -> None:
    call = cst.parse_expression("f(a, b=1)  ")
    assert isinstance(call, cst.Call)
    changes = {"args": call.args[:1]}
    assert rebuild(call, changes).deep_equals(call.with_changes(**changes))
    with pytest.raises(cst.CSTValidationError):
        rebuild(call, {"lpar": [cst.LeftParen()]})  # no matching right parenthesis


@pytest.mark.parametrize(("template", "holes"), [
    ('{ctx}["data_interval_end"].strftime("%Y-%m-%d")', {"ctx": "kwargs"}),
    ('({ctx}["logical_date"] + {ctx}["macros"].timedelta(days=1)).strftime("%Y%m%d")',
     {"ctx": "(context  # the context\n)"}),
    ('pendulum.today("UTC").add(days=-({days}))', {"days": "n if n else 1"}),
])
def test_fill_template_renders_as_the_formatted_text(template: str,
                                                     holes: dict[str, str]) -> None:
    nodes = {name: cst.parse_expression(text) for name, text in holes.items()}
    filled = fill_template(template, **nodes)
    assert source_of(filled) == source_of(cst.parse_expression(template.format(**holes)))


class _Nothing(FastTransformerDispatch, cst.CSTTransformer):
    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return updated_node


class _Seen(FastVisitor):
    def __init__(self) -> None:
        self.seen: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.seen.append(node)
        return True


class _LibcstSeen(cst.CSTVisitor):
    def __init__(self) -> None:
        self.seen: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if not is_layout(type(node)):
            self.seen.append(node)
        return True


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_generated_traversals_follow_libcst(path: Path) -> None:
    tree = cst.parse_module(path.read_bytes())
    assert _Nothing().rewrite(tree) is tree
    fast, libcst = _Seen(), _LibcstSeen()
    fast.walk(tree)
    tree.visit(libcst)  # on_visit sees the original nodes (LibCST rebuilds them after)
    assert sorted(map(id, fast.seen)) == sorted(map(id, libcst.seen))


def test_render_puts_libcsts_methods_back_even_after_an_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``render`` swaps LibCST's parenthesize / bracketize / braceize while it runs; they
    are LibCST's again afterwards, also when code generation raises."""
    from libcst._nodes import expression

    owners = {(expression._BaseParenthesizedNode, "_parenthesize"),
              (expression.BaseList, "_bracketize"), (expression._BaseSetOrDict, "_braceize")}
    before = {key: key[0].__dict__[key[1]] for key in owners}
    tree = cst.parse_module("x = [f((1)), {2: 3}, {4}]\n")
    assert render(tree) == tree.code

    def boom(self: object, state: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(expression.Integer, "_codegen_impl", boom)
    with pytest.raises(RuntimeError, match="boom"):
        render(tree)
    assert {key: key[0].__dict__[key[1]] for key in owners} == before
