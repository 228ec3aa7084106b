"""schemathesis against the admin API's OpenAPI document, on the real server.

Every operation is called with values drawn from its parameters' schemas (and beyond
them), with the admin token and without one: no answer may be a 5xx, and every answer
(its status, content type, headers and body) must be what the document says. The store
holds accepted, rejected and ignored events first, so that their fields are all seen.
"""

from __future__ import annotations

import pytest
import schemathesis
from hostile import JSON, Delivery
from hypothesis import given
from intake import Intake, fuzz_settings
from schemathesis.config import ProjectConfig, ProjectsConfig, SchemathesisConfig

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def admin_schema(sqlite_intake: Intake):
    """The document the server publishes, with its base URL and the admin token."""
    stack = sqlite_intake.stack
    for url in sqlite_intake.hook_urls.values():
        for body in (b'{"Id": 5, "Entity": "Deals", "Action": "Update", "ResourceId": 5}',
                     b"[NaN]", b'{"event_name": "client_attribute_updated"}'):
            sqlite_intake.post(url, Delivery(body, JSON))
    config = SchemathesisConfig(projects=ProjectsConfig(default=ProjectConfig(
        base_url=stack.server_url,
        headers={"Authorization": f"Bearer {stack.admin_token}"},
    )))
    return schemathesis.openapi.from_url(f"{stack.server_url}/admin/api/openapi.json",
                                         config=config)


def failures_of(admin_schema, **headers: str) -> dict[str, Exception]:
    """schemathesis' failures, by operation, calling with ``headers`` over the token's."""
    failures = {}
    operations = [result.ok() for result in admin_schema.get_all_operations()]
    assert len(operations) >= 10, [o.label for o in operations]
    for operation in operations:

        @fuzz_settings(in_ci=20, in_full=1000)
        @given(case=operation.as_strategy())
        def answers_as_documented(case) -> None:
            case.call_and_validate(headers=headers)

        try:
            answers_as_documented()
        except Exception as failure:
            failures[operation.label] = failure
    return failures


def report(failures: dict[str, Exception]) -> str:
    return "\n\n".join(f"{label}:\n{failure}" for label, failure in failures.items())


def test_the_admin_api_answers_as_its_document_says(admin_schema):
    failures = failures_of(admin_schema)
    assert not failures, report(failures)


def test_without_the_token_the_admin_api_refuses_as_its_document_says(admin_schema):
    failures = failures_of(admin_schema, Authorization="Bearer not-the-token")
    assert not failures, report(failures)
