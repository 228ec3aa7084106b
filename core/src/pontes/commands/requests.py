"""The request URLs ``pontes hooks`` prints: where each integration's automation requests
go, and a body to paste into the helpdesk's rule, built from the other systems' metadata
(``pontes.recipes.requests``)."""

from __future__ import annotations

import json

from ..engine.explain import explain_failure
from ..runtime import RequestUrl, Runtime


async def describe_requests(runtime: Runtime) -> list[str]:
    """The lines describing every request URL of ``runtime``, each with its example body
    (or why there is none)."""
    lines = []
    try:
        for target in runtime.request_urls():
            lines += await _describe(runtime, target)
    finally:
        await runtime.aclose()
    return lines


async def _describe(runtime: Runtime, target: RequestUrl) -> list[str]:
    integration = runtime.integrations[target.integration]
    spec = integration.recipe.request
    lines = [f"{target.integration}  {target.connection}: automation request "
             f"({spec.event}: {spec.description})",
             f"  POST {target.url}", "  Content-Type: application/json"]
    try:
        body = await spec.example(integration)
    except Exception as exc:
        reason = explain_failure(exc, integration.connections.values())
        return [*lines, f"  (no example body: the metadata could not be read: {reason})"]
    text = json.dumps(body, indent=2, ensure_ascii=False)
    return [*lines, "  Body, to paste into the rule:",
            *(f"    {line}" for line in text.splitlines())]
