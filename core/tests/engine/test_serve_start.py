"""``pontes serve`` start-up and its log: the port is taken before anything says it is
serving, a missing admin token is warned about, and JSON log lines name each event."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import httpx
import pytest
import yaml
from engine_support import ServerProcess, free_port, ledger_config, server_env, wait_until
from pontes.cli import main


@pytest.fixture
def taken_port():
    """A loopback port another program is listening on."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    yield holder.getsockname()[1]
    holder.close()


def write_config(tmp_path, sandbox, port: int):
    path = tmp_path / "pontes.yaml"
    path.write_text(yaml.safe_dump(ledger_config(f"sqlite:///{tmp_path / 'pontes.db'}",
                                                 sandbox.url, f"http://127.0.0.1:{port}")))
    return path


def test_serve_on_a_port_in_use_fails_first_with_a_clear_message(tmp_path, sandbox, taken_port):
    config = write_config(tmp_path, sandbox, taken_port)
    result = subprocess.run(
        [sys.executable, "-m", "pontes.server", "--config", str(config),
         "--port", str(taken_port)],
        env=server_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert (f"cannot listen on 127.0.0.1:{taken_port}: the port is already in use "
            "(is another pontes running?); stop it or choose another port with --port"
            ) in result.stderr
    assert "serving" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_sandbox_on_a_port_in_use_fails_before_printing_its_address(capsys, taken_port):
    code = main(["sandbox", "movidesk", "--port", str(taken_port)])
    out, err = capsys.readouterr()
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{taken_port}: the port is already in use" in err
    assert "sandbox on" not in out


@pytest.mark.slow
def test_json_log_lines_name_each_event_when_received_and_when_done(tmp_path, sandbox):
    port = free_port()
    config = write_config(tmp_path, sandbox, port)
    server = ServerProcess(config, server_env(PONTES_LOG_FORMAT="json"), port,
                           tmp_path / "server.log").start()
    try:
        answer = httpx.post(server.hook_url(), json={"id": "log-1", "entity": "log", "n": 1},
                            timeout=30)
        assert answer.status_code < 300, answer.text
        settled = wait_until(server.settled, what="the event to run")
    finally:
        server.stop()
        server.admin.close()
    (event,) = [e for e in settled if e["status"] == "succeeded"]
    entries = [json.loads(line) for line in server.log().splitlines() if line.strip()]
    about = [e for e in entries if e.get("event_id") == event["id"]]
    received = [e for e in about if e["message"].startswith(f"received event {event['id']} ")]
    finished = [e for e in about if e.get("outcome") == "succeeded"]
    assert len(received) == 1 and received[0]["level"] == "INFO"
    assert received[0]["integration"] == "copy"
    assert len(finished) == 1 and finished[0]["level"] == "INFO"
    assert finished[0]["integration"] == "copy" and finished[0]["attempt"] == 1
    assert isinstance(finished[0]["duration_ms"], int)
    assert any(e["logger"].startswith("uvicorn") for e in entries)
    assert not any("PONTES_ADMIN_TOKEN" in e["message"] for e in entries)
    assert not any("Context impl" in e["message"] for e in entries)
    assert not any(e["logger"] == "httpx" for e in entries)


@pytest.mark.slow
def test_serve_warns_at_start_up_when_the_admin_token_is_unset(tmp_path, sandbox):
    port = free_port()
    config = write_config(tmp_path, sandbox, port)
    env = server_env()
    del env["PONTES_ADMIN_TOKEN"]
    server = ServerProcess(config, env, port, tmp_path / "server.log").start()
    server.stop()
    server.admin.close()
    warning = [line for line in server.log().splitlines() if "PONTES_ADMIN_TOKEN" in line]
    assert len(warning) == 1 and " WARNING pontes.server: PONTES_ADMIN_TOKEN is not set" \
        in warning[0]


@pytest.mark.slow
def test_the_first_serve_creates_the_installation_key_beside_the_config_and_says_where(
        tmp_path, sandbox):
    port = free_port()
    config = write_config(tmp_path, sandbox, port)
    env = server_env()
    del env["PONTES_SECRET_KEY"]
    key_file = tmp_path / ".pontes-secret-key"
    server = ServerProcess(config, env, port, tmp_path / "server.log").start()
    first_url = server.hook_url()
    server.stop()
    assert key_file.exists()
    assert f"created the installation key {key_file}" in server.log()
    key = key_file.read_bytes()
    again = ServerProcess(config, env, port, tmp_path / "again.log").start()
    try:
        assert again.hook_url() == first_url
    finally:
        again.stop()
        again.admin.close()
        server.admin.close()
    assert key_file.read_bytes() == key
    assert "created the installation key" not in again.log()
