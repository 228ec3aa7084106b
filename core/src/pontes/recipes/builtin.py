"""The core's own recipes, registered through ``register_recipes`` like any plugin's."""

from .. import hookimpl
from . import (
    chat_to_crm,
    contact_sync,
    crm_panel,
    deal_request,
    deal_to_ticket,
    ticket_history,
    tickets_tab,
)


@hookimpl
def register_recipes():
    """The recipes that ship with pontes."""
    return [ticket_history.RECIPE, deal_to_ticket.RECIPE, chat_to_crm.RECIPE,
            deal_request.RECIPE, crm_panel.RECIPE, contact_sync.RECIPE,
            tickets_tab.RECIPE]
