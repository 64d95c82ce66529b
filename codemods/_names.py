"""Which imported name an expression spells: a light stand-in for ``QualifiedNameProvider``.

LibCST's ``QualifiedNameProvider`` runs a full scope analysis first, which costs several
times what parsing a DAG file costs; the commands only ask "which imported name does this
``Name`` or ``a.b.C`` refer to?". :class:`ImportBindings` answers from the import
statements of the file: those at the top level (and inside top-level ``if`` / ``try``
blocks) are known before the traversal starts, nested ones as the traversal reaches them.

Function and lambda parameters shadow imports (``def f(bash): bash.X`` is not the
``bash`` module). Other rebinding of an imported name (``DAG = MyDag``) is not tracked:
it is rare in DAG files, and it makes LibCST's answer ambiguous too. A command may teach
plain assignments of a known name to a new one (``Pod = KubernetesPodOperator``) with
:meth:`ImportBindings.assign`; a name assigned anything else as well stays unknown.

Examples:
    >>> import libcst as cst
    >>> bindings = ImportBindings()
    >>> bindings.prescan(cst.parse_module("import airflow.operators.bash as bash\\n"))
    >>> bindings.resolve(cst.parse_expression("bash.BashOperator"))
    'airflow.operators.bash.BashOperator'
    >>> bindings.resolve(cst.parse_expression("other.BashOperator")) is None
    True
    >>> bindings.assign("Bash", bindings.resolve(cst.parse_expression("bash.BashOperator")))
    >>> bindings.resolve(cst.parse_expression("Bash"))
    'airflow.operators.bash.BashOperator'
"""

from __future__ import annotations

import libcst as cst

__all__ = ["ImportBindings", "dotted_name"]

ImportNode = cst.Import | cst.ImportFrom


class ImportBindings:
    """Bound name -> qualified name, from the import statements seen so far."""

    def __init__(self) -> None:
        self._targets: dict[str, str] = {}
        self._nodes: dict[str, ImportNode] = {}
        #: assigned name -> qualified name; None once it is also assigned something else
        self._aliases: dict[str, str | None] = {}
        self._shadows: list[frozenset[str]] = []

    def record(self, node: ImportNode) -> None:
        """Learn the names ``node`` binds (relative and star imports bind nothing known)."""
        if isinstance(node, cst.Import):
            for alias in node.names:
                name = alias.evaluated_name
                bound = alias.evaluated_alias or name.split(".")[0]
                self._bind(bound, name if alias.asname is not None else bound, node)
            return
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module)
        for alias in node.names:
            self._bind(alias.evaluated_alias or alias.evaluated_name,
                       f"{module}.{alias.evaluated_name}", node)

    def prescan(self, module: cst.Module) -> None:
        """Record the imports of ``module``'s top level, including top-level ``if``/``try``."""
        pending: list[cst.BaseStatement] = list(module.body)
        while pending:
            statement = pending.pop(0)
            if type(statement) is cst.SimpleStatementLine:
                for small in statement.body:
                    if type(small) is cst.Import or type(small) is cst.ImportFrom:
                        self.record(small)
            elif isinstance(statement, cst.If | cst.Try):
                pending.extend(_blocks(statement))

    def assign(self, name: str, target: str | None) -> None:
        """Learn ``name = <target>`` (``target`` a qualified name, None for anything else).

        Scopes are not told apart: a name assigned two different things anywhere in the
        file resolves to nothing, and an imported name keeps its import.
        """
        if name in self._aliases and self._aliases[name] != target:
            target = None
        self._aliases[name] = target

    def push_scope(self, params: cst.Parameters) -> None:
        """Enter a function or lambda: its parameters hide imports of the same name."""
        names = [*params.params, *params.kwonly_params, *params.posonly_params]
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                names.append(star)
        self._shadows.append(frozenset(p.name.value for p in names))

    def pop_scope(self) -> None:
        """Leave the innermost function or lambda."""
        self._shadows.pop()

    def resolve(self, node: cst.CSTNode) -> str | None:
        """The qualified name ``node`` (a ``Name`` or ``a.b.C``) spells, or None."""
        attrs: list[str] = []
        while type(node) is cst.Attribute:  # exact types: a third of isinstance's cost
            attrs.append(node.attr.value)
            node = node.value
        if type(node) is not cst.Name:
            return None
        target = self._targets.get(node.value) or self._aliases.get(node.value)
        if target is None or self.is_shadowed(node.value):
            return None
        return ".".join([target, *reversed(attrs)])

    def binds(self, name: str) -> bool:
        """Whether an import seen so far binds ``name`` (shadowing aside; not assignments)."""
        return name in self._targets

    def is_shadowed(self, name: str) -> bool:
        """Whether a parameter of an enclosing function hides the import ``name``."""
        return any(name in scope for scope in self._shadows)

    def node_for(self, name: str) -> ImportNode | None:
        """The import statement that binds ``name``, if any."""
        return self._nodes.get(name)

    def _bind(self, bound: str, target: str, node: ImportNode) -> None:
        self._targets[bound] = target
        self._nodes[bound] = node


def dotted_name(node: cst.Name | cst.Attribute) -> str:
    """``a.b.c`` for the ``Name`` / ``Attribute`` chain an import spells its module with
    (``get_full_name_for_node`` for the one shape imports have, without its type tests).

    Examples:
        >>> dotted_name(cst.parse_expression("airflow.utils.dates"))
        'airflow.utils.dates'
    """
    parts: list[str] = []
    while type(node) is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value  # type: ignore[assignment]
    assert type(node) is cst.Name, f"not a dotted name: {type(node).__name__}"
    parts.append(node.value)
    return ".".join(reversed(parts))


def _blocks(statement: cst.If | cst.Try) -> list[cst.BaseStatement]:
    """The statements directly inside ``statement``'s blocks (an ``elif`` stays whole)."""
    if isinstance(statement, cst.If):
        found = _statements(statement.body)
        orelse = statement.orelse
        if isinstance(orelse, cst.If):
            return [*found, orelse]
        return found + (_statements(orelse.body) if orelse is not None else [])
    suites = [statement.body, *(handler.body for handler in statement.handlers),
              *(part.body for part in (statement.orelse, statement.finalbody) if part)]
    return [s for suite in suites for s in _statements(suite)]


def _statements(suite: cst.BaseSuite) -> list[cst.BaseStatement]:
    if isinstance(suite, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=suite.body)]
    assert isinstance(suite, cst.IndentedBlock)
    return list(suite.body)
