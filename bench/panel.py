"""How fast the CRM panel answers: the block's answer to a ticket card opening (what
Usedesk waits up to 60 s for), and the panel page the frame then loads, cold and with
warm caches, against the Usedesk and amoCRM sandboxes and a real server on loopback.

    .venv/bin/python bench/panel.py [--opens 50]

Prints medians and 90th percentiles in milliseconds; asserts nothing.
"""

from __future__ import annotations

import argparse
import html
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from pontes.testing.stack import Stack

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from panel_support import add_block, amocrm_contact, new_ticket  # noqa: E402

FRAME = re.compile(r'src="([^"]+)"')


def block_body(stack, ticket_id: str) -> dict:
    """What Usedesk posts to the block for a ticket (the sandbox builds it)."""
    with stack.sandbox("usedesk") as usedesk:
        [shown] = usedesk.post(f"/_sandbox/tickets/{ticket_id}/blocks",
                               json={"automatic": True, "name": "crm"}).json()
    return shown["request"]


def timed(call, *args, **kwargs) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    answer = call(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, answer


def summary(name: str, values: list[float]) -> str:
    values = sorted(values)
    p90 = values[int(len(values) * 0.9) - 1] if len(values) >= 10 else values[-1]
    return f"{name:<40} median {statistics.median(values):7.1f} ms   p90 {p90:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opens", type=int, default=50, help="ticket cards opened")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, Stack.running(
            Path(workdir), connections={"usedesk": ("usedesk", {}), "amocrm": ("amocrm", {})},
            integrations={"crm": {"recipe": "crm_panel", "helpdesk": "usedesk",
                                  "crm": "amocrm"}},
            sandbox_options={"amocrm": {"requests_per_second": 1000}}) as stack:
        add_block(stack, "crm", "crm")
        hook = stack.hook_url("crm", "helpdesk")
        answers, first, again = [], [], []
        with httpx.Client(timeout=60) as http:
            for number in range(args.opens):
                email = f"bench-{number}@example.org"
                amocrm_contact(stack, f"Bench Client {number}", email=email)
                body = block_body(stack, new_ticket(stack, f"Bench Client {number}", email))
                spent, answer = timed(http.post, hook, json=body)
                answers.append(spent)
                url = html.unescape(FRAME.search(answer.json()["html"]).group(1))
                spent, page = timed(http.get, url)
                first.append(spent)
                assert page.status_code == 200 and f"Bench Client {number}" in page.text
                again.append(timed(http.get, url)[0])
        print(f"{args.opens} ticket cards of {args.opens} clients, each found in amoCRM by "
              "e-mail\n")
        print(summary("block answer ({\"html\": <iframe>})", answers))
        print(summary("panel page, first of the card", first[1:]))
        print(f"{'panel page, the very first (cold caches)':<40} {first[0]:7.1f} ms")
        print(summary("panel page again (client found, cached)", again))

if __name__ == "__main__":
    main()
