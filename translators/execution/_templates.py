"""One Jinja environment per DAG, with compiled templates kept.

Airflow builds a new environment (``dag.get_template_env()``) for every task instance and
compiles every templated string again on every render; an in-process run renders the same
DAG's templates over and over (each task, map index, retry and logical date), so it keeps
the environment of each DAG object and the templates compiled from source strings.
Rendering is unchanged: the same environment settings, the same template objects Jinja
would compile, rendered with each instance's own context.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

__all__ = ["template_env"]

_ENVS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
#: compiled templates kept per environment, at most (oldest dropped first)
_MAX_TEMPLATES = 4096


def template_env(dag: Any) -> Any:
    """``dag.get_template_env()``, built once per DAG object, compiling each source once."""
    with _LOCK:
        env = _ENVS.get(dag)
        if env is None:
            env = dag.get_template_env()
            _keep_compiled(env)
            _ENVS[dag] = env
        return env


def _keep_compiled(env: Any) -> None:
    compile_template = env.from_string
    compiled: dict[str, Any] = {}

    def from_string(source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return compile_template(source, globals, template_class)
        template = compiled.get(source)
        if template is None:
            template = compile_template(source)
            with _LOCK:
                if len(compiled) >= _MAX_TEMPLATES:
                    compiled.pop(next(iter(compiled)))
                compiled[source] = template
        return template

    env.from_string = from_string
