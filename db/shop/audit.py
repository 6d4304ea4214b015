"""The audit log, for the owner: who did what, when, to which customer.

Reading it is not itself audited: its rows hold actions, ids and field names, never a
customer's personal values (db/audit_chain.py refuses them), so a look at the log reveals
nothing a new row would need to record.
"""

from __future__ import annotations

from .. import audit
from ..audit import AuditEntry, AuditQuery
from .base import Area, reads_sensitive


class Audit(Area):
    @reads_sensitive("audit.read", traced=False)  # no personal values: reading is not traced
    def entries(self, query: AuditQuery) -> list[AuditEntry]:
        """The rows matching ``query``, newest first (owner only)."""
        with self._read() as conn:
            return audit.entries(conn, query, self._door.timezone)

    @reads_sensitive("audit.read", traced=False)  # no personal values: reading is not traced
    def actions(self) -> list[str]:
        """The actions the log holds, for a filter list (owner only)."""
        with self._read() as conn:
            return audit.actions(conn)
