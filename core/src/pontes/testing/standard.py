"""The tests every connector must pass, run against its own sandbox.

A plugin subclasses ``ConnectorStandardTests`` once, names its connector and lists its
samples; pytest then runs every ``test_*`` method below for it::

    class TestMovidesk(ConnectorStandardTests):
        connector = "movidesk"

        def webhook_samples(self): return [WebhookSample("movidesk.ticket", {...}, ...)]
        def action_cases(self): return [ActionCase("ticket.get", fetch_ticket), ...]
        def mapper_round_trip_fields(self): return {"ticket": ["subject", "status"]}

The coverage tests fail when a registered webhook trigger has no sample, an action has
no case that expects an answer, or a mapper is not round-tripped, so coverage cannot
shrink unnoticed. Every action case must get an answer that validates against the
action's output model and is not empty, unless the case says ``expect_empty=True``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from ..capabilities import CAPABILITIES
from ..connector import WebhookTrigger
from ..errors import AuthError
from ..models import Record
from ..registry import Registry
from .cases import ActionCase, WebhookSample
from .connections import (
    connect,
    connector_of,
    sandbox_of,
    sandbox_settings,
    secret_fields,
    unique_name,
    with_wrong_secrets,
)
from .round_trip import FieldSpec
from .webhooks import webhook_request

if TYPE_CHECKING:
    from ..connection import Connection


class ConnectorStandardTests:
    """Subclass me in a plugin's tests; set ``connector`` and override the three lists."""

    connector: ClassVar[str] = ""
    """The name of the connector under test (``plugin:`` in a connection's config)."""

    mapper_examples: ClassVar[int] = 50
    """How many records hypothesis draws per mapper round trip."""

    def webhook_samples(self) -> Sequence[WebhookSample]:
        """Documented deliveries of each webhook trigger, with the events they carry."""
        return []

    def action_cases(self) -> Sequence[ActionCase]:
        """For every action the connector registers, at least one case with an answer."""
        return []

    def mapper_round_trip_fields(self) -> dict[str, Sequence[FieldSpec]]:
        """For each mapped entity, the fields ``from_canonical`` and back keep unchanged.

        A field is a path (``"name"``, ``"company.name"``) or ``(path, strategy)`` to choose
        its values; records also carry a vendor id in ``refs`` (see ``records_with``).
        """
        return {}

    # --- plumbing: one test per sample, case and mapper ------------------------------------

    @pytest.fixture
    def anyio_backend(self) -> str:
        """The suite's async tests run on asyncio, like the vendor client and sandboxes."""
        return "asyncio"

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Parametrize the per-item tests with the subclass's lists."""
        if "webhook_sample" in metafunc.fixturenames:
            samples = [WebhookSample(*s) for s in self.webhook_samples()]
            metafunc.parametrize("webhook_sample", samples, ids=_numbered(s.trigger for s in samples))
        if "action_case" in metafunc.fixturenames:
            cases = self._action_cases()
            metafunc.parametrize("action_case", cases, ids=_numbered(c.action for c in cases))
        if "mapped_entity" in metafunc.fixturenames:
            metafunc.parametrize("mapped_entity", sorted(self.mapper_round_trip_fields()))

    # --- the connector and its sandbox ---------------------------------------------------

    def test_connector_is_registered(self, pontes_registry: Registry) -> None:
        connector = connector_of(pontes_registry, self.connector)
        assert connector.roles, f"connector {self.connector!r} declares no role"

    def test_has_a_sandbox_whose_settings_validate(self, pontes_registry: Registry) -> None:
        sandbox_of(pontes_registry, self.connector)
        sandbox_settings(pontes_registry, self.connector, "http://127.0.0.1:9")

    @pytest.mark.anyio
    async def test_check_accepts_the_sandbox_credentials(self, sandbox_connection) -> None:
        connection = sandbox_connection(self.connector)
        await connection.connector.check(connection)

    @pytest.mark.anyio
    async def test_check_rejects_wrong_credentials(self, pontes_registry, sandbox_url) -> None:
        settings = sandbox_settings(pontes_registry, self.connector, sandbox_url(self.connector))
        if not secret_fields(settings):
            pytest.skip(f"{type(settings).__name__} has no SecretStr field to get wrong")
        connection = connect(pontes_registry, self.connector, with_wrong_secrets(settings),
                             unique_name(self.connector))
        try:
            with pytest.raises(AuthError):
                await connection.connector.check(connection)
        finally:
            await connection.aclose()

    # --- webhook triggers ----------------------------------------------------------------

    def test_every_webhook_trigger_has_a_sample(self, pontes_registry: Registry) -> None:
        triggers = {t.name for t in pontes_registry.webhook_triggers(self.connector)}
        sampled = {s[0] for s in self.webhook_samples()}
        assert not triggers - sampled, f"webhook triggers without a sample: {sorted(triggers - sampled)}"
        assert not sampled - triggers, f"samples of unknown triggers: {sorted(sampled - triggers)}"

    def test_webhook_sample_parses(self, pontes_registry: Registry,
                                   webhook_sample: WebhookSample) -> None:
        trigger = self._webhook_trigger(pontes_registry, webhook_sample.trigger)

        def parse() -> list:
            request = webhook_request(webhook_sample.body, webhook_sample.content_type,
                                      connection=self.connector)
            return trigger.parse(request)

        first, second = parse(), parse()
        assert [e.type for e in first] == list(webhook_sample.events)
        for event in first:
            assert event.type in trigger.events, f"{event.type!r} is not in {trigger.events}"
            assert event.connection == self.connector
            assert event.idempotency_key.strip(), "an event needs an idempotency key"
            assert event.entity_key.strip(), "an event needs an entity key"
        assert _keys(first) == _keys(second), "parsing the same delivery twice gave other keys"

    # --- actions -------------------------------------------------------------------------

    def test_every_action_has_a_case(self, pontes_registry: Registry) -> None:
        registered = {name for (owner, name) in pontes_registry.actions if owner == self.connector}
        cases = self._action_cases()
        cased = {c.action for c in cases}
        answered = {c.action for c in cases if not c.expect_empty}
        assert not registered - cased, (
            f"actions without a case in action_cases(): {sorted(registered - cased)}")
        assert not cased - registered, f"cases of unregistered actions: {sorted(cased - registered)}"
        assert not cased - answered, (
            f"actions whose every case expects an empty result (add one with an answer): "
            f"{sorted(cased - answered)}")

    @pytest.mark.anyio
    async def test_action_case(self, sandbox_connection, action_case: ActionCase) -> None:
        connection = sandbox_connection(self.connector)
        name = action_case.action
        input_model, output_type = _models(connection, name)
        if action_case.expect_empty and not _admits_empty(output_type):
            pytest.fail(f"the {name} case expects an empty result, but {name} answers "
                        f"{_type_name(output_type)}, which is never empty", pytrace=False)
        params = _valid_input(name, input_model, await action_case.resolve(connection))
        try:
            output = TypeAdapter(output_type).validate_python(await connection.call(name, params))
        except ValidationError as error:
            pytest.fail(f"{name} did not answer a valid {_type_name(output_type)}: {error}",
                        pytrace=False)
        if action_case.expect_empty:
            assert _is_empty(output), f"the {name} case expects an empty result, got {output!r}"
        else:
            assert not _is_empty(output), (
                f"{name} answered {output!r}; a case needs an answer that shows the action "
                f"at work, or expect_empty=True where nothing is the right answer")
        for record in _records_in(output):
            assert record.refs.get(connection.name), (
                f"{action_case.action} returned a {type(record).__name__} without its id in "
                f"refs[{connection.name!r}]"
            )
        if action_case.check is not None:
            assert action_case.check(output) is not False, f"check failed for {output!r}"

    # --- mappers -------------------------------------------------------------------------

    def test_every_mapper_is_round_tripped(self, pontes_registry: Registry) -> None:
        mapped = {entity for (owner, entity) in pontes_registry.mappers if owner == self.connector}
        listed = set(self.mapper_round_trip_fields())
        assert not mapped - listed, f"mappers without round-trip fields: {sorted(mapped - listed)}"
        assert not listed - mapped, f"round-trip fields for unknown mappers: {sorted(listed - mapped)}"

    def test_mapper_round_trip(self, pontes_registry: Registry, mapped_entity: str) -> None:
        from hypothesis import HealthCheck, Phase, given, settings

        from .round_trip import records_with

        mapper = pontes_registry.mapper(self.connector, mapped_entity)
        assert mapper is not None, f"no mapper for {mapped_entity!r}"
        fields = self.mapper_round_trip_fields()[mapped_entity]
        paths = [f if isinstance(f, str) else f[0] for f in fields]
        name = self.connector

        @settings(max_examples=self.mapper_examples, deadline=None, database=None,
                  phases=[p for p in Phase if p is not Phase.explain],
                  suppress_health_check=[HealthCheck.too_slow])
        @given(records_with(mapper.model, fields, name))
        def round_trip(record: Record) -> None:
            payload = json.loads(json.dumps(mapper.from_canonical(record, name)))
            back = mapper.to_canonical(payload, name)
            for path in paths:
                sent, got = _at(record, path), _at(back, path)
                assert got == sent, f"{mapped_entity}.{path}: sent {sent!r}, got back {got!r}"

        round_trip()

    # --- helpers -------------------------------------------------------------------------

    def _action_cases(self) -> list[ActionCase]:
        """The subclass's cases, plain tuples made into ``ActionCase``."""
        return [ActionCase(*c) for c in self.action_cases()]

    def _webhook_trigger(self, registry: Registry, name: str) -> WebhookTrigger:
        for trigger in registry.webhook_triggers(self.connector):
            if trigger.name == name:
                return trigger
        raise LookupError(f"connector {self.connector!r} has no webhook trigger {name!r}")


def _numbered(names: Any) -> list[str]:
    """Test ids: the name, with ``#2``, ``#3``... when it repeats."""
    ids: list[str] = []
    for name in names:
        count = sum(1 for i in ids if i == name or i.startswith(f"{name}#"))
        ids.append(name if count == 0 else f"{name}#{count + 1}")
    return ids


def _keys(events: list) -> list[tuple[str, str, str]]:
    return [(e.type, e.idempotency_key, e.entity_key) for e in events]


def _models(connection: Connection, name: str) -> tuple[type[BaseModel] | None, Any]:
    """An action's input model and the type its answer must validate against: the
    capability's, or for a vendor-specific action the ones it declares."""
    capability = CAPABILITIES.get(name)
    declared = capability or connection.action(name)
    if declared.output is None:
        pytest.fail(f"{name} declares no output model (Action(output=...)), so its answer "
                    f"cannot be checked", pytrace=False)
    return declared.input, declared.output


def _valid_input(name: str, model: type[BaseModel] | None, params: Any) -> Any:
    """The case's input as the action's input model; the case fails here when it does not
    fit, so that a validation error from the call itself is about the answer."""
    if model is None or isinstance(params, model):
        return params
    if isinstance(params, BaseModel):
        params = params.model_dump(exclude_unset=True)
    try:
        return model.model_validate({} if params is None else params)
    except ValidationError as error:
        pytest.fail(f"the input of the {name} case is not a valid {model.__name__}: {error}",
                    pytrace=False)


def _admits_empty(output_type: Any) -> bool:
    """Whether ``None`` or an empty list is a valid answer of this type."""
    adapter = TypeAdapter(output_type)
    for empty in (None, []):
        try:
            adapter.validate_python(empty)
        except ValidationError:
            continue
        return True
    return False


def _is_empty(output: Any) -> bool:
    return output is None or (isinstance(output, list | tuple) and not output)


def _type_name(output_type: Any) -> str:
    """``Contact``, ``Contact | None``, ``list[Deal]``: the type without module paths."""
    if isinstance(output_type, type):
        return output_type.__name__
    return re.sub(r"\b(?:\w+\.)+(\w+)", r"\1", str(output_type))


def _records_in(output: Any) -> list[Record]:
    if isinstance(output, Record):
        return [output]
    if isinstance(output, list):
        return [item for item in output if isinstance(item, Record)]
    return []


def _at(record: BaseModel | None, path: str) -> Any:
    value: Any = record
    for name in path.split("."):
        value = getattr(value, name, None) if value is not None else None
    return value
