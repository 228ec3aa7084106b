"""``pontes oauth exchange`` with the one-time code amoCRM shows a private integration's
administrator (the sandbox's "Keys and scopes" page), through the real command line and
the amoCRM sandbox over loopback: the code logs the connection in once, a spent or made-up
code is refused with the vendor's reason and without the code, and the stored tokens sign
the plugin's calls."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pontes.config import Config
from pontes.oauth.wiring import attach_oauth
from pontes.runtime import Runtime
from pontes.store import Store
from pontes.testing import serve_app

from pontes_amocrm.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, build_app
from pontes_amocrm.sandbox import sandbox_settings as amocrm_sandbox_settings

SECRET_KEY = "amocrm-exchange-tests-secret-key-0123"


@pytest.fixture
def sandbox():
    """The amoCRM sandbox (logins are not approved by themselves)."""
    with serve_app(build_app()) as url, httpx.Client(base_url=url) as client:
        yield client


@pytest.fixture
def config_path(tmp_path, sandbox) -> Path:
    settings = {**amocrm_sandbox_settings(str(sandbox.base_url)), "long_lived_token": None}
    path = tmp_path / "pontes.yaml"
    path.write_text(json.dumps({"store": f"sqlite:///{tmp_path / 'pontes.db'}",
                                "public_url": "http://127.0.0.1:8000", "plugins": ["amocrm"],
                                "connections": {"crm": settings}}))
    return path


def pontes(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PONTES_SECRET_KEY": SECRET_KEY}
    return subprocess.run([sys.executable, "-m", "pontes.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def shown_code(sandbox: httpx.Client) -> str:
    """The authorization code on the integration's "Keys and scopes" page."""
    page = sandbox.get("/_sandbox/integration/keys").raise_for_status()
    assert SANDBOX_CLIENT_ID in page.text
    assert SANDBOX_CLIENT_SECRET not in page.text
    return re.search(r"<dd id=code>([^<]+)</dd>", page.text).group(1)


@pytest.mark.slow
def test_the_code_a_private_integration_shows_logs_the_connection_in_once(config_path,
                                                                          sandbox):
    code = shown_code(sandbox)
    before = pontes("oauth", "status", "-c", str(config_path))

    exchanged = pontes("oauth", "exchange", "crm", "--code", code, "-c", str(config_path))
    status = pontes("oauth", "status", "-c", str(config_path))
    again = pontes("oauth", "exchange", "crm", "--code", code, "-c", str(config_path))
    check = pontes("check", "-c", str(config_path))

    assert before.returncode == 1 and "needs login" in before.stdout
    assert exchanged.returncode == 0, exchanged.stderr
    assert "crm: logged in" in exchanged.stdout
    assert status.returncode == 0 and "needs login" not in status.stdout, status.stdout
    assert again.returncode == 1
    assert "expired" in again.stderr.lower(), again.stderr
    assert re.search(r"^crm\s+amoCRM\s+ok", check.stdout, re.M), check.stdout + check.stderr
    everything = "".join(p.stdout + p.stderr for p in (exchanged, status, again, check))
    assert code not in everything
    assert SANDBOX_CLIENT_SECRET not in everything
    assert sandbox.get("/_sandbox/tokens").json()["issued"] == 1


@pytest.mark.slow
@pytest.mark.anyio
async def test_the_stored_tokens_sign_the_plugins_calls(config_path, sandbox):
    assert pontes("oauth", "exchange", "crm", "--code", shown_code(sandbox),
                  "-c", str(config_path)).returncode == 0
    config = Config.model_validate(json.loads(config_path.read_text()))
    runtime = Runtime.build(config, key=SECRET_KEY.encode())
    store = Store.open(config.store, key=SECRET_KEY.encode())
    try:
        attach_oauth(runtime, store.vault)
        pipelines = await runtime.connections["crm"].call("pipeline.list")
    finally:
        await runtime.aclose()
        store.close()
    assert [p.name for p in pipelines] == ["Sales"]


@pytest.mark.slow
def test_a_code_amocrm_never_showed_is_refused_and_stays_out_of_the_output(config_path):
    made_up = "not-a-code-amocrm-showed-0123456789"
    result = pontes("oauth", "exchange", "crm", "--code", made_up, "-c", str(config_path))
    assert result.returncode == 1
    assert made_up not in result.stdout + result.stderr
    assert "needs login" in pontes("oauth", "status", "-c", str(config_path)).stdout


@pytest.fixture
def anyio_backend():
    return "asyncio"
