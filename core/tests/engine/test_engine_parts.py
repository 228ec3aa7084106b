"""The engine's small parts: body decoding, kept headers, long keys, backoff, settings,
safe error messages."""

from __future__ import annotations

import asyncio

import pytest
from pontes.connection import Connection
from pontes.connector import ConnectionSettings
from pontes.engine import Backoff, Settings, decode_body
from pontes.engine.explain import explain_failure
from pontes.engine.inbox import KEY_LIMIT, fit_key, kept_headers
from pontes.errors import ConfigError, InvalidPayload, VendorUnavailable
from pydantic import SecretStr


def test_json_bodies_are_decoded():
    assert decode_body(b'{"a": [1, 2]}', "application/json; charset=utf-8") == {"a": [1, 2]}
    assert decode_body(b'[{"id": 1}]', "application/vnd.api+json") == [{"id": 1}]


def test_form_bodies_become_a_flat_dict_of_their_keys():
    body = b"leads%5Badd%5D%5B0%5D%5Bid%5D=1&leads%5Badd%5D%5B0%5D%5Bname%5D=Deal+1&empty="
    assert decode_body(body, "application/x-www-form-urlencoded") == {
        "leads[add][0][id]": "1", "leads[add][0][name]": "Deal 1", "empty": ""}


def test_a_body_declared_json_that_is_not_is_invalid():
    with pytest.raises(InvalidPayload, match="body is not valid JSON"):
        decode_body(b"{nope", "application/json")
    with pytest.raises(InvalidPayload, match="not valid UTF-8"):
        decode_body(b"a=\xff\xfe", "application/x-www-form-urlencoded")


def test_undeclared_bodies_are_decoded_when_they_are_json_and_left_alone_otherwise():
    assert decode_body(b' {"a": 1}', "text/plain") == {"a": 1}
    assert decode_body(b"{nope", "") is None
    assert decode_body(b"<xml/>", "application/xml") is None
    assert decode_body(b"", "") is None


def test_credentials_and_hop_by_hop_headers_are_not_kept():
    kept = kept_headers({"Authorization": "Bearer s", "Cookie": "c=1", "X-Api-Key": "k",
                         "Content-Length": "3", "Host": "h", "X-Jivo-Event": "chat_finished",
                         "User-Agent": "vendor/1.0"})
    assert kept == {"x-jivo-event": "chat_finished", "user-agent": "vendor/1.0"}


def test_keys_longer_than_the_column_are_stored_as_a_stable_hash():
    long = "k" * (KEY_LIMIT + 1)
    assert fit_key("short") == "short"
    assert fit_key(long) == fit_key(long) != fit_key(long + "x")
    assert fit_key(long).startswith("sha256:") and len(fit_key(long)) <= KEY_LIMIT


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap():
    backoff = Backoff(base=1.0, cap=10.0)
    for retry, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 10.0), (12, 10.0)]:
        delays = {backoff.delay(retry) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered


def test_backoff_honours_the_vendors_retry_after():
    assert Backoff(base=1.0, cap=10.0).delay(1, retry_after=42.0) == 42.0


def test_settings_come_from_the_environment():
    settings = Settings.from_env({"PONTES_CONCURRENCY": "3", "PONTES_BACKOFF_BASE": "0.5",
                                  "PONTES_POLL": "false", "PONTES_ADMIN_TOKEN": "adm-7f3e"},
                                 idle_interval=0.1)
    assert (settings.concurrency, settings.backoff_base, settings.poll) == (3, 0.5, False)
    assert settings.admin_token == "adm-7f3e" and settings.idle_interval == 0.1
    assert "adm-7f3e" not in repr(settings)


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("PONTES_CONCURRENCY", "many", "PONTES_CONCURRENCY: expected an integer, got 'many'"),
    ("PONTES_POLL", "perhaps", "PONTES_POLL: expected true or false, got 'perhaps'"),
    ("PONTES_BACKOFF_CAP", "-1", "backoff_cap must be positive, got -1.0"),
])
def test_a_malformed_setting_names_the_variable(variable, value, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({variable: value})


class _Secretive(ConnectionSettings):
    token: SecretStr
    nested: dict[str, SecretStr] = {}


def test_error_messages_mask_every_secret_of_the_connections():
    connection = Connection("crm", None, _Secretive(plugin="x", token="tok-123456",
                                                    nested={"k": "nested-7890"}))
    error = RuntimeError("failed with tok-123456 and nested-7890")

    assert explain_failure(error, [connection]) == "RuntimeError: failed with *** and ***"
    assert explain_failure(VendorUnavailable("down", status=503, url="https://v/x"), [connection]) == (
        "down (503 from https://v/x)")
    assert explain_failure(KeyError()) == "KeyError"


def test_a_worker_cut_off_must_stop_its_runs_before_they_run_elsewhere():
    with pytest.raises(ConfigError, match=r"PONTES_STALLED_AFTER \(10\) must be longer than "
                                          r"PONTES_HEARTBEAT_INTERVAL \+ PONTES_SHUTDOWN_GRACE "
                                          r"\(5 \+ 10\)"):
        Settings(stalled_after=10)
    assert Settings.from_env({"PONTES_MAX_CRASHES": "2", "PONTES_STALLED_AFTER": "60"}
                             ).max_crashes == 2


def test_the_retry_strategy_hands_procrastinate_the_engines_decision():
    from datetime import UTC, datetime

    from pontes.engine.tasks import ENGINE_RETRY_CAP, EventRetryStrategy, RetryLater
    from procrastinate.jobs import Job

    strategy = EventRetryStrategy()
    job = Job(queue="pontes", lock="copy:T-1", queueing_lock=None,
              task_name="pontes.run_event", attempts=10)
    at = datetime(2030, 1, 1, tzinfo=UTC)

    assert strategy.get_retry_decision(exception=RetryLater(1, at), job=job).retry_at == at
    handed_back = strategy.get_retry_decision(exception=asyncio.CancelledError(), job=job)
    assert abs((handed_back.retry_at - datetime.now(UTC)).total_seconds()) < 5
    failed = strategy.get_retry_decision(exception=OSError("store down"), job=job)
    assert 0 < (failed.retry_at - datetime.now(UTC)).total_seconds() <= ENGINE_RETRY_CAP
    assert failed.lock is None  # the job keeps its lock, and so its place


def test_the_store_failing_under_a_run_is_retried_not_a_dead_letter():
    from pontes.engine.attempts import is_retriable
    from sqlalchemy.exc import OperationalError

    down = OperationalError("INSERT INTO links ...", {}, ConnectionError("server closed"))
    assert is_retriable(down)
    assert is_retriable(VendorUnavailable("503"))
    assert not is_retriable(RuntimeError("a recipe bug"))
