"""The UI over Airflow DAG files: tasks as assets, where they are defined, DAG launches."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bridge.storage import SqlStore
from bridge.ui import create_app, load_project

pytestmark = pytest.mark.airflow

DAGS = Path(__file__).resolve().parents[2] / "examples" / "airflow_dags"


def test_dag_tasks_are_graph_nodes_with_their_dag_and_file_line(tmp_path: Path) -> None:
    project = load_project([str(DAGS)])
    store = SqlStore(f"sqlite:///{tmp_path / 'runs.db'}")
    app = create_app(project, store, home=tmp_path)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        graph = client.get("/").text
        node_keys = re.findall(r'class="node" href="[^"]*" data-key="([^"]+)"', graph)
        keys = {html.unescape(k) for k in node_keys}
        assert keys == {str(k) for k in project.keys}
        assert {"report", "warehouse", "billing", "audit"} <= set(
            re.findall(r'class="band-label"[^>]*>([^<]+)<', graph))
        spec = project.sources[0].graph.spec("report/build")
        page = client.get("/assets/report/build").text
        shown = Path(spec.metadata["file"]).resolve().relative_to(Path.cwd())
        assert f"{shown}:{spec.metadata['line']}" in page
        assert "Airflow task" in page and "<dd>report</dd>" in page

        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"',
                          client.get("/launchpad").text)
        assert token is not None
        launched = client.post("/launch", data={"csrf_token": token.group(1), "source": "0",
                                                "selection": "+report/build"},
                               follow_redirects=False)
        assert launched.status_code == 303
        where = launched.headers["location"]
        assert where.startswith("/launches/")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            followed = client.get(where, follow_redirects=False)
            if followed.status_code == 303:
                break
            assert "failed" not in followed.text, followed.text
            time.sleep(0.1)
        run_url = followed.headers["location"]
        for _ in range(600):
            body = client.get(run_url + "/fragment").text
            if 'data-polling="false"' in body:
                break
            time.sleep(0.1)
        assert 'data-status="success"' in body
        # the DAG's tasks, after what triggers the DAG (as translate draws it)
        assert set(re.findall(r'<tr class="outcome-success" data-key="([^"]+)"', body)) == {
            "report/start", "report/build", "warehouse/kick_report", "orders",
            "warehouse/transform.clean", "warehouse/extract"}
    store.close()
