"""pontes activate tells a person where, in Jivo's own screens, the webhook URL goes."""

from __future__ import annotations

import asyncio

from pontes.config import parse_config
from pontes.recipes.activation import activate_webhooks
from pontes.runtime import Runtime


def test_the_chat_webhook_step_names_jivos_screens_and_the_url():
    config = parse_config({
        "public_url": "https://pontes.example.com",
        "plugins": ["jivo", "ploomes"],
        "connections": {"chat": {"plugin": "jivo", "widget_id": "51234"},
                        "crm": {"plugin": "ploomes", "user_key": "k",
                                "base_url": "http://127.0.0.1:9"}},
        "integrations": {"leads": {"recipe": "chat_to_crm", "chat": "chat", "crm": "crm"}},
    })
    runtime = Runtime.build(config, key=b"jivo-activation-key")
    (hook,) = [h for h in runtime.hook_urls() if h.integration == "leads"]
    try:
        steps = asyncio.run(activate_webhooks(runtime.integrations["leads"],
                                              {hook.role: hook.url}))
    finally:
        asyncio.run(runtime.aclose())
    (step,) = steps
    assert not step.done
    lines = step.detail.splitlines()
    assert lines[0] == ("In JivoChat: Manage -> Channels -> the channel's Settings -> "
                        "Integration settings for developers:")
    assert lines[1] == "  turn Webhooks on and set the Webhooks URL to"
    assert lines[2] == f"  {hook.url}"
    assert "chat.finished" not in step.detail
