"""Sandbox faults before and after processing, served for real: what the vendor stored and
what the caller saw.

A fault before processing leaves nothing behind; a ``commit_first`` fault stores the
record and then answers late, with an error, or not at all.
"""

from __future__ import annotations

import httpx
import pytest
from pontes.sandbox import Fault, SandboxControl, sandbox_app
from pontes.testing import serve_app
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


class RecordStore:
    """A vendor that stores every POSTed record and answers ``{"id": n}``."""

    def __init__(self) -> None:
        self.records: list[dict] = []
        self.control = SandboxControl(self.records.clear)

    async def create(self, request: Request) -> Response:
        self.records.append(await request.json())
        return JSONResponse({"id": len(self.records)})

    def app(self):
        return sandbox_app([Route("/records", self.create, methods=["POST"])], self.control)


@pytest.fixture
def vendor():
    store = RecordStore()
    with serve_app(store.app()) as url:
        store.url = url
        with httpx.Client(base_url=url, timeout=5.0) as client:
            store.client = client
            yield store


def queue(vendor: RecordStore, **fault) -> None:
    vendor.client.post("/_sandbox/faults", json=fault).raise_for_status()


def create(vendor: RecordStore, timeout: float = 5.0) -> httpx.Response:
    return vendor.client.post("/records", json={"name": "one"}, timeout=timeout)


def test_a_status_before_processing_stores_nothing(vendor):
    queue(vendor, status=503, path="/records")
    assert create(vendor).status_code == 503
    assert vendor.records == []


def test_a_dropped_connection_before_processing_stores_nothing(vendor):
    queue(vendor, drop=True, path="/records")
    # The client sees the cut as a closed or a reset connection, as TCP timing has it.
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        create(vendor)
    assert vendor.records == []
    assert vendor.control.requests[-1]["status"] is None


def test_commit_then_a_5xx_stores_the_record_and_answers_the_error(vendor):
    queue(vendor, status=502, commit_first=True, body={"message": "bad gateway"})
    answer = create(vendor)
    assert answer.status_code == 502 and answer.json() == {"message": "bad gateway"}
    assert vendor.records == [{"name": "one"}]
    assert vendor.control.requests[-1]["status"] == 502


def test_commit_then_answer_late_stores_the_record_before_the_caller_gives_up(vendor):
    queue(vendor, delay=1.0, commit_first=True, method="POST")
    with pytest.raises(httpx.ReadTimeout):
        create(vendor, timeout=0.3)
    assert vendor.records == [{"name": "one"}]
    assert create(vendor).json() == {"id": 2}


def test_commit_then_a_late_answer_arrives_whole_for_a_patient_caller(vendor):
    queue(vendor, delay=0.2, commit_first=True)
    answer = create(vendor)
    assert answer.status_code == 200 and answer.json() == {"id": 1}


def test_commit_then_drop_stores_the_record_and_cuts_the_answer(vendor):
    queue(vendor, drop=True, commit_first=True)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        create(vendor)
    assert vendor.records == [{"name": "one"}]


def test_a_fault_with_a_chance_hits_some_requests_the_same_way_every_run(vendor):
    def run() -> list[int]:
        vendor.client.post("/_sandbox/reset").raise_for_status()
        queue(vendor, status=503, chance=0.3, count=100)
        return [create(vendor).status_code for _ in range(40)]

    first = run()
    assert 3 <= first.count(503) <= 25 and 200 in first
    assert len(vendor.records) == first.count(200)
    assert run() == first


@pytest.mark.parametrize(("spec", "named"), [
    ({"drop": "yes"}, "drop"),
    ({"status": 503, "commit_first": 1}, "commit_first"),
    ({"status": 503, "chance": 0}, "chance"),
    ({"status": 503, "chance": 1.5}, "chance"),
    ({"commit_first": True}, "a status, a delay or drop"),
    ({"drop": True, "status": 503}, "drop or status"),
])
def test_a_wrong_fault_is_refused_naming_the_key(vendor, spec, named):
    answer = vendor.client.post("/_sandbox/faults", json=spec)
    assert answer.status_code == 400 and named in answer.json()["error"]
    with pytest.raises(ValueError, match=named):
        Fault.from_spec(spec)
