"""Classes defined in the DAG file: operator subclasses, and plain classes used as DAG
builders (``PipelineFactory("x").build()``), with instances, ``__init__``, methods,
``self`` attributes, ``@staticmethod``, ``@classmethod`` and ``@property``."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from translators.static._callables import BoundMethod, CallSite, Function, Instance, LocalClass
from translators.static._imports import is_operator_base
from translators.static._objects import QualName, Scope

if TYPE_CHECKING:
    from translators.static._interp import Interpreter


def define_class(interp: Interpreter, stmt: ast.ClassDef, scope: Scope) -> LocalClass:
    """Evaluate a class statement: bases, then the body in its own namespace."""
    bases = [interp.eval(b, scope) for b in stmt.bases]
    is_operator = any(
        (isinstance(base, QualName) and is_operator_base(base))
        or (isinstance(base, LocalClass) and base.is_operator)
        for base in bases
    )
    body = Scope(scope)
    interp.exec_block(stmt.body, body)
    record_like = any(_name_of(d) in _RECORD_DECORATORS for d in stmt.decorator_list) or any(
        isinstance(b, QualName) and b.last in _RECORD_BASES for b in bases)
    fields = [item.target.id for item in stmt.body
              if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)]
    return LocalClass(stmt.name, is_operator, namespace=body.vars,
                      bases=[b for b in bases if isinstance(b, LocalClass)],
                      fields=fields if record_like else [])


def _name_of(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else ""


#: decorators and bases whose classes get an ``__init__`` from their annotated fields
_RECORD_DECORATORS = frozenset({"dataclass", "define", "frozen", "attrs", "s"})
_RECORD_BASES = frozenset({"NamedTuple", "BaseModel", "TypedDict"})


def _kind(fn: Function) -> str:
    if isinstance(fn.node, ast.Lambda):
        return "method"
    for decorator in fn.node.decorator_list:
        name = decorator.id if isinstance(decorator, ast.Name) else (
            decorator.attr if isinstance(decorator, ast.Attribute) else "")
        if name in {"staticmethod", "classmethod", "property"}:
            return name
    return "method"


def instantiate(interp: Interpreter, cls: LocalClass, args: list[object],
                kwargs: dict[str, object], site: CallSite) -> Instance:
    """``SomeClass(...)``: a new instance, initialised by the file's ``__init__``."""
    instance = Instance(cls)
    init = cls.find("__init__")
    if isinstance(init, Function):
        interp.call_function(init, [instance, *args], kwargs, site.line)
    elif cls.fields:
        for index, name in enumerate(cls.fields):
            if index < len(args):
                instance.attrs[name] = args[index]
            elif name in kwargs:
                instance.attrs[name] = kwargs[name]
    return instance


def get_attr(interp: Interpreter, obj: Instance | LocalClass, name: str,
             node: ast.expr) -> object:
    """``instance.name`` / ``Class.name``; methods bind, properties run."""
    if isinstance(obj, Instance) and name in obj.attrs:
        return obj.attrs[name]
    cls = obj.cls if isinstance(obj, Instance) else obj
    value = cls.find(name)
    if value is None:
        if isinstance(obj, LocalClass) and obj.is_operator and name == "partial":
            return BoundMethod(obj, name)
        return interp.unknown(node)
    if isinstance(value, Function):
        kind = _kind(value)
        if kind == "property" and isinstance(obj, Instance):
            return interp.call_function(value, [obj], {}, interp.line)
        if kind == "staticmethod" or (kind == "method" and isinstance(obj, LocalClass)):
            return value
        return BoundMethod(obj, name)
    return value


def call_method(interp: Interpreter, obj: Instance | LocalClass, name: str,
                args: list[object], kwargs: dict[str, object], site: CallSite) -> object:
    """Call a bound method: ``self`` (or ``cls`` for classmethods) comes first."""
    cls = obj.cls if isinstance(obj, Instance) else obj
    fn = cls.find(name)
    if not isinstance(fn, Function):
        return interp.unknown(site.node)
    first: object = cls if _kind(fn) == "classmethod" else obj
    return interp.call_function(fn, [first, *args], kwargs, site.line)
