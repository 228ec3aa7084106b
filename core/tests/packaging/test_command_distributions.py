"""A distribution that only adds commands (the demo) is not a plugin.

``pontes-demo`` declares ``pontes demo`` in the ``pontes.commands`` entry point group:
the command works, and neither ``pontes plugins`` nor the plugin list the admin API is
built from names it.
"""

import json
import subprocess
import sys

from pontes.plugins import installed_plugins

PONTES = [sys.executable, "-c", "import sys; from pontes.cli import main; sys.exit(main())"]


def test_the_demo_is_a_command_and_not_a_plugin():
    listed = subprocess.run([*PONTES, "plugins", "--json"], capture_output=True, text=True,
                            timeout=120)
    assert listed.returncode == 0, listed.stderr
    names = [plugin["name"] for plugin in json.loads(listed.stdout)["plugins"]]
    assert "movidesk" in names and "demo" not in names
    assert "demo" not in [plugin.name for plugin in installed_plugins()]

    demo = subprocess.run([*PONTES, "demo", "--help"], capture_output=True, text=True,
                          timeout=120)
    assert demo.returncode == 0, demo.stderr
    assert "--no-wait" in demo.stdout
