"""The status machine: new → reviewing → planned → done, or declined; linked items
(one group, headed by its oldest item) move through it together."""

from __future__ import annotations

from .. import gate
from ..errors import NotFound, RegularsError, ValidationError
from ..store import Tx
from ..vocab import FEEDBACK_STATUSES

NOTE_MAX = 1000  # the owner's note ("what we will do"): several lines allowed
# Where an item may go next. Done and declined can be reopened for another look.
NEXT: dict[str, tuple[str, ...]] = {
    "new": ("reviewing", "declined"),
    "reviewing": ("planned", "done", "declined", "new"),
    "planned": ("done", "declined", "reviewing"),
    "done": ("reviewing",),
    "declined": ("reviewing",),
}
assert set(NEXT) == set(FEEDBACK_STATUSES)


def can_move(old: str, new: str) -> bool:
    """Whether an item in ``old`` may be set to ``new`` (staying put is allowed)."""
    return new in FEEDBACK_STATUSES and (new == old or new in NEXT.get(old, ()))


def _members(tx: Tx, item_id: int) -> list[int]:
    """The item and everything linked with it."""
    row = tx.execute("SELECT coalesce(group_id, id) FROM feedback WHERE id = ?",
                     (item_id,)).fetchone()
    if row is None:
        raise NotFound("feedback.not_found", ref=str(item_id))
    head = int(row[0])
    return [int(r[0]) for r in tx.execute(
        "SELECT id FROM feedback WHERE id = ? OR group_id = ? ORDER BY id", (head, head))]


def set_status(tx: Tx, item_id: int, status: str, note: str | None = None) -> list[int]:
    """Move an item (and its linked group) on. Returns the ids that moved."""
    if note is not None:
        note = gate.lines(note, "note", NOTE_MAX)
    current = tx.execute("SELECT status FROM feedback WHERE id = ?", (item_id,)).fetchone()
    if current is None:
        raise NotFound("feedback.not_found", ref=str(item_id))
    old = str(current[0])
    if status not in FEEDBACK_STATUSES:
        raise ValidationError({"status": ("feedback.status", {
            "known": ", ".join(FEEDBACK_STATUSES)})})
    if not can_move(old, status):
        raise RegularsError("feedback.bad_transition", old=old, new=status,
                            allowed=", ".join(NEXT[old]))
    members = _members(tx, item_id)
    tx.conn.executemany(
        "UPDATE feedback SET status = ?, status_at = ?, done_at = ?,"
        " owner_note = coalesce(?, owner_note) WHERE id = ?",
        [(status, tx.now, tx.now if status == "done" else None, note, m) for m in members])
    tx.audit("feedback.status", "feedback", item_id, old=old, new=status, items=members)
    return members


def set_note(tx: Tx, item_id: int, note: str) -> None:
    """The owner's "what we will do", on the item and everything linked with it."""
    clean = gate.lines(note, "note", NOTE_MAX)  # refused whole, never cut
    members = _members(tx, item_id)
    tx.conn.executemany("UPDATE feedback SET owner_note = ? WHERE id = ?",
                        [(clean, m) for m in members])
    tx.audit("feedback.note", "feedback", item_id, fields=["owner_note"])  # never the words


def link(tx: Tx, item_ids: list[int]) -> int:
    """Fold items (and the groups they are in) into one group, headed by the oldest.

    The group takes the head's status. Returns the head's id.
    """
    everyone = sorted({m for item in item_ids for m in _members(tx, item)})
    if len(everyone) < 2:
        raise RegularsError("feedback.link_needs_two")
    head = everyone[0]
    status = tx.execute("SELECT status, status_at, done_at FROM feedback WHERE id = ?",
                        (head,)).fetchone()
    tx.conn.executemany(
        "UPDATE feedback SET group_id = ?, status = ?, status_at = ?, done_at = ? WHERE id = ?",
        [(head, status[0], status[1], status[2], m) for m in everyone])
    tx.audit("feedback.link", "feedback", head, items=everyone)
    return head


def unlink(tx: Tx, item_id: int) -> None:
    """Take one item out of its group; a group of one is no group."""
    members = _members(tx, item_id)
    if len(members) < 2:
        raise RegularsError("feedback.not_linked", ref=str(item_id))
    rest = [m for m in members if m != item_id]
    tx.execute("UPDATE feedback SET group_id = NULL WHERE id = ?", (item_id,))
    new_head = rest[0] if len(rest) > 1 else None
    tx.conn.executemany("UPDATE feedback SET group_id = ? WHERE id = ?",
                        [(new_head, m) for m in rest])
    tx.audit("feedback.unlink", "feedback", item_id, group=rest)
