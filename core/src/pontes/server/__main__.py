"""``python -m pontes.server --config F [--host H] [--port P]``: the ``serve`` command."""

from ..commands.engine import serve_command

serve_command(prog_name="python -m pontes.server")
