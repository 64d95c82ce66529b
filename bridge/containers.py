"""Container tasks: one definition of a containerised job, run by whatever runner you pass.

A :class:`ContainerTask` holds what a pod or ``docker run`` needs (image, command,
arguments, environment, secrets, resources) and declares its run-time inputs as typed
parameters (:class:`ContextValue`) instead of Jinja strings: an argument
``"--day=${ds}"`` with ``params={"ds": context_value("ds")}`` receives a ``date``.

Where it runs is a resource: in Airflow the pod operator
(``translators.containers_airflow.pod_arguments`` turns the definition back into the
operator's arguments, so the pod is the one it always was); locally
:class:`SubprocessContainerRunner` (the command on this machine), a docker runner or a fake
(``translators.execution``). ``assetbridge codemod kpo-portable`` writes these definitions
from ``KubernetesPodOperator`` calls. Nothing here imports Airflow.

Examples:
    >>> from datetime import date
    >>> task = ContainerTask(image="etl:1", command=("python", "-m", "etl"),
    ...                      arguments=("--day=${ds}", "--limit=${limit}"),
    ...                      params={"ds": context_value("ds"),
    ...                              "limit": context_value("params.limit")})
    >>> task.render("extract", ds=date(2024, 5, 17), limit=10).arguments
    ('--day=2024-05-17', '--limit=10')
    >>> task.templates()["arguments"]
    ['--day={{ ds }}', '--limit={{ params.limit }}']
"""

from __future__ import annotations

import os
import re
import string
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol

from bridge.errors import DefinitionError

__all__ = ["ContainerCall", "ContainerOutcome", "ContainerResources", "ContainerTask",
           "ContextValue", "SecretRef", "SubprocessContainerRunner", "context_value",
           "context_values"]

Kind = Literal["date", "datetime", "text"]

#: the Airflow context values a parameter can stand for: kind and how a value is written
_KNOWN: dict[str, tuple[Kind, str]] = {
    "ds": ("date", "%Y-%m-%d"),
    "ds_nodash": ("date", "%Y%m%d"),
    "logical_date": ("datetime", ""),
    "ts": ("datetime", "iso"),
    "ts_nodash": ("datetime", "%Y%m%dT%H%M%S"),
    "data_interval_start": ("datetime", ""),
    "data_interval_end": ("datetime", ""),
}
_INTERVAL = ("data_interval_start", "data_interval_end")
#: Airflow's date filters, applied to a datetime value (``{{ data_interval_end | ds }}``, as
#: ``assetbridge codemod airflow3`` writes for the removed ``next_ds``)
_FILTERS: dict[str, tuple[Kind, str]] = {
    "ds": ("date", "%Y-%m-%d"),
    "ds_nodash": ("date", "%Y%m%d"),
    "ts": ("datetime", "iso"),
    "ts_nodash": ("datetime", "%Y%m%dT%H%M%S"),
}
_FILTERED = re.compile(r"\s*(\w+)\s*\|\s*(\w+)\s*")
#: Airflow's ``macros.ds_add(DS, DAYS)`` on a ``YYYY-MM-DD`` value (``ds``, ``X | ds``)
_DS_ADD = re.compile(r"\s*macros\.ds_add\(\s*\(?([^()]*?)\)?\s*,\s*([-+]?\d+)\s*\)\s*")


@dataclass(frozen=True)
class ContextValue:
    """A typed parameter that Airflow fills from its template context.

    Use :func:`context_value` to build one.
    """

    #: the context expression: ``ds``, ``logical_date``, ``params.limit``, ...
    source: str
    #: ``date`` / ``datetime`` values are formatted as Airflow renders them; ``text`` is str()
    kind: Kind = "text"
    #: strftime format, ``iso`` for ``isoformat()``, empty for ``str()``
    fmt: str = ""
    #: days ``macros.ds_add`` adds to the context value
    days: int = 0

    @property
    def base(self) -> str:
        """The context value itself, without a filter or macro (``data_interval_end``)."""
        added = _DS_ADD.fullmatch(self.source)
        return (added[1] if added else self.source).split("|")[0].strip()

    def of(self, known: Mapping[str, Any]) -> Any:
        """This parameter's value in a run whose context values are ``known`` (by base)."""
        value = known[self.base]
        return value + timedelta(days=self.days) if self.days else value

    def template(self) -> str:
        """The Jinja expression Airflow renders for this value (``{{ ds }}``)."""
        return "{{ " + self.source + " }}"

    def write(self, value: Any) -> str:
        """``value`` as Airflow's template would have written it."""
        if isinstance(value, str) or self.kind == "text":
            return str(value)
        if not isinstance(value, date):
            raise DefinitionError(f"parameter {self.source!r} takes a {self.kind}, got "
                                  f"{value!r}; pass a datetime.{self.kind}")
        if self.fmt == "iso":
            return value.isoformat()
        return value.strftime(self.fmt) if self.fmt else str(value)


def context_value(source: str) -> ContextValue:
    """The typed parameter for a context expression (``ds``, ``ts``, ``params.x``, a
    datetime value through one of Airflow's date filters: ``data_interval_end | ds``, or
    ``macros.ds_add`` of a ``YYYY-MM-DD`` value: ``macros.ds_add(ds, -7)``).

    Raises:
        DefinitionError: ``source`` is not a context value this module knows.

    Examples:
        >>> context_value("ds").kind, context_value("params.limit").kind
        ('date', 'text')
        >>> context_value("data_interval_end|ds_nodash").template()
        '{{ data_interval_end | ds_nodash }}'
        >>> context_value("macros.ds_add(ds, -7)").days
        -7
    """
    if source in _KNOWN:
        kind, fmt = _KNOWN[source]
        return ContextValue(source, kind, fmt)
    if source.startswith("params.") and source[7:].isidentifier():
        return ContextValue(source)
    added = _DS_ADD.fullmatch(source)
    if added:
        day = context_value(added[1])
        if day.fmt == _KNOWN["ds"][1]:  # ds, or a datetime through the ds filter
            inner = day.source if day.source == "ds" else f"({day.source})"
            return ContextValue(f"macros.ds_add({inner}, {int(added[2])})", "date", day.fmt,
                                days=int(added[2]))
    filtered = _FILTERED.fullmatch(source)
    if filtered and filtered[1] in _KNOWN and _KNOWN[filtered[1]][0] == "datetime" and \
            filtered[2] in _FILTERS:
        kind, fmt = _FILTERS[filtered[2]]
        return ContextValue(f"{filtered[1]} | {filtered[2]}", kind, fmt)
    datetimes = "|".join(name for name, (kind, _) in _KNOWN.items() if kind == "datetime")
    known = ", ".join([*_KNOWN, "params.<name>", f"<{datetimes}> | <{'|'.join(_FILTERS)}>",
                       "macros.ds_add(<ds|... | ds>, <days>)"])
    raise DefinitionError(f"unknown context value {source!r}; known: {known}")


def context_values(logical_date: datetime, params: Mapping[str, Any] | None = None, *,
                   data_interval: tuple[datetime, datetime] | None = None) -> dict[str, Any]:
    """The values of every known source for one run, keyed by source (``params.x`` too);
    ``data_interval_*`` only when ``data_interval`` is given (it depends on the schedule).

    Examples:
        >>> sorted(context_values(datetime(2024, 5, 17), {"limit": 3}))
        ['ds', 'ds_nodash', 'logical_date', 'params.limit', 'ts', 'ts_nodash']
    """
    out: dict[str, Any] = {name: logical_date for name in _KNOWN if name not in _INTERVAL}
    if data_interval is not None:
        out.update(zip(_INTERVAL, data_interval, strict=True))
    out.update({f"params.{key}": value for key, value in (params or {}).items()})
    return out


@dataclass(frozen=True)
class SecretRef:
    """A Kubernetes secret exposed to the container (``deploy_type`` ``env`` or ``volume``)."""

    deploy_type: str
    #: the environment variable or the mount path; None exposes every key
    deploy_target: str | None
    secret: str
    key: str | None = None


@dataclass(frozen=True)
class ContainerResources:
    """Resource requests and limits (Kubernetes quantities: ``{"cpu": "500m"}``)."""

    requests: Mapping[str, Any] = field(default_factory=dict)
    limits: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ContainerCall:
    """One rendered run of a container task (what a runner receives)."""

    task_id: str
    image: str
    command: tuple[str, ...] = ()
    arguments: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    dag_id: str = ""
    operator: str = "ContainerTask"
    name: str | None = None
    namespace: str | None = None
    map_index: int = -1


@dataclass(frozen=True)
class ContainerOutcome:
    """What a local run produced (the shape of ``translators.execution.ContainerResult``)."""

    exit_code: int = 0
    logs: str = ""
    xcom: Any = None


class ContainerRunnerLike(Protocol):
    """Anything with ``run(call)``: the runners of ``translators.execution`` qualify."""

    def run(self, spec: Any) -> Any:
        """Run one container call to completion."""


@dataclass(frozen=True)
class ContainerTask:
    """A containerised job: image, command, arguments, environment and typed parameters.

    ``${name}`` in the command, the arguments and the environment values is replaced by
    parameter ``name`` (``$$`` is a literal ``$``).
    """

    image: str
    command: tuple[str, ...] = ()
    arguments: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    secrets: tuple[SecretRef, ...] = ()
    resources: ContainerResources | None = None
    params: Mapping[str, ContextValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for text in (*self.command, *self.arguments, *self.env.values()):
            for name in _placeholders(text):
                if name not in self.params:
                    raise DefinitionError(f"container task uses ${{{name}}} but declares no "
                                          f"parameter {name!r}; add it to params=")

    def templates(self) -> dict[str, Any]:
        """Command, arguments and env with each parameter as its Airflow template."""
        jinja = {name: value.template() for name, value in self.params.items()}
        return {"command": [_fill(t, jinja) for t in self.command],
                "arguments": [_fill(t, jinja) for t in self.arguments],
                "env": {k: _fill(v, jinja) for k, v in self.env.items()}}

    def render(self, task_id: str, /, **values: Any) -> ContainerCall:
        """The call for one run, with every parameter given as a typed value.

        Raises:
            DefinitionError: a parameter has no value.
        """
        missing = sorted(set(self.params) - set(values))
        if missing:
            raise DefinitionError(f"container task {task_id!r} needs values for "
                                  f"{', '.join(missing)}")
        text = {name: self.params[name].write(values[name]) for name in self.params}
        return ContainerCall(task_id=task_id, image=self.image,
                             command=tuple(_fill(t, text) for t in self.command),
                             arguments=tuple(_fill(t, text) for t in self.arguments),
                             env={k: _fill(v, text) for k, v in self.env.items()})

    def render_for(self, task_id: str, logical_date: datetime, /,
                   params: Mapping[str, Any] | None = None, *,
                   data_interval: tuple[datetime, datetime] | None = None) -> ContainerCall:
        """The call for the run at ``logical_date`` (values as Airflow's context has them)."""
        known = context_values(logical_date, params, data_interval=data_interval)
        return self.render(task_id, **{name: value.of(known)
                                       for name, value in self.params.items()
                                       if value.base in known})

    def run(self, runner: ContainerRunnerLike, task_id: str, /, **values: Any) -> Any:
        """Render with ``values`` and hand the call to ``runner`` (its result is returned)."""
        return runner.run(self.render(task_id, **values))


class SubprocessContainerRunner:
    """Runs the command and arguments on this machine (the image is not used).

    For jobs whose code is installed locally: ``cwd`` and extra ``env`` apply to every run.
    """

    def __init__(self, *, cwd: str | None = None, env: Mapping[str, str] | None = None) -> None:
        self.cwd = cwd
        self.env = dict(env or {})

    def run(self, spec: Any) -> ContainerOutcome:
        """Run ``spec.command + spec.arguments`` with ``spec.env`` added to the environment."""
        argv = [*spec.command, *spec.arguments]
        if not argv:
            raise DefinitionError(f"{spec.task_id!r} has no command to run locally; give the "
                                  "container task a command")
        done = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=self.cwd,
                              env={**os.environ, **self.env, **dict(spec.env)})
        return ContainerOutcome(done.returncode, done.stdout + done.stderr)


def _placeholders(text: str) -> list[str]:
    found = []
    for _, named, braced, _ in string.Template.pattern.findall(text):
        if named or braced:
            found.append(named or braced)
    return found


def _fill(text: str, values: Mapping[str, str]) -> str:
    return string.Template(text).substitute(values)
