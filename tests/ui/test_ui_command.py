"""``assetbridge ui`` as a command: help, and one-line errors before serving."""

from __future__ import annotations

import socket

from click.testing import CliRunner

from bridge.cli import cli


def test_help_says_what_it_serves_and_where() -> None:
    result = CliRunner().invoke(cli, ["ui", "--help"])
    assert result.exit_code == 0
    assert "asset graph" in result.output and "launchpad" in result.output
    assert "[default: 127.0.0.1]" in result.output and "[default:" in result.output


def test_a_busy_port_is_a_one_line_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["ui", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


def test_a_missing_target_is_a_one_line_error() -> None:
    result = CliRunner().invoke(cli, ["ui", "no/such/assets.py"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == ["error: no/such/assets.py: no such file or folder"]
