"""inspect_function: which parameters are inputs, which receive context and config."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pydantic import BaseModel

from bridge._inference import CONFIG_PARAM, CONTEXT_PARAM, Param, inspect_function
from bridge.errors import DefinitionError
from tests.bridge._fixture_modules import load_fixture


class Thresholds(BaseModel):
    minimum: int = 0


def test_special_parameter_names() -> None:
    assert (CONTEXT_PARAM, CONFIG_PARAM) == ("context", "config")


def test_plain_parameters_become_params_in_order() -> None:
    def revenue(orders: list[int], fx: float = 1.5, *, region: str = "eu") -> float:
        return sum(orders) * fx

    found = inspect_function(revenue, asset_name="revenue")
    assert found.params == (
        Param("orders", has_default=False, default=None, annotation="list[int]"),
        Param("fx", has_default=True, default=1.5, annotation="float"),
        Param("region", has_default=True, default="eu", annotation="str"),
    )
    assert found.wants_context is False
    assert found.config_model is None


def test_a_default_of_none_still_counts_as_a_default() -> None:
    def report(discounts=None, orders=None): ...

    found = inspect_function(report, asset_name="report")
    assert [(p.name, p.has_default, p.default) for p in found.params] == [
        ("discounts", True, None), ("orders", True, None),
    ]


def test_missing_annotation_is_recorded_as_empty() -> None:
    import inspect

    def orders(raw): ...

    (param,) = inspect_function(orders, asset_name="orders").params
    assert param.annotation is inspect.Parameter.empty
    assert param.has_default is False


def test_no_parameters() -> None:
    found = inspect_function(lambda: 1, asset_name="one")
    assert found.params == ()
    assert not found.wants_context
    assert found.config_model is None


def test_context_is_never_an_input() -> None:
    def orders(context: Any, raw: list[int]) -> list[int]:
        return raw

    found = inspect_function(orders, asset_name="orders")
    assert found.wants_context is True
    assert [p.name for p in found.params] == ["raw"]


def test_context_may_come_anywhere_and_need_no_annotation() -> None:
    def orders(raw, context=None): ...

    found = inspect_function(orders, asset_name="orders")
    assert found.wants_context is True
    assert [p.name for p in found.params] == ["raw"]


def test_config_annotated_with_a_pydantic_model() -> None:
    def orders(context: Any, config: Thresholds, raw: list[int]) -> list[int]:
        return [r for r in raw if r >= config.minimum]

    found = inspect_function(orders, asset_name="orders")
    assert found.config_model is Thresholds
    assert found.wants_context is True
    assert [p.name for p in found.params] == ["raw"]


def test_config_model_from_a_module_with_future_annotations() -> None:
    module = load_fixture("bad_config_annotation")
    found = inspect_function(module.good, asset_name="good")
    assert found.config_model is module.Settings
    assert found.params == ()


@pytest.mark.parametrize(
    ("function", "shown"),
    [
        ("config_is_dict", r"dict\[str, int\]"),
        ("config_is_unannotated", "None"),
        ("config_is_optional_model", "Settings | None"),
    ],
)
def test_config_must_be_a_pydantic_model(function: str, shown: str) -> None:
    module = load_fixture("bad_config_annotation")
    with pytest.raises(
        DefinitionError,
        match=rf"asset 'sales/{function}': parameter 'config' must be annotated with a "
        rf"pydantic BaseModel subclass, not .*{shown}",
    ):
        inspect_function(getattr(module, function), asset_name=f"sales/{function}")


def test_unresolvable_config_annotation() -> None:
    module = load_fixture("bad_config_annotation")
    with pytest.raises(
        DefinitionError,
        match=r"asset 'x': cannot resolve the annotation of 'config' .*Decimal.*"
        r"import the config model at module level",
    ) as caught:
        inspect_function(module.config_is_unresolvable, asset_name="x")
    assert isinstance(caught.value.__cause__, NameError)


def test_config_annotated_with_a_plain_class_is_rejected() -> None:
    class NotPydantic:
        pass

    def orders(config: NotPydantic) -> int:
        return 1

    orders.__annotations__["config"] = NotPydantic  # resolved object, not a string
    with pytest.raises(DefinitionError, match="must be annotated with a pydantic BaseModel"):
        inspect_function(orders, asset_name="orders")


@pytest.mark.parametrize("kind", ["args", "kwargs"])
def test_star_parameters_are_rejected(kind: str) -> None:
    def with_args(orders, *rows): ...

    def with_kwargs(orders, **options): ...

    function, name = (with_args, "rows") if kind == "args" else (with_kwargs, "options")
    with pytest.raises(
        DefinitionError, match=rf"asset 'orders' takes \*{name}; asset functions need named"
    ):
        inspect_function(function, asset_name="orders")


def test_results_are_immutable() -> None:
    found = inspect_function(lambda orders: orders, asset_name="x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.wants_context = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.params[0].name = "other"  # type: ignore[misc]
