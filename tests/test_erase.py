"""Erasing a customer (db/erase.py, shop.customers.erase): the must-show byte scan, the
shop's totals, and that the customer can no longer be found anywhere.

The canary customer is built and edited while ``secure_delete`` is OFF (the product's
pragmas patched for the setup, and a raw connection editing their feedback), so old
versions of every value sit in free space; a control test shows the scan finds them
there, so the scan can fail. Then the product erases, with its own pragmas."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db import erase, sqlite_file
from db.customers import CustomerInput
from db.errors import NotFound, RegularsError
from db.shop import Shop
from db.store import Store
from db.values import Audience
from tests.conftest import HandClock

NAME = "甄测试鑫"
PHONE_OLD = "2162345678"  # the number before the edit (a landline: another length, so
# the edited row and index entries do not simply overwrite the old ones in place)
PHONE = "13987654321"
WECHAT_OLD = "zhen_canary_before_1"
WECHAT = "zhen_canary_b2"
SECRET = "甄测试鑫的旧地址：梅花路8号"
# Long notes spill into overflow pages; the edit shortens them, so those pages go to the
# free list whole (secure_delete off): no page the erase itself writes holds them.
NOTES = "爱吃蛋挞，周末常来。" * 190 + SECRET
NOTES_LATER = "甄测试鑫的备注：爱吃蛋挞"
WORDS = "甄测试鑫反馈：蛋挞太甜了"


def canaries() -> dict[str, bytes]:
    """Every value that must leave the file, as the bytes it would be stored as."""
    out = {"name": NAME.encode(), "notes": NOTES_LATER.encode(), "secret": SECRET.encode(),
           "words": WORDS.encode(),
           "pinyin": b"zhenceshixin", "wechat": WECHAT.encode(),
           "wechat_old": WECHAT_OLD.encode()}
    for label, national in (("phone", PHONE), ("phone_old", PHONE_OLD)):
        out[f"{label}_e164"] = f"+86{national}".encode()
        out[f"{label}_national"] = national.encode()
        out[f"{label}_reversed"] = national[::-1].encode()
    return out


def found_in_bytes(path: Path) -> dict[str, int]:
    """How often each canary occurs in the database file and its -wal, byte for byte."""
    data = b""
    for suffix in ("", "-wal"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            data += part.read_bytes()
    return {label: data.count(value) for label, value in canaries().items()
            if data.count(value)}


def _pragmas_without_secure_delete(conn: sqlite3.Connection) -> str:
    mode = _NORMAL(conn)
    conn.execute("PRAGMA secure_delete = OFF")  # as on builds where it is off by default
    return mode


_NORMAL = sqlite_file.normal_pragmas


@dataclass
class Built:
    path: Path
    customer_id: int
    member_code: str
    others: list[int]
    revenue: tuple[int, int]


def revenue(shop: Shop) -> tuple[int, int]:
    with shop.store.read() as conn:
        total, count = conn.execute("SELECT sum(amount_fen), count(*) FROM purchases").fetchone()
        spend = conn.execute("SELECT sum(total_spend_fen) FROM customers").fetchone()[0]
    assert spend == total  # every sale is on someone's figures
    return int(total), int(count)


@pytest.fixture
def built(db_path: Path, clock: HandClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Built]:
    """The canary customer and two others, made and edited with secure_delete OFF."""
    monkeypatch.setattr(sqlite_file, "normal_pragmas", _pragmas_without_secure_delete)
    store = Store(db_path, clock=clock)
    shop = Shop(store, store.actor())
    try:
        with store.read() as conn:
            assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 0
        made = shop.customers.add(CustomerInput(
            name=NAME, phone=PHONE_OLD, wechat_id=WECHAT_OLD, notes=NOTES,
            birthday="1990-03-05", gender="female", marketing_consent=True))
        others = [shop.customers.add(CustomerInput(name=n, phone=p)).id
                  for n, p in (("王小明", "13800138000"), ("李王芳", "13700137000"))]
        for cid, amount in ((made.id, "58.50"), (others[0], "20.00"), (made.id, "120.00")):
            shop.sales.record(cid, amount, f"{NAME}的蛋挞" if cid == made.id else "蛋挞")
        shop.customers.add_tag(made.id, "团购")
        shop.feedback.add(made.id, "quality", WORDS, "complaint")
        shop.feedback.set_note(1, f"回复{NAME}")
        shop.lifecycle.set_stage(made.id, "trust", f"{NAME}是熟客")
        # the edit: a new phone and WeChat id; the old ones are left in free space
        data = shop.customers.get(made.id).as_input()
        data.phone, data.wechat_id, data.notes = PHONE, WECHAT, NOTES_LATER
        shop.customers.update(made.id, data)
        shop.customers.record_view(made.id)
        totals = revenue(shop)
    finally:
        shop.close()
    # and a raw connection editing the feedback with secure_delete OFF
    raw = sqlite3.connect(db_path, isolation_level=None)
    try:
        raw.execute("PRAGMA secure_delete = OFF")
        raw.execute("UPDATE feedback SET words = words || '！' WHERE customer_id = ?", (made.id,))
    finally:
        raw.close()
    monkeypatch.undo()  # from here on the product's own pragmas
    yield Built(db_path, made.id, made.member_code, others, totals)


@pytest.fixture
def reopened(built: Built, clock: HandClock) -> Iterator[Shop]:
    shop = Shop.open(built.path, clock=clock)
    yield shop
    shop.close()


def test_control_the_canaries_are_in_the_bytes_before_the_erase(built: Built) -> None:
    """The scan can fail: the values, and old versions of some (which ones survive in
    free space depends on how SQLite reused it), are in the bytes."""
    found = found_in_bytes(built.path)
    assert {"name", "notes", "words", "pinyin", "wechat", "phone_e164", "phone_national",
            "phone_reversed"} <= set(found), found
    # old versions: which survive depends on which free pages later writes reused
    assert {"secret", "phone_old_e164", "phone_old_reversed", "wechat_old"} & set(found), found


def test_control_overwriting_the_row_without_secure_delete_leaves_them(built: Built) -> None:
    """What erase must do better than: blanking the values in place, secure_delete off."""
    raw = sqlite3.connect(built.path, isolation_level=None)
    try:
        raw.execute("PRAGMA secure_delete = OFF")
        raw.execute("UPDATE customers SET name = '—', phone = NULL, phone_rev = NULL,"
                    " wechat_id = NULL, notes = '', pinyin = '', sort_name = '',"
                    " erased_at = '2026-11-24' WHERE id = ?", (built.customer_id,))
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    found = found_in_bytes(built.path)
    assert {"name", "words", "pinyin", "phone_e164", "phone_reversed"} <= set(found), found


def test_the_erase_leaves_no_canary_in_the_file_or_its_log(built: Built, reopened: Shop
                                                           ) -> None:
    shop = reopened
    with shop.store.read() as conn:
        assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1  # the product's
    done = shop.customers.erase(built.customer_id)
    assert done.scrubbed
    assert done.plan.member_code == built.member_code
    assert done.plan.tags == 1 and done.plan.feedback == 1
    assert set(done.plan.fields) == {"name", "phone", "wechat_id", "birthday", "gender",
                                     "notes", "marketing_consent"}
    assert found_in_bytes(built.path) == {}
    assert revenue(shop) == built.revenue  # the shop's totals still add up
    gone = shop.customers.get(built.customer_id)
    assert gone.erased_at is not None and gone.name == erase.ERASED_NAME
    assert (gone.phone, gone.wechat_id, gone.birthday, gone.gender, gone.notes) == (
        None, None, "", None, "")
    assert not gone.marketing_consent and gone.total_spend_fen == 17850 and gone.orders == 2
    shop.close()
    assert found_in_bytes(built.path) == {}  # closing (a checkpoint) brings nothing back


def test_once_rewritten_an_erase_needs_no_rewrite_for_what_the_product_wrote(
        built: Built, reopened: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first erase rewrites the file (old values from before secure_delete); after
    that, secure_delete and the TRUNCATE checkpoint are enough, and no VACUUM makes the
    counter wait: a second canary, made and edited by the product, leaves no byte."""
    shop = reopened
    rewrites: list[bool] = []
    real_scrub = erase.scrub

    def spy(conn: sqlite3.Connection, path: Path, rewrite: bool) -> str | None:
        rewrites.append(rewrite)
        return real_scrub(conn, path, rewrite)

    monkeypatch.setattr(erase, "scrub", spy)
    assert shop.customers.erase(built.customer_id).scrubbed
    second = {"name": "柏测试桦", "phone": "13612345987", "old_phone": "13698765432",
              "wechat": "bai_canary_22", "words": "柏测试桦说：面包太硬"}
    made = shop.customers.add(CustomerInput(
        name=second["name"], phone=second["old_phone"], wechat_id=second["wechat"],
        notes="柏测试桦的旧备注，" * 200, marketing_consent=True))
    shop.sales.record(made.id, "42.00", "面包")
    shop.feedback.add(made.id, "quality", second["words"], "complaint")
    data = shop.customers.get(made.id).as_input()
    data.phone, data.notes = second["phone"], "短备注"
    shop.customers.update(made.id, data)
    before = revenue(shop)
    assert shop.customers.erase(made.id).scrubbed
    assert rewrites == [True, False]
    data_bytes = b"".join(Path(f"{built.path}{x}").read_bytes() for x in ("", "-wal")
                          if Path(f"{built.path}{x}").exists())
    values = [second["name"], second["wechat"], second["words"], "柏测试桦的旧备注"]
    for national in (second["phone"], second["old_phone"]):
        values += [national, national[::-1], f"+86{national}"]
    assert [v for v in values if v.encode() in data_bytes] == []
    assert revenue(shop) == before


def test_the_erased_customer_is_found_by_nothing(built: Built, reopened: Shop) -> None:
    shop = reopened
    cid = built.customer_id
    shop.customers.erase(cid)
    for query in ("甄", NAME, "zcsx", "zhenceshixin", "4321", PHONE, PHONE_OLD, WECHAT[:6],
                  built.member_code, "#团购", "stage:trust"):
        assert cid not in [h.id for h in shop.customers.search(query).hits], query
    assert cid not in [h.id for h in shop.customers.search("").hits]  # recently opened
    for ref in (built.member_code, PHONE, "4321"):
        with pytest.raises(NotFound):
            shop.customers.find(ref)
    assert all(cid not in (p.first.id, p.second.id) for p in shop.customers.duplicates())
    assert cid not in [h.id for h in shop.lifecycle.at_risk()]
    with shop.store.read() as conn:
        from db import audience

        everyone = audience.count(conn, Audience(), shop.store.now(), shop.today())
    assert everyone == len(built.others)


def test_an_erased_customer_cannot_be_changed_or_erased_again(built: Built, reopened: Shop
                                                              ) -> None:
    shop = reopened
    shop.customers.erase(built.customer_id)
    for attempt in (
            lambda: shop.customers.update(built.customer_id, CustomerInput(
                name="甄", phone=PHONE)),
            lambda: shop.customers.set_consent(built.customer_id, True, "counter"),
            lambda: shop.customers.erase(built.customer_id),
            lambda: shop.customers.erase_plan(built.customer_id)):
        with pytest.raises(RegularsError) as refused:
            attempt()
        assert refused.value.code == "customer.erased"
        assert refused.value.params == {"member_code": built.member_code}


def test_the_audit_row_names_fields_and_counts_only(built: Built, reopened: Shop) -> None:
    import json

    reopened.customers.erase(built.customer_id)
    with reopened.store.read() as conn:
        row = conn.execute("SELECT entity, entity_id, detail FROM audit_log"
                           " WHERE action = 'customer.erase'").fetchone()
    assert (row["entity"], row["entity_id"]) == ("customer", built.customer_id)
    assert json.loads(row["detail"]) == {
        "fields": ["name", "phone", "wechat_id", "birthday", "gender", "notes",
                   "marketing_consent"],
        "tags": 1, "feedback": 1, "texts": 4}


def test_the_plan_says_what_goes_and_what_stays(built: Built, reopened: Shop) -> None:
    plan = reopened.customers.erase_plan(built.customer_id)
    # texts: two sales' items, the owner's note on the feedback, the typed stage reason
    assert (plan.tags, plan.feedback, plan.texts) == (1, 1, 4)
    assert plan.kept == {"purchases": 2, "points": 2, "stages": 1}
    assert reopened.customers.get(built.customer_id).erased_at is None  # a plan changes nothing


def test_a_reader_elsewhere_leaves_the_scrub_unfinished_until_it_closes(
        built: Built, reopened: Shop, clock: HandClock) -> None:
    reader = sqlite3.connect(built.path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM customers").fetchone()  # holds its snapshot
        done = reopened.customers.erase(built.customer_id)
        assert not done.scrubbed
        assert reopened.customers.get(built.customer_id).erased_at is not None  # committed
    finally:
        reader.close()
    assert [c.ok for c in reopened.doctor(quick=True).checks if c.name == "erase_scrub"] == [False]
    assert reopened.customers.finish_erase() == "done"  # what `regulars doctor` runs
    assert reopened.customers.finish_erase() == "nothing"
    assert all(c.ok for c in reopened.doctor(quick=True).checks if c.name == "erase_scrub")
    reopened.close()
    assert found_in_bytes(built.path) == {}


# -- every table and column is handled ------------------------------------------------------
def _tables_pointing_at_customers(conn: sqlite3.Connection) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for (table,) in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'"
                                 " AND name NOT LIKE 'sqlite_%'"):
        if table in ("customers", "audit_log"):  # audit rows hold no personal values
            continue
        for fk in conn.execute(f"PRAGMA foreign_key_list({table})"):
            if fk["table"] == "customers":
                found.setdefault(table, set()).add(fk["from"])
        for col in conn.execute(f"PRAGMA table_info({table})"):
            if col["name"] == "customer_id" or col["name"].endswith("_customer_id"):
                found.setdefault(table, set()).add(col["name"])
    return found


def test_every_table_pointing_at_a_customer_is_handled(shop: Shop) -> None:
    """A table added later with a customer column fails here until db/erase.py names it."""
    with shop.store.read() as conn:
        found = _tables_pointing_at_customers(conn)
    assert found == {t: set(cols) for t, cols in erase.POINTING.items()}


def test_every_text_column_of_those_tables_is_blanked_or_holds_codes_only(shop: Shop) -> None:
    """A new free-text column (a note, a reason) on a row about a customer fails here
    until the erase blanks it, or it is named as holding codes and times only."""
    with shop.store.read() as conn:
        for table in erase.POINTING:
            if table in erase.DELETED:
                continue
            text = {c["name"] for c in conn.execute(f"PRAGMA table_info({table})")
                    if c["type"].upper() == "TEXT"}
            named = set(erase.BLANKED.get(table, {})) | set(erase.CODES_ONLY.get(table, ()))
            assert text == named, table
            assert not set(erase.BLANKED.get(table, {})) & set(erase.CODES_ONLY.get(table, ()))


def test_every_customer_column_is_cleared_or_kept(shop: Shop) -> None:
    with shop.store.read() as conn:
        columns = {c["name"] for c in conn.execute("PRAGMA table_info(customers)")}
    assert columns == set(erase.PERSONAL) | set(erase.KEPT_COLUMNS)
    assert not set(erase.PERSONAL) & set(erase.KEPT_COLUMNS)


def test_an_erased_referrer_leaves_the_leaderboard(shop: Shop) -> None:
    referrer = shop.customers.add(CustomerInput(name="王芳", phone="13911112222"))
    friend = shop.customers.add(CustomerInput(name="李娜", phone="13911113333"),
                                referred_by=referrer.member_code)
    shop.sales.record(friend.id, "100.00")
    assert [x.customer_id for x in shop.rewards.leaderboard()] == [referrer.id]
    shop.customers.erase(referrer.id)
    assert shop.rewards.leaderboard() == []
