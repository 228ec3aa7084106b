"""What a Movidesk administrator does by hand so that Movidesk calls pontes.

Movidesk's API cannot create triggers ("Gatilhos"); its "call webhook" action is set up
in the UI. These are the steps, in the screen's own words, as the Ploomes integration
article describes them.
"""

from __future__ import annotations

FINISHING_STATUSES = ("Resolvido", "Fechado")


def webhook_setup(events: tuple[str, ...], url: str) -> str:
    """The steps that make Movidesk post a ticket to ``url`` when its status changes."""
    statuses = " or ".join(f'"{s}"' for s in FINISHING_STATUSES)
    return "\n".join([
        "In Movidesk: Configurações -> Gatilhos -> new trigger:",
        '  Principal > Nome: "pontes" (any name)',
        '  Condições > Condições combinadas: se "Ticket: Status" "Alterado para" '
        f'{statuses} (one condition per status, or the moment you want tickets sent)',
        f'  Ações: "Acionar Webhook" with the URL {url}',
        "  Save.",
    ])
