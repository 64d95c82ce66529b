"""Runs in one process reuse loaded DAGs and compiled templates, and nothing of one run
leaks into the next: other dates render their own values, an edited file is read again."""

from __future__ import annotations

from pathlib import Path

from translators.execution import ExecutionSettings, run_dags

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exec"
SETTINGS = ExecutionSettings(variables={"bucket": "raw-zone"})
EDITABLE = """\
import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG(dag_id="editable", schedule=None, start_date=pendulum.datetime(2025, 1, 1, tz="UTC")):
    BashOperator(task_id="say", bash_command="echo {word} {{{{ ds }}}}")
"""


def test_each_logical_date_renders_its_own_templates() -> None:
    for day in ("2026-01-02", "2026-03-04", "2026-01-02"):
        result = run_dags(FIXTURES / "bash_dag.py", logical_date=day, settings=SETTINGS)
        stamp = day.replace("-", "")
        assert result.xcom("templated").split()[1] == day
        assert result.xcom("templated").endswith(f"hello-{stamp}")
        assert result.xcom("generated").endswith(f"hello-{stamp}")


def test_a_loaded_dag_is_not_changed_by_running_it() -> None:
    from translators._airflow_env import airflow_environment
    from translators.execution._loading import load_dags

    run_dags(FIXTURES / "bash_dag.py", logical_date="2026-01-02", settings=SETTINGS)
    with airflow_environment():
        (dag,), _ = load_dags([FIXTURES / "bash_dag.py"])
    assert dag.get_task("templated").bash_command.startswith("echo {{ params.table }}")
    assert dag.get_task("templated").env == {"GREETING": "hello-{{ ds_nodash }}"}


def test_an_edited_dag_file_is_loaded_again(tmp_path: Path) -> None:
    dag_file = tmp_path / "editable.py"
    dag_file.write_text(EDITABLE.format(word="before"))
    assert run_dags(dag_file, logical_date="2026-01-02").xcom("say") == "before 2026-01-02"
    dag_file.write_text(EDITABLE.format(word="after!"))  # same size, same second
    assert run_dags(dag_file, logical_date="2026-01-02").xcom("say") == "after! 2026-01-02"


def test_reload_dags_imports_the_file_again() -> None:
    from translators._airflow_env import airflow_environment
    from translators.execution._loading import load_dags

    path = [FIXTURES / "bash_dag.py"]
    with airflow_environment():
        (first,), _ = load_dags(path)
        (again,), _ = load_dags(path)
        (fresh,), _ = load_dags(path, reload=True)
    assert again is first
    assert fresh is not first


def test_the_asset_graph_of_unchanged_dags_is_built_once() -> None:
    from translators._airflow_env import airflow_environment
    from translators.execution._assets import dag_assets
    from translators.execution._loading import load_dags
    from translators.translator import AirflowTranslator

    with airflow_environment():
        dags, _ = load_dags([FIXTURES / "bash_dag.py"])
        again, _ = load_dags([FIXTURES / "bash_dag.py"])
        fresh, _ = load_dags([FIXTURES / "bash_dag.py"], reload=True)
    assert again[0] is dags[0] and fresh[0] is not dags[0]
    first = dag_assets(dags)
    assert [a.key for a in first] and all(
        a is b for a, b in zip(dag_assets(again), first, strict=True))
    assert not any(a is b for a, b in zip(dag_assets(fresh), first, strict=True))
    custom = AirflowTranslator()
    assert dag_assets(dags, custom)[0] is not first[0]  # another translator: built again
    assert dag_assets(dags, retry_delay=0)[0] is not first[0]
