"""CRM metadata: read once per connection for a while, again when asked fresh or stale."""

from __future__ import annotations

import pytest
from pontes.capabilities import Pipeline
from pontes.recipes.crm_metadata import crm_metadata


class Counting:
    """A CRM connection that only lists pipelines, counting the calls it gets."""

    def __init__(self, name: str):
        self.name = name
        self.calls: list[str] = []

    def has(self, capability: str) -> bool:
        return capability == "pipeline.list"

    async def call(self, capability: str, **params):
        self.calls.append(capability)
        return [Pipeline(id=str(len(self.calls)), name="Sales")]


@pytest.mark.anyio
async def test_metadata_is_cached_per_connection_and_read_again_when_stale_or_fresh():
    crm = Counting("metadata-test")
    first = await crm_metadata(crm)
    assert (await crm_metadata(crm)) is first and crm.calls == ["pipeline.list"]
    assert first.deal_fields is None and first.users is None
    fresh = await crm_metadata(crm, fresh=True)
    assert [p.id for p in fresh.pipelines] == ["2"]
    assert (await crm_metadata(crm)) is fresh
    stale = await crm_metadata(crm, ttl=0)
    assert [p.id for p in stale.pipelines] == ["3"]
    other = Counting("metadata-test-2")
    await crm_metadata(other)
    assert other.calls == ["pipeline.list"] and len(crm.calls) == 3
