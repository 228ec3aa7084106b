"""The pontes demo: vendor sandboxes, a real server, and the seed integrations played live.

Run it with ``make demo`` (or ``python -m demo``). The end-to-end tests reuse its set-up
and steps, so what the demo shows is what the tests check.
"""
