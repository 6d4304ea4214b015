"""The one input gate (db/gate.py), and the items of issue 11 it closes: 4, 5, 7, 10-13.

Each test names the item it guards; each failed on the code before the gate.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import unicodedata
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from console.cli import app
from console.i18n import error_text, set_language
from db import gate
from db.customers import CustomerInput
from db.errors import RegularsError, ValidationError
from db.money import format_fen
from db.shop import Shop
from tests.conftest import HandClock

runner = CliRunner()
NOW = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai, as in conftest


Clock = HandClock  # the conftest clock starts at NOW too


def code_of(exc: pytest.ExceptionInfo[RegularsError]) -> str:
    return exc.value.code


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert not isinstance(result.exception, (OverflowError, ValueError, TypeError)), \
        result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def blank_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gate") / "blank.db"
    assert cli("init", "--db", str(path))[0] == 0
    return path


@pytest.fixture
def db(tmp_path: Path, blank_db: Path) -> str:
    """A fresh shop file per test: a copy of one made by ``init`` (closed, so whole)."""
    path = tmp_path / "cli.db"
    shutil.copyfile(blank_db, path)
    return str(path)


def add_customer(db: str, name: str = "王芳", phone: str = "139 1111 2222") -> str:
    code, out, err = cli("customer", "add", "--db", db, "--name", name, "--phone", phone,
                         "--json")
    assert code == 0, err
    return str(json.loads(out)["member_code"])


def count(db: str, table: str) -> int:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def stored(db: str, key: str) -> str | None:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])
    finally:
        conn.close()


# -- the gate itself ----------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "fen"), [
    ("58.5", 5850), ("￥1,280.50", 128050), ("¥ 12", 1200), ("１２元", 1200), ("0.05", 5),
    ("1,000,000", 100_000_000), ("12,345.6", 1_234_560), ("-5", -500), (".5", 50)])
def test_money_accepts_amounts_as_a_counter_writes_them(text: str, fen: int) -> None:
    assert gate.money(text) == fen


@pytest.mark.parametrize(("text", "code"), [
    ("1e5", "money.invalid"), ("1E5", "money.invalid"), ("١٢٣", "money.invalid"),
    ("१२३", "money.invalid"), ("nan", "money.invalid"), ("inf", "money.invalid"),
    ("Infinity", "money.invalid"), ("1_000", "money.invalid"), ("", "gate.money.blank"),
    ("1,2,3", "gate.money.commas"), ("12,34", "gate.money.commas"),
    ("1,2345", "gate.money.commas"), ("1.005", "money.decimals"),
    ("1000000.01", "gate.money.too_large"), ("9" * 400, "gate.money.too_large")])
def test_money_refuses_what_is_not_plainly_an_amount(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        gate.money(text)
    assert code_of(err) == code


@given(st.integers(min_value=0, max_value=gate.MONEY_MAX_FEN))
def test_every_amount_shown_reads_back_as_itself(fen: int) -> None:
    assert gate.money(format_fen(fen)) == fen


@settings(max_examples=300)
@given(st.text(max_size=30))
def test_money_either_refuses_with_a_sentence_or_stays_under_the_ceiling(text: str) -> None:
    try:
        fen = gate.money(text)
    except ValidationError:
        return
    assert abs(fen) <= gate.MONEY_MAX_FEN
    assert gate.money(format_fen(fen)) == fen  # and it is a plain amount


@settings(max_examples=300)
@given(st.text(max_size=60))
def test_no_control_or_invisible_character_passes_a_single_line_field(text: str) -> None:
    try:
        clean = gate.line(text, "name", 60)
    except ValidationError:
        return
    assert all(unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in clean)
    assert clean == unicodedata.normalize("NFC", clean) and len(clean) <= 60


@settings(max_examples=300)
@given(st.text(max_size=60))
def test_multi_line_fields_keep_lines_and_refuse_controls(text: str) -> None:
    try:
        clean = gate.lines(text, "notes", 60)
    except ValidationError:
        return
    for ch in clean:
        assert ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs", "Zl", "Zp")
        assert ch not in gate.BIDI


def test_multi_line_text_keeps_its_lines_and_emoji() -> None:
    assert gate.lines("第一行\r\n第二行\tok 👨‍👩‍👧", "notes", 100) == "第一行\n第二行\tok 👨‍👩‍👧"
    with pytest.raises(ValidationError):
        gate.line("第一行\n第二行", "name", 100)


@pytest.mark.parametrize("text", ["40" * 20, "1" + "0" * 39, "9" * 5000])
def test_forty_digits_say_the_range(text: str) -> None:
    with pytest.raises(ValidationError) as err:
        gate.whole(text, "points", 1, 100)
    assert code_of(err) == "gate.whole.range"
    assert "from 1 to 100" in error_text(err.value)


@pytest.mark.parametrize(("text", "code"), [
    ("2.5", "gate.whole.fraction"), ("1e5", "gate.whole.invalid"),
    ("١٢", "gate.whole.invalid"), ("²", "gate.whole.invalid"), ("--3", "gate.whole.invalid")])
def test_whole_numbers_are_digits(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        gate.whole(text, "n", 0, 100)
    assert code_of(err) == code


@pytest.mark.parametrize("text", ["NaN", "nan", "inf", "-inf", "1e9", "0.001", "0", "366"])
def test_decimal_refuses_nan_inf_exponents_and_out_of_range(text: str) -> None:
    with pytest.raises(ValidationError):
        gate.decimal(text, "days", Decimal(1), Decimal(365))


def test_an_error_repeats_the_value_short_and_without_escapes() -> None:
    with pytest.raises(ValidationError) as err:
        gate.money("\x1b]0;pwned\x07" + "9" * 100)
    shown = err.value.fields["amount"][1]["value"]
    assert "\x1b" not in shown and "\x07" not in shown and len(shown) <= 25


# -- item 4: amounts ---------------------------------------------------------------------------
@pytest.mark.parametrize("amount", ["1e5", "1,2,3", "١٢٣", "1000000.01"])
def test_item4_a_sale_refuses_exponents_misplaced_commas_and_other_digits(
        shop: Shop, amount: str) -> None:
    cid = shop.customers.add(CustomerInput(name="王芳", phone="13911112222")).id
    with pytest.raises(ValidationError):
        shop.sales.record(cid, amount)
    assert shop.sales.count(cid) == 0


def test_item4_cli_purchase_of_1e9_is_refused(db: str) -> None:
    member = add_customer(db)
    code, _, err = cli("purchase", "add", "--db", db, "--customer", member, "--amount", "1e9")
    assert code == 1 and "not an amount" in err
    assert count(db, "purchases") == 0


# -- item 5: stage rules -----------------------------------------------------------------------
def test_item5_at_least_99999_purchases_is_refused_with_the_range(shop: Shop) -> None:
    with pytest.raises(ValidationError) as err:
        shop.settings.set("lifecycle.trust_orders", "99999")
    assert "from 1 to 100" in error_text(err.value)
    assert shop.lifecycle.settings()["lifecycle.trust_orders"] == "3"


def test_item5_a_fraction_for_a_whole_setting_says_whole_number_and_range(shop: Shop) -> None:
    with pytest.raises(ValidationError) as err:
        shop.settings.set("lifecycle.trust_orders", "2.5")
    text = error_text(err.value)
    assert "not a whole number" in text and "1 to 100" in text


def test_item5_fractional_settings_take_fractions(shop: Shop) -> None:
    shop.settings.set("lifecycle.window_factor", "2.5")
    shop.settings.set("lifecycle.window_min_days", "１４")  # full-width digits
    assert shop.lifecycle.settings()["lifecycle.window_factor"] == "2.5"
    assert shop.settings.get("lifecycle.window_min_days") == "14"


# -- item 7: nothing is cut ----------------------------------------------------------------------
def test_item7_a_300_character_name_is_refused_not_cut(shop: Shop) -> None:
    with pytest.raises(ValidationError) as err:
        shop.customers.add(CustomerInput(name="王" * 300, phone="13911112222"))
    assert err.value.fields["name"] == ("gate.text.too_long", {"max": 40, "count": 300})
    assert shop.customers.search("13911112222").hits == []


def test_item7_a_long_owner_note_is_refused_not_cut(shop: Shop) -> None:
    cid = shop.customers.add(CustomerInput(name="王芳", phone="13911112222")).id
    item = shop.feedback.add(cid, "quality", "面包硬了")
    with pytest.raises(ValidationError) as err:
        shop.feedback.set_note(item.id, "我们会改进。" * 900)
    assert err.value.fields["note"][1]["max"] == 1000
    with pytest.raises(ValidationError):
        shop.feedback.set_status(item.id, "reviewing", "x" * 5400)
    assert shop.feedback.item(item.id).owner_note == ""
    shop.feedback.set_note(item.id, "第一步：换面粉\n第二步：回访")
    assert shop.feedback.item(item.id).owner_note == "第一步：换面粉\n第二步：回访"


def test_item7_a_long_refund_reason_or_points_reason_is_refused_not_cut(shop: Shop) -> None:
    cid = shop.customers.add(CustomerInput(name="王芳", phone="13911112222")).id
    sale = shop.sales.record(cid, "50")
    with pytest.raises(ValidationError):
        shop.sales.refund(sale.id, "理由" * 300)
    with pytest.raises(ValidationError):
        shop.rewards.spend_points(cid, "10", "礼品" * 150)
    assert shop.customers.get(cid).points == 50 and shop.sales.count(cid) == 1


def test_item7_screens_do_not_cut_what_is_typed_or_pasted() -> None:
    """Textual's ``Input(max_length=N)`` drops what goes past N without a word: only
    one-key pickers and coupon-code boxes keep a length; everything else is checked by
    the gate, which names the limit."""
    screens = Path(__file__).resolve().parents[1] / "screens"
    found = {(p.name, int(n)) for p in screens.glob("*.py")
             for n in re.findall(r"max_length=(\d+)", p.read_text(encoding="utf-8"))}
    assert {n for _, n in found} <= {1, 20}, found
    code_boxes = {(p.name, m) for p in screens.glob("*.py")
                  for m in re.findall(r'Input\(id="(\w+)", max_length=20',
                                      p.read_text(encoding="utf-8"))}
    assert {m for _, m in code_boxes} <= {"code"}


# -- item 10: coupons ------------------------------------------------------------------------------
def test_item10_a_template_cannot_end_in_the_past_or_in_9999(shop: Shop) -> None:
    with pytest.raises(ValidationError) as err:
        shop.coupons.add_template("旧券", "amount", value="10", valid_until="2020-01-01")
    assert err.value.fields["valid"][0] == "gate.coupon.until_past"
    with pytest.raises(ValidationError) as err:
        shop.coupons.add_template("远券", "amount", value="10", valid_until="9999-12-31")
    assert err.value.fields["valid"][0] == "gate.day.range"
    assert "2036-11-24" in error_text(err.value)
    made = shop.coupons.add_template("今天", "amount", value="10", valid_until="2026-11-24")
    assert made.valid_until == "2026-11-24"


def test_item10_issuing_from_a_template_that_has_ended_is_refused(shop: Shop,
                                                                   clock: Clock) -> None:
    cid = shop.customers.add(CustomerInput(name="王芳", phone="13911112222")).id
    shop.coupons.add_template("周末券", "amount", value="10", valid_until="2026-11-25")
    assert shop.coupons.issue("周末券", cid) is not None
    clock.now = NOW + timedelta(days=2)
    with pytest.raises(RegularsError) as err:
        shop.coupons.issue("周末券", cid)
    assert code_of(err) == "gate.coupon.template_ended"
    from db.audience import Audience

    with pytest.raises(RegularsError):
        shop.campaigns.plan("周末券", Audience(), "manual")


@pytest.mark.parametrize(("option", "label"), [("--cap", "Cap"), ("--min-spend", "Min spend")])
def test_item10_negative_cap_and_min_spend_get_a_sentence_naming_the_field(
        db: str, option: str, label: str) -> None:
    code, _, err = cli("coupon", "template", "add", "--db", db, "--name", "九折",
                       "--kind", "percent", "--value", "10", option, "-5", "--valid-days", "7")
    assert code == 1 and err.startswith(f"{label}:") and "above zero" in err
    assert "CHECK" not in err and count(db, "coupon_templates") == 0


def test_item10_cli_until_in_the_past_and_void_without_reason(db: str) -> None:
    code, _, err = cli("coupon", "template", "add", "--db", db, "--name", "旧", "--kind",
                       "amount", "--value", "10", "--until", "2020-01-01")
    assert code == 1 and "before today" in err
    code, _, err = cli("coupon", "template", "add", "--db", db, "--name", "远", "--kind",
                       "amount", "--value", "10", "--until", "9999-12-31")
    assert code == 1 and "out of range" in err
    cli("coupon", "template", "add", "--db", db, "--name", "减10", "--kind", "amount",
        "--value", "10", "--valid-days", "7")
    member = add_customer(db)
    code, out, err = cli("coupon", "issue", "--db", db, "--template", "减10", "--customer",
                         member)
    assert code == 0, err
    for reason in ("", "   "):
        code, _, err = cli("coupon", "void", out.strip(), "--reason", reason, "--db", db)
        assert code == 1 and "Say why" in err
    code, shown, _ = cli("coupon", "show", out.strip(), "--db", db)
    assert json.loads(shown)["status"] == "issued"


def test_item10_a_coupon_worth_more_than_the_sale_says_so(shop: Shop) -> None:
    cid = shop.customers.add(CustomerInput(name="王芳", phone="13911112222")).id
    shop.coupons.add_template("减100", "amount", value="100", valid_days=7)
    coupon = shop.coupons.issue("减100", cid)
    assert coupon is not None
    with pytest.raises(ValidationError) as err:
        shop.coupons.redeem(coupon.code, "80", cid)
    text = error_text(err.value)
    assert "¥100.00" in text and "¥80.00" in text and "more than the whole sale" in text
    assert shop.sales.count(cid) == 0


# -- item 11: at risk --
def regular_with_sales_today(shop: Shop, times: list[str]) -> int:
    cid = shop.customers.add(CustomerInput(name="王芳", phone="13911112222")).id
    for at in times:
        shop.sales.record(cid, "20", when=at)
    return cid


def test_item11_a_customer_who_bought_today_is_never_at_risk(shop: Shop,
                                                            clock: Clock) -> None:
    # three sales this morning (Shanghai): trust, with a usual interval of an hour
    clock.now = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)  # 12:00 local
    cid = regular_with_sales_today(shop, ["2026-11-24 08:00", "2026-11-24 09:00",
                                               "2026-11-24 10:00"])
    assert shop.customers.get(cid).stage == "trust"
    assert cid not in [h.id for h in shop.lifecycle.at_risk()]
    clock.now = datetime(2026, 11, 24, 15, 59, tzinfo=UTC)  # 23:59 local, same day
    assert cid not in [h.id for h in shop.lifecycle.at_risk()]


def test_item11_the_edge_at_the_shops_midnight(shop: Shop, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 23, 15, 59, tzinfo=UTC)  # 23:59 local on the 23rd
    cid = regular_with_sales_today(shop, ["2026-11-23 23:00", "2026-11-23 23:10",
                                               "2026-11-23 23:20"])  # every 10 minutes
    clock.now = datetime(2026, 11, 23, 16, 1, tzinfo=UTC)  # 00:01 local on the 24th
    assert cid not in [h.id for h in shop.lifecycle.at_risk()]  # bought 41 minutes ago
    clock.now = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # a whole day on: overdue
    shop.lifecycle.recompute()
    assert cid in [h.id for h in shop.lifecycle.at_risk()]


# -- item 12: no tracebacks, ranges --
BIG = "1" + "0" * 39


@pytest.mark.parametrize("args", [
    ("points", "spend", "{m}", "--points", BIG, "--reason", "礼品"),
    ("points", "adjust", "{m}", "--points", BIG, "--reason", "更正"),
    ("points", "adjust", "{m}", "--points", "-" + BIG, "--reason", "更正"),
    ("points", "opening", "{m}", "--points", BIG),
    ("purchase", "refund", BIG),
    ("customer", "find", "王", "--limit", BIG),
    ("customer", "find", "王", "--limit", "0"),
    ("lifecycle", "at-risk", "--limit", "-1"),
    ("points", "show", "{m}", "--limit", BIG),
    ("coupon", "template", "add", "--name", "x", "--kind", "amount", "--value", "1",
     "--valid-days", BIG),
    ("coupon", "template", "add", "--name", "x", "--kind", "amount", "--value", "1",
     "--valid-days", "7", "--per-customer", BIG),
    ("coupon", "issue", "--template", "x", "--birthday-within", BIG),
    ("seed", "--customers", BIG),
])
def test_item12_forty_digit_integers_get_a_sentence(db: str, args: tuple[str, ...]) -> None:
    member = add_customer(db)
    before = count(db, "points_ledger"), count(db, "purchases"), count(db, "coupon_templates")
    code, _, err = cli(*(a.format(m=member) for a in args), "--db", db)
    assert code != 0 and err.strip(), err
    assert len(err.strip().splitlines()) <= 2
    assert (count(db, "points_ledger"), count(db, "purchases"),
            count(db, "coupon_templates")) == before


@pytest.mark.parametrize(("key", "value"), [
    ("points.per_yuan", "9" * 40), ("points.per_yuan", "101"),
    ("points.fen_per_point", "0"), ("lifecycle.window_min_days", "NaN"),
    ("lifecycle.window_min_days", "inf"), ("lifecycle.window_min_days", "1e9"),
    ("lifecycle.window_min_days", "0.001"), ("lifecycle.dormant_days", "-3"),
    ("lifecycle.trust_orders", "-3"), ("referral.clawback_days", "-3"),
    ("levels.gold", "1e9"), ("levels.gold", "99999999999")])
def test_item12_settings_have_a_type_and_a_range(db: str, key: str, value: str) -> None:
    before = stored(db, key)
    code, _, err = cli("settings", "set", key, value, "--db", db)
    assert code == 1 and "No such option" not in err
    assert re.search(r"from .+ to ", err), err
    assert stored(db, key) == before


def test_item12_a_sale_after_the_highest_rate_stays_in_int64(shop: Shop) -> None:
    shop.settings.set("points.per_yuan", "100")
    cid = shop.customers.add(CustomerInput(name="王芳", phone="13911112222")).id
    shop.sales.record(cid, "1,000,000", confirmed=True)
    assert shop.customers.get(cid).points == 100_000_000


# -- item 13: control characters and invisible characters ---------------------------------------
EVIL = ["\x1b]0;pwned\x07", "a\u202eb", "王\u200b芳", "\u2066x\u2069", "a\x85b",
        "a\u2028b", "\ufeff王", "a\u200fb", "a\u061cb", "王\x00芳"]


@pytest.mark.parametrize("evil", EVIL)
def test_item13_names_tags_templates_and_reasons_refuse_hidden_characters(
        shop: Shop, evil: str) -> None:
    with pytest.raises(ValidationError):
        shop.customers.add(CustomerInput(name=evil, phone="13911112222"))
    cid = shop.customers.add(CustomerInput(name="王芳", phone="13911112222")).id
    with pytest.raises(ValidationError):
        shop.customers.add_tag(cid, evil)
    with pytest.raises(ValidationError):
        shop.coupons.add_template(evil, "amount", value="10", valid_days=7)
    with pytest.raises(ValidationError):
        shop.coupons.add_template("礼", "gift", gift=evil, valid_days=7)
    with pytest.raises(ValidationError):
        shop.lifecycle.set_stage(cid, "trust", evil)
    with pytest.raises(ValidationError):
        shop.sales.record(cid, "10", items=evil)
    assert shop.customers.tags_of(cid) == [] and shop.coupons.templates() == []


def test_item13_template_names_and_gifts_have_a_limit(shop: Shop) -> None:
    with pytest.raises(ValidationError) as err:
        shop.coupons.add_template("满" * 100_000, "gift", gift="咖" * 100_000, valid_days=7)
    assert err.value.fields["name"] == ("gate.text.too_long", {"max": 40, "count": 100_000})
    assert err.value.fields["gift"][1]["max"] == 40


def test_item13_cli_refuses_an_escape_sequence_in_a_name(db: str) -> None:
    code, _, err = cli("customer", "add", "--db", db, "--name", "\x1b]0;pwned\x07",
                       "--phone", "139 1111 2222")
    assert code == 1 and "U+001B" in err and "\x1b" not in err
    assert count(db, "customers") == 0


def test_item12_settings_set_takes_a_negative_value_to_the_gate(db: str) -> None:
    code, _, err = cli("settings", "set", "lifecycle.window_min_days", "-3", "--db", db)
    assert code == 1 and "No such option" not in err and "from 1 to 365" in err


def test_messages_exist_in_both_languages_for_every_gate_code() -> None:
    from console.locales import en, zh

    ours = {k for k in en.MESSAGES if k.startswith("gate.")}
    assert ours and ours == {k for k in zh.MESSAGES if k.startswith("gate.")}
    set_language("zh")
    try:
        assert "1 到 100" in error_text(ValidationError({"n": (
            "gate.whole.range", {"value": "0", "low": 1, "high": 100})}))
    finally:
        set_language("en")


def test_dates_have_a_sane_range() -> None:
    today = date(2026, 11, 24)
    assert gate.latest_day(today) == date(2036, 11, 24)
    assert gate.latest_day(date(2028, 2, 29)) == date(2038, 2, 28)
    with pytest.raises(ValidationError):
        gate.day("9999-12-31", "d", gate.EARLIEST_DAY, gate.latest_day(today))
    with pytest.raises(ValidationError):
        gate.day("2026-13-01", "d", gate.EARLIEST_DAY, gate.latest_day(today))
    assert gate.day("２０２６-１２-３１", "d", today, gate.latest_day(today)) == date(2026, 12, 31)


def test_item12_a_rate_stored_before_ranges_no_longer_kills_every_sale(shop: Shop) -> None:
    # what `settings set` accepted before the gate
    with shop.store.write(shop.actor, "setting.set") as tx:
        tx.execute("INSERT INTO settings(key, value) VALUES ('points.per_yuan', ?)"
                   " ON CONFLICT(key) DO UPDATE SET value = excluded.value", ("9" * 30,))
        tx.audit("setting.set", "setting", None, key="points.per_yuan")
    cid = shop.customers.add(CustomerInput(name="王芳", phone="13911112222")).id
    shop.sales.record(cid, "58")
    assert shop.customers.get(cid).points == 58  # the default rate, 1 a yuan


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=12))
def test_no_tag_is_stored_with_a_control_or_invisible_character(shop: Shop, text: str) -> None:
    who = shop.customers.phone_owner("13911112222") or shop.customers.add(
        CustomerInput(name="王芳", phone="13911112222"))
    cid = who.id
    with contextlib.suppress(ValidationError):  # refused: fine, as long as nothing is kept
        shop.customers.add_tag(cid, text)
    for tag in shop.customers.tags_of(cid):
        assert all(unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp")
                   for ch in tag), repr(tag)


@pytest.mark.parametrize("blank", ["", "  ", "￥", "元"])
def test_nothing_typed_is_asked_for_not_quoted(blank: str) -> None:
    """The trial saw “” is not an amount: a blank box asks for the value."""
    from db import gate
    from db.errors import ValidationError

    with pytest.raises(ValidationError) as money:
        gate.money(blank, "amount")
    assert money.value.fields["amount"][0] == "gate.money.blank"
    if blank.strip():
        return  # a lone ¥ is no number, blank or not
    with pytest.raises(ValidationError) as whole:
        gate.whole(blank, "points", 1, 100)
    assert whole.value.fields["points"][0] == "gate.whole.blank"
