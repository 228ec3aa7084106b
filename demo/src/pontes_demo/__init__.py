"""The pontes demo: vendor sandboxes, a real server, and the seed integrations played live.

Not a plugin: it adds the ``pontes demo`` command through the ``pontes.commands`` entry
point group, so ``pontes plugins`` and the admin API never list it (``python -m
pontes_demo`` runs the same). The end-to-end tests reuse its installation and steps, so
what the demo shows is what the tests check.
"""


def register_commands(cli):
    """``pontes demo [--no-wait]``."""
    import click

    @cli.command("demo")
    @click.option("--no-wait", is_flag=True, help="Exit after the story instead of serving.")
    def demo(no_wait: bool) -> None:
        """Start sandboxes and a server, play the seed integrations, then keep serving."""
        from .__main__ import main

        raise SystemExit(main(["--no-wait"] if no_wait else []))
