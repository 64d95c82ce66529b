"""to_dot / to_mermaid: clusters per DAG, sources outside, every label escaped."""

from __future__ import annotations

import re

from translators.contract import AssetRecord
from translators.render import to_dot, to_mermaid

RECORDS = [
    AssetRecord("etl/extract", (), "etl", "extract", "etl"),
    AssetRecord("orders", ("etl/extract", "raw/events"), "etl", "load", "etl"),
    AssetRecord("raw/events", (), None, None, "external"),
    AssetRecord("report/build", ("orders",), "report", "build", "report"),
]

NASTY = 'a "quoted" <b>&amp; \\path\\ #1;`x`\nnext'


def test_dot_has_a_cluster_per_dag_sources_outside_and_sorted_edges() -> None:
    assert to_dot(RECORDS) == "\n".join([
        "digraph assets {",
        "  rankdir=LR;",
        "  node [shape=box, style=rounded];",
        "  subgraph cluster_0 {",
        "    label=<etl>;",
        "    n0 [label=<etl/extract>];",
        "    n1 [label=<orders>];",
        "  }",
        "  subgraph cluster_1 {",
        "    label=<report>;",
        "    n3 [label=<report/build>];",
        "  }",
        "  n2 [label=<raw/events>, shape=cylinder];",
        "  n0 -> n1;",
        "  n1 -> n3;",
        "  n2 -> n1;",
        "}",
        "",
    ])


def test_mermaid_has_a_subgraph_per_dag_and_cylinders_for_sources() -> None:
    assert to_mermaid(RECORDS) == "\n".join([
        "flowchart LR",
        '  subgraph g0 ["etl"]',
        '    n0["etl/extract"]',
        '    n1["orders"]',
        "  end",
        '  subgraph g1 ["report"]',
        '    n3["report/build"]',
        "  end",
        '  n2[("raw/events")]',
        "  n0 --> n1",
        "  n1 --> n3",
        "  n2 --> n1",
        "",
    ])


def test_dot_escapes_keys_and_dag_ids_in_html_labels() -> None:
    records = [AssetRecord(NASTY, (), 'dag "x" <y>', "t", "g")]
    text = to_dot(records)
    assert ("label=<a &quot;quoted&quot; &lt;b&gt;&amp;amp; &#92;path&#92; #1;`x`<br/>next>"
            in text)
    assert "label=<dag &quot;x&quot; &lt;y&gt;>;" in text
    for label in re.findall(r"label=<(.*?)>[;,\]]", text):
        bare = label.replace("<br/>", "")
        assert not set(bare) & set('<>"\\\n'), label


def test_mermaid_escapes_quotes_entities_and_newlines() -> None:
    records = [AssetRecord(NASTY, ("end",), 'dag "x"', "t", "g"),
               AssetRecord("end", (), None, None, "external")]
    text = to_mermaid(records)
    assert ('n0["a #quot;quoted#quot; #lt;b#gt;#amp;amp; \\path\\ #35;1;#96;x#96; next"]'
            in text)
    assert 'subgraph g0 ["dag #quot;x#quot;"]' in text
    assert 'n1[("end")]' in text and "n1 --> n0" in text
    for label in re.findall(r'\["(.*)"\]', text):
        assert '"' not in label
    assert len(text.splitlines()) == 6


def test_deps_without_a_record_are_still_drawn() -> None:
    records = [AssetRecord("d/t", ("elsewhere",), "d", "t", "d")]
    assert "  n1 [label=<elsewhere>, shape=cylinder];\n  n1 -> n0;" in to_dot(records)
    assert '  n1[("elsewhere")]\n  n1 --> n0' in to_mermaid(records)


def test_empty_graph() -> None:
    assert to_mermaid([]) == "flowchart LR\n"
    assert to_dot([]).startswith("digraph assets {")
