"""Options of ``contact_sync``: which way records are copied, who wins a conflict, and
what a deletion does to the link."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class ContactSyncOptions(BaseModel):
    """Options of ``contact_sync``.

    - ``mode``: ``two_way`` copies both ways; ``one_way`` copies CRM -> helpdesk only
      (helpdesk edits stay in the helpdesk); ``none`` copies nothing but links a person or
      company that both systems have, so its tickets show in the CRM;
    - ``conflict``: which side wins a field edited on both sides since the last sync:
      ``newest`` (by the vendors' modified times; the CRM on a tie), ``crm`` or
      ``helpdesk``. The losing values are written in the event's notes;
    - ``on_delete``: a record deleted on one side is never deleted on the other; the
      deletion is recorded, and ``unlink`` also takes the link apart (``ignore`` keeps it).
    """

    model_config = ConfigDict(extra="forbid")

    mode: Literal["two_way", "one_way", "none"] = "two_way"
    conflict: Literal["newest", "crm", "helpdesk"] = "newest"
    on_delete: Literal["ignore", "unlink"] = "ignore"

    def copies(self, source_role: str) -> bool:
        """Whether a change from ``source_role`` is copied to the other side."""
        if self.mode == "two_way":
            return True
        return self.mode == "one_way" and source_role == "crm"
