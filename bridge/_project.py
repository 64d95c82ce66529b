"""The project file: environments and the resources each one provides.

``assetbridge.toml`` (or ``[tool.assetbridge]`` in ``pyproject.toml``)::

    default_env = "dev"

    [env.dev.resources]
    warehouse = { factory = "resources:SqliteWarehouse", args = { path = "dev.db" } }

    [env.prod.resources]
    warehouse = { factory = "resources:PostgresWarehouse", args = { url = "${WAREHOUSE_URL}" } }

A factory is ``module:attr`` or ``file.py:attr`` (relative to the project file). It is
called with ``args``; ``${VAR}`` in string args is read from the environment
(``${ASSETBRIDGE_HOME}`` defaults to ``.assetbridge``). A generator
factory is set up before the run and torn down after it, like a pytest fixture.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import string
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bridge.errors import ProjectFileError, ResourceError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Project", "ResourceSpec", "find_project", "open_resources"]


class ResourceSpec(BaseModel):
    """How to build one resource."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    factory: str
    args: dict[str, Any] = Field(default_factory=dict)


class Environment(BaseModel):
    """The resources of one environment (dev, test, prod...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    resources: dict[str, ResourceSpec] = Field(default_factory=dict)


class Project(BaseModel):
    """A parsed project file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default_env: str = "dev"
    env: dict[str, Environment] = Field(default_factory=dict)
    #: the folder the project file is in (factories and paths are relative to it)
    root: Path = Path(".")
    source: str | None = None

    def environment(self, name: str | None) -> tuple[str, Environment]:
        """The environment called ``name`` (default: ``default_env``)."""
        chosen = name or self.default_env
        if chosen in self.env:
            return chosen, self.env[chosen]
        if name is None or not self.env:
            if name is not None and self.source is None:
                raise ProjectFileError(
                    f"environment {name!r} is not defined: there is no assetbridge.toml; "
                    "create one with [env.NAME.resources]"
                )
            return chosen, Environment()
        raise ProjectFileError(
            f"{self.source}: environment {chosen!r} is not defined; defined: "
            f"{', '.join(sorted(self.env))}"
        )


def find_project(start: Path) -> Project:
    """The project file in ``start`` or its parents, or an empty project."""
    for folder in [start.resolve(), *start.resolve().parents]:
        toml_file = folder / "assetbridge.toml"
        if toml_file.is_file():
            return _parse(toml_file, _read(toml_file))
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _read(pyproject).get("tool", {}).get("assetbridge")
            if table is not None:
                return _parse(pyproject, table)
    return Project(root=start.resolve())


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ProjectFileError(f"{path}: invalid TOML: {exc}") from None


def _parse(path: Path, table: dict[str, Any]) -> Project:
    try:
        return Project.model_validate({**table, "root": path.parent, "source": str(path)})
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise ProjectFileError(f"{path}: {where}: {error['msg']}") from None


@contextlib.contextmanager
def open_resources(project: Project, env_name: str | None) -> Iterator[dict[str, Any]]:
    """Build the resources of an environment; tear down generator factories afterwards."""
    name, environment = project.environment(env_name)
    with contextlib.ExitStack() as stack:
        built: dict[str, Any] = {}
        for key, spec in environment.resources.items():
            factory = _resolve(project.root, key, spec.factory, name)
            args = {k: _expand(v, key, name) if isinstance(v, str) else v
                    for k, v in spec.args.items()}
            try:
                value = factory(**args)
                if inspect.isgenerator(value):
                    generator = value
                    value = next(generator)
                    stack.callback(_close, generator)
            except Exception as exc:
                raise ResourceError(
                    f"resource {key!r} of environment {name!r}: {spec.factory}(...) failed: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            built[key] = value
        yield built


def _expand(value: str, resource: str, env: str) -> str:
    home = os.environ.get("ASSETBRIDGE_HOME", ".assetbridge")
    try:
        return string.Template(value).substitute({**os.environ, "ASSETBRIDGE_HOME": home})
    except KeyError as missing:
        raise ProjectFileError(
            f"resource {resource!r} of environment {env!r} needs the environment variable "
            f"{missing.args[0]}, which is not set; export it or change assetbridge.toml"
        ) from None
    except ValueError as exc:
        raise ProjectFileError(f"resource {resource!r} of environment {env!r}: bad ${{...}} "
                               f"in {value!r}: {exc}; write $$ for a literal $") from None


def _close(generator: Iterator[Any]) -> None:
    with contextlib.suppress(StopIteration):
        next(generator)


def _resolve(root: Path, key: str, factory: str, env: str) -> Any:
    module_name, _, attr = factory.partition(":")
    if not attr:
        raise ProjectFileError(f"resource {key!r} of environment {env!r}: factory {factory!r} "
                               "must look like 'module:attr' or 'file.py:attr'")
    try:
        if module_name.endswith(".py"):
            from bridge._loading import _import_file

            module = _import_file(root / module_name)
        else:
            if str(root) not in sys.path:
                sys.path.insert(0, str(root))
            module = importlib.import_module(module_name)
        return getattr(module, attr)
    except (ImportError, AttributeError) as exc:
        raise ResourceError(f"resource {key!r} of environment {env!r}: cannot load factory "
                            f"{factory!r}: {exc}") from exc
