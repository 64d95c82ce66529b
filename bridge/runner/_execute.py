"""Executing one step: load inputs, call user code (with retries), store outputs."""

from __future__ import annotations

import contextlib
import hashlib
import io
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bridge._keys import AssetKey
from bridge._partitions import PartitionsDefinition
from bridge._spec import AssetSpec
from bridge.errors import AssetExecutionError, BridgeError, DefinitionError
from bridge.io import InputContext, IOManager, OutputContext, StoredOutput
from bridge.runner._context import AssetContext, AssetLog
from bridge.runner._control import SkipAsset
from bridge.runner._plan import Step

__all__ = ["Consumed", "StepOutcome", "execute_step"]


@dataclass(frozen=True, slots=True)
class Consumed:
    """The upstream materialization a step read (for provenance and staleness)."""

    run_id: str
    timestamp: float
    data_version: str | None
    partition: str | None

    def to_json(self) -> dict[str, Any]:
        """The JSON stored in an event's ``upstream`` map."""
        return {"run_id": self.run_id, "timestamp": self.timestamp,
                "data_version": self.data_version, "partition": self.partition}


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """What executing a step produced."""

    ok: bool
    seconds: float
    attempts: int
    logs: str | None
    #: per output key: what its I/O manager reported
    stored: dict[AssetKey, StoredOutput]
    error: str | None = None
    traceback: str | None = None
    #: the error (an AssetExecutionError wrapping user exceptions, cause chained)
    exception: BridgeError | None = None
    #: the function raised SkipAsset: the step ends as skipped, with ``error`` as reason
    skipped: bool = False
    #: downstream keys the step asked to skip (context.skip_downstream)
    skip_downstream: tuple[AssetKey, ...] = ()


@dataclass(frozen=True, slots=True)
class StepEnv:
    """What a step needs from the run around it."""

    run_id: str
    specs: Mapping[AssetKey, AssetSpec]
    io_managers: Mapping[AssetKey, IOManager]
    #: the materialized partitions of a partitioned upstream key (for partition fan-in)
    partitions_of: Callable[[AssetKey], list[str]]
    capture_output: bool


def execute_step(step: Step, env: StepEnv) -> StepOutcome:
    """Run one step; user errors become a failed outcome, never an exception."""
    log = AssetLog(str(step.definition.key))
    started = time.perf_counter()
    policy = step.specs[0].retry
    attempts = 1 + (policy.max_retries if policy else 0)
    for attempt in range(1, attempts + 1):
        skips: list[AssetKey] = []
        try:
            value = _call(step, env, log, attempt, skips)
            stored = _store(step, env, value)
        except SkipAsset as exc:
            log.info("skipped: %s", exc)
            return StepOutcome(False, time.perf_counter() - started, attempt, log.text(), {},
                               f"skipped: {exc}" if str(exc) else "skipped", skipped=True)
        except BridgeError as exc:  # our own, already clear (missing input, bad output)
            return _failed(started, attempt, log, exc, exc)
        except Exception as exc:
            wrapped = AssetExecutionError(str(step.definition.key), exc)
            wrapped.__cause__ = exc
            if attempt < attempts and policy is not None:
                log.warning("attempt %d failed: %s; retrying", attempt, exc)
                time.sleep(policy.delay_for(attempt))
                continue
            return _failed(started, attempt, log, wrapped, exc)
        return StepOutcome(True, time.perf_counter() - started, attempt, log.text(), stored,
                           skip_downstream=tuple(skips))
    raise AssertionError("unreachable")  # pragma: no cover


def _failed(started: float, attempt: int, log: AssetLog, error: BridgeError,
            exc: BaseException) -> StepOutcome:
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("%s", error)
    return StepOutcome(False, time.perf_counter() - started, attempt, log.text(), {},
                       str(error), trace, error)


def _call(step: Step, env: StepEnv, log: AssetLog, attempt: int,
          skips: list[AssetKey]) -> Any:
    definition = step.definition
    kwargs: dict[str, Any] = dict(step.resources)
    for param in definition.signature.params:
        upstream = step.inputs.get(param.name)
        if upstream is not None:
            kwargs[param.name] = load_upstream(step, env, upstream, param.annotation)
    if definition.signature.wants_context:
        kwargs["context"] = AssetContext(definition.key, step.specs[0], env.run_id,
                                         step.partition, step.config, log, attempt,
                                         skipped_downstream=skips)
    if step.config is not None:
        kwargs["config"] = step.config
    assert definition.fn is not None
    if not env.capture_output:
        return definition.fn(**kwargs)
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            return definition.fn(**kwargs)
    finally:
        for line in buffer.getvalue().splitlines():
            log.info("%s", line)


def load_upstream(step: Step, env: StepEnv, key: AssetKey, annotation: Any) -> Any:
    """The value of upstream ``key`` for this step (a dict of partitions on fan-in)."""
    spec = env.specs[key]
    manager = env.io_managers[key]
    partitions = spec.partitions
    if partitions is None:
        return manager.load_input(InputContext(key, spec, None, step.definition.key, annotation))
    if step.partition is not None and _contains(partitions, step.partition):
        return manager.load_input(
            InputContext(key, spec, step.partition, step.definition.key, annotation))
    return {
        partition: manager.load_input(
            InputContext(key, spec, partition, step.definition.key, annotation))
        for partition in env.partitions_of(key)
    }


def _contains(partitions: PartitionsDefinition, key: str) -> bool:
    try:
        partitions.validate(key)
    except BridgeError:
        return False
    return True


def _store(step: Step, env: StepEnv, value: Any) -> dict[AssetKey, StoredOutput]:
    outputs = _split_outputs(step, value)
    stored: dict[AssetKey, StoredOutput] = {}
    for spec, output in zip(step.specs, outputs, strict=True):
        context = OutputContext(spec.key, spec, step.partition, env.run_id)
        result = env.io_managers[spec.key].handle_output(context, output)
        stored[spec.key] = result if result is not None else StoredOutput(_cheap_version(output))
    return stored


def _split_outputs(step: Step, value: Any) -> list[Any]:
    if len(step.specs) == 1:
        return [value]
    if not isinstance(value, Mapping):
        raise DefinitionError(
            f"multi-asset {str(step.definition.key)!r} returned {type(value).__name__}; "
            "return a dict keyed by each output's key or name"
        )
    outputs = []
    for spec in step.specs:
        for name in (str(spec.key), spec.key.name):
            if name in value:
                outputs.append(value[name])
                break
        else:
            raise DefinitionError(
                f"multi-asset {str(step.definition.key)!r} returned no value for "
                f"{str(spec.key)!r}; returned keys: {sorted(map(str, value))}"
            )
    return outputs


def _cheap_version(value: Any) -> str | None:
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        text = value if isinstance(value, bytes) else repr(value).encode()
        return hashlib.sha256(text).hexdigest()[:16]
    return None
