"""One process of the multi-process OAuth test: ``python oauth_caller.py CONFIG START N``
builds a runtime from the JSON config CONFIG over its store, waits until the Unix time
START, then makes N calls of ``user.list`` at once and prints how many succeeded (exit
status 1 when any failed)."""

import asyncio
import json
import sys
import time
from pathlib import Path

from pontes.config import Config
from pontes.oauth.wiring import attach_oauth
from pontes.runtime import Runtime
from pontes.store import Store

KEY = b"amocrm-oauth-tests-key-0123456789"


async def calls(connection, count: int) -> list[object]:
    """``count`` calls at once; each one's answer or error."""
    try:
        return await asyncio.gather(*(connection.call("user.list", {}) for _ in range(count)),
                                    return_exceptions=True)
    finally:
        await connection.aclose()


def main() -> int:
    """Run the calls; print the successes and each failure."""
    config_path, start, count = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    config = Config.model_validate(json.loads(Path(config_path).read_text()))
    store = Store.open(config.store, key=KEY)
    runtime = Runtime.build(config, key=KEY)
    attach_oauth(runtime, store.vault)
    time.sleep(max(0.0, start - time.time()))
    results = asyncio.run(calls(runtime.connections["crm"], count))
    failures = [r for r in results if isinstance(r, BaseException)]
    print(json.dumps({"succeeded": len(results) - len(failures),
                      "failures": [repr(f) for f in failures]}))
    store.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
