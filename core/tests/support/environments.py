"""Fresh virtual environments that see the pontes under test, for tests that install a
plugin distribution the way a user would."""

import subprocess
import sysconfig
import venv
from pathlib import Path


def environment_with_this_pontes(root: Path) -> Path:
    """A new virtual environment under ``root``; returns its ``python``.

    It sees this environment's packages (pontes and its dependencies, editable installs
    included) through a ``.pth`` file, so a plugin installed there with ``--no-deps`` runs
    against the pontes under test.
    """
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip()
    here = sysconfig.get_paths()["purelib"]
    Path(site, "pontes-under-test.pth").write_text(f"import site; site.addsitedir({here!r})\n")
    return python
