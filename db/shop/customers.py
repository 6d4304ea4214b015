"""Customers: finding them, adding and correcting them, their tags, and the whole story
the customer screen shows, read in one transaction."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from .. import customers, tags
from ..customers import Customer, CustomerInput
from ..errors import NotFound
from ..phones import pretty
from ..search import DEFAULT_LIMIT, SearchResult, resolve_one, search
from .base import Area, reads, reads_sensitive, writes

if TYPE_CHECKING:
    from ..duplicates import Found, Pair
    from ..erase import Erased, ErasePlan
    from ..merge import Merged
    from .story import CustomerStory


class Customers(Area):
    # the last duplicates list, and the customers table's fingerprint when it was made
    _duplicates: tuple[tuple[object, ...], Found] | None = None

    @reads
    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> SearchResult:
        with self._read() as conn:
            return search(conn, query, limit, self._door.region)

    @reads
    def get(self, customer_id: int) -> Customer:
        with self._read() as conn:
            return customers.get(conn, customer_id)

    @reads
    def find(self, ref: str) -> Customer:
        """By member code, phone or phone tail, or name: exactly one, or an error."""
        with self._read() as conn:
            return self._find(conn, ref)

    def _find(self, conn: sqlite3.Connection, ref: str) -> Customer:
        try:
            return customers.find_one(conn, ref, self._door.region)
        except NotFound:
            from ..merge import merged_into

            keep = merged_into(conn, ref)
            if keep is None:
                raise
            raise NotFound("customer.merged", ref=ref, keep_code=keep) from None

    @reads
    def phone_owner(self, phone: str, exclude_id: int | None = None) -> Customer | None:
        with self._read() as conn:
            return customers.phone_owner(conn, phone, self._door.region, exclude_id)

    @reads
    def story(self, customer_id: int, limit: int = 50) -> CustomerStory:
        """The customer screen's whole story in one read transaction, so a sale at
        another counter never shows half way (the new total with the old list)."""
        from .story import read_story  # its rules load when a customer is first opened

        now = self._door.store.now()
        with self._snapshot() as conn:
            return read_story(conn, customer_id, now, limit)

    @writes("customer.add")
    def add(self, data: CustomerInput, referred_by: str = "") -> Customer:
        """A new customer, and who referred them (a member code or phone) if anyone:
        both in one transaction, so a refused referral adds no one."""
        region = self._door.region
        clean = customers.validate(data, self._door.today(), region)
        with self._write() as tx:
            referrer = None
            if referred_by.strip():
                from .. import referrals

                referrer = customers.get(tx.conn, resolve_one(tx.conn, referred_by, region))
                referrals.check_self(
                    tx.execute("SELECT id, phone, wechat_id FROM customers WHERE id = ?",
                               (referrer.id,)).fetchone(),
                    clean.phone.e164 if clean.phone else None, clean.wechat_id, None)
            made = customers.add(tx, clean)
            if referrer is not None:
                referrals.register(tx, made.id, referrer.id, self._door.timezone)
            return made

    @writes("customer.edit")
    def update(self, customer_id: int, data: CustomerInput) -> Customer:
        clean = customers.validate(data, self._door.today(), self._door.region)
        with self._write() as tx:
            return customers.update(tx, customer_id, clean)

    @writes("customer.view")
    def record_view(self, customer_id: int) -> None:
        with self._write() as tx:
            customers.record_view(tx, customer_id)

    # -- privacy: audited reads of personal data, consent, access and erasure --------------
    @writes("customer.reveal_phone")
    def full_phone(self, customer_id: int) -> str:
        """The whole number as the shop writes it, for the customer screen's reveal key.
        Its audit row is written in the same transaction as the read: no row, no number.
        "" for a customer without a phone (nothing revealed, nothing recorded)."""
        with self._write() as tx:
            phone = customers.get(tx.conn, customer_id).phone
            if not phone:
                return ""
            tx.audit("customer.reveal_phone", "customer", customer_id, fields=["phone"])
            return pretty(phone, self._door.region)

    @writes("customer.show")
    def show(self, ref: str) -> Customer:
        """``regulars customer show``: the whole record in a terminal, audited."""
        with self._write() as tx:
            found = self._find(tx.conn, ref)
            tx.audit("customer.show", "customer", found.id)
            return found

    @writes("customer.consent")
    def set_consent(self, customer_id: int, given: bool, source: str) -> Customer:
        """Marketing consent given or withdrawn, now, and where (vocab.CONSENT_SOURCES)."""
        with self._write() as tx:
            return customers.set_consent(tx, customer_id, given, source)

    @reads_sensitive("customer.erase", traced=False)  # a preview: the erase records itself
    def erase_plan(self, customer_id: int) -> ErasePlan:
        """What erasing this customer would remove and what stays, or why it can't."""
        from .. import erase

        with self._snapshot() as conn:
            return erase.plan(conn, customer_id)

    @writes("customer.erase")
    def erase(self, customer_id: int) -> Erased:
        """Erase one customer (db/erase.py), then scrub the file (the first time in a
        file, a rewrite) so the old values leave its free pages and the write-ahead log."""
        from .. import erase

        with self._write() as tx:
            done = erase.erase(tx, customer_id)
        self._duplicates = None
        return erase.Erased(done, self._scrub())

    @writes("customer.erase")
    def finish_erase(self) -> str:
        """Rewrite the file for erases left pending (another program had it open, or the
        disk was full): "nothing" to do (or a read-only file: doctor's check still says
        it is pending), "done", or why not yet ("busy", "full")."""
        from .. import erase

        with self._read() as conn:
            if erase.pending(conn) is None or self._door.store.readonly is not None:
                return "nothing"
        return self._scrub() or "done"

    def _scrub(self) -> str | None:
        from .. import erase

        with self._read() as conn:
            rewrite = erase.needs_rewrite(conn)
            problem = erase.scrub(conn, self._door.store.path, rewrite)
        if problem is None:
            with self._write() as tx:
                erase.scrubbed(tx, rewrite)
        return problem

    @writes("customer.export_personal")
    def export_personal(self, customer_id: int, path: Path) -> Path:
        """Everything held about one person as a JSON file (db/personal.py), audited;
        if the audit row cannot be kept, the file is removed again."""
        from .. import personal

        written: list[Path] = []
        try:
            with self._write() as tx:
                doc = personal.document(tx.conn, customer_id, tx.now)
                written.append(personal.write(path, doc))
                tx.audit("customer.export_personal", "customer", customer_id,
                         sections={k: len(v) for k, v in doc.items() if isinstance(v, list)})
        except BaseException:
            for made in written:
                made.unlink(missing_ok=True)
            raise
        return written[0]

    # -- duplicates and merge (db/duplicates.py, db/merge.py) ----------------------------
    @reads
    def duplicates(self, limit: int = 50, offset: int = 0) -> list[Pair]:
        """Pairs that look like one person written twice, each with its reasons."""
        from .. import duplicates

        with self._snapshot() as conn:
            mark = duplicates.fingerprint(conn)
            cached = self._duplicates
            if cached is None or cached[0] != mark:  # a customer changed: look again
                cached = self._duplicates = (mark, duplicates.find_all(conn))
            return duplicates.page(conn, cached[1], limit, offset)

    @reads_sensitive("customer.merge", traced=False)  # only for a merge: the owner's
    def merge_plan(self, keep_id: int, other_id: int) -> dict[str, int]:
        """What merging OTHER into KEEP would move (rows by table), or why it can't."""
        from .. import merge

        with self._snapshot() as conn:
            merge.check(conn, keep_id, other_id)
            return merge.counts(conn, other_id)

    @writes("customer.merge")
    def merge(self, keep_id: int, other_id: int) -> Merged:
        """OTHER's rows become KEEP's and OTHER is gone, in one transaction."""
        from .. import merge

        with self._write() as tx:
            return merge.merge(tx, keep_id, other_id)

    # -- tags ----------------------------------------------------------------------------
    @reads
    def tags_of(self, customer_id: int) -> list[str]:
        with self._read() as conn:
            return tags.of_customer(conn, customer_id)

    @reads
    def all_tags(self) -> list[tags.Tag]:
        with self._read() as conn:
            return tags.all_tags(conn)

    @writes("tag.add")
    def add_tag(self, customer_id: int, name: str) -> str:
        with self._write() as tx:
            return tags.add(tx, customer_id, name)

    @writes("tag.remove")
    def remove_tag(self, customer_id: int, name: str) -> None:
        with self._write() as tx:
            tags.remove(tx, customer_id, name)

    @writes("tag.rename")
    def rename_tag(self, old: str, new: str) -> str:
        with self._write() as tx:
            return tags.rename(tx, old, new)
