"""The CLI: same search as the screen, JSON for scripts, plain errors on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from console.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    code, _, err = run("seed", "--customers", "300", "--seed", "7", "--db", str(path))
    assert code == 0, err
    return path


def test_find_by_tail_json(seeded: Path) -> None:
    code, out, _ = run("customer", "find", "--db", str(seeded), "--json", "000")
    assert code in (0, 1)
    code, out, err = run("customer", "add", "--db", str(seeded), "--name", "单田芳",
                         "--phone", "138 0013 8000")
    assert code == 0, err
    code, out, err = run("customer", "find", "8000", "--db", str(seeded), "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert rows and all(r["phone"].endswith("8000") for r in rows)
    assert {"id", "member_code", "name", "phone", "stage"} <= set(rows[0])
    assert "单田芳" in {r["name"] for r in rows}


def test_purchase_lifecycle_and_find_json(seeded: Path) -> None:
    code, out, err = run("customer", "add", "--db", str(seeded), "--name", "单田芳",
                         "--phone", "138 0013 8000", "--json")
    member = json.loads(out)["member_code"]
    for day in ("2026-11-01", "2026-11-08", "2026-11-15"):
        code, out, err = run("purchase", "add", "--db", str(seeded), "--customer", member,
                             "--amount", "58.50", "--at", day)
        assert code == 0, err
    code, out, _ = run("customer", "find", "13800138000", "--db", str(seeded), "--json")
    row = json.loads(out)[0]
    assert (row["stage"], row["lifetime_spend_fen"], row["orders"]) == ("trust", 17550, 3)
    assert row["last_purchase_at"].startswith("2026-11-1")
    code, _, err = run("purchase", "add", "--db", str(seeded), "--customer", member,
                       "--amount", "58.555")
    assert code == 1 and "two decimals" in err
    code, out, _ = run("lifecycle", "recompute", "--dry-run", "--db", str(seeded), "--json")
    assert code == 0 and json.loads(out)["dry_run"] is True


def test_add_duplicate_phone_fails_with_a_sentence(seeded: Path) -> None:
    assert run("customer", "add", "--db", str(seeded), "--name", "甲",
               "--phone", "13800138000")[0] == 0
    code, out, err = run("customer", "add", "--db", str(seeded), "--name", "乙",
                         "--phone", "+86 138 0013 8000")
    assert code == 1
    assert "already belongs to 甲" in err
    assert "Traceback" not in err + out


def test_bad_phone_and_chinese_messages(seeded: Path) -> None:
    code, _, err = run("customer", "add", "--db", str(seeded), "--name", "甲",
                       "--phone", "1.38001E+10", "--lang", "zh")
    assert code == 1 and "Excel" in err and "文本" in err


def test_show_and_staff_option(seeded: Path) -> None:
    code, out, _ = run("customer", "add", "--db", str(seeded), "--name", "王五",
                       "--phone", "13912345678", "--json")
    member_code = json.loads(out)["member_code"]
    code, out, _ = run("customer", "show", member_code.lower(), "--db", str(seeded), "--json")
    assert code == 0 and json.loads(out)["name"] == "王五"
    code, _, err = run("customer", "find", "王", "--db", str(seeded), "--staff", "ghost")
    assert code == 1 and "ghost" in err


def test_seed_refuses_a_file_with_customers(seeded: Path) -> None:
    code, _, err = run("seed", "--customers", "10", "--db", str(seeded))
    assert code == 1 and "already has 300 customers" in err


def test_doctor_healthy_then_broken(seeded: Path) -> None:
    code, out, _ = run("doctor", "--db", str(seeded))
    assert code == 0, out
    assert "Healthy" in out
    code, out, _ = run("doctor", "--db", str(seeded), "--quick", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["counts"]["customers"] == 300
    import sqlite3

    conn = sqlite3.connect(seeded)
    conn.execute("DELETE FROM search_keys")  # a lookup index that lost its rows
    conn.commit()
    conn.close()
    code, out, _ = run("doctor", "--db", str(seeded))
    assert code == 1 and "BAD" in out
    code, out, _ = run("doctor", "--db", str(seeded), "--json")
    assert code == 1 and json.loads(out)["ok"] is False


def test_doctor_on_a_missing_file(tmp_path: Path) -> None:
    code, _, err = run("doctor", "--db", str(tmp_path / "none.db"))
    assert code == 1 and "regulars init" in err


def test_init_and_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "env.db"
    monkeypatch.setenv("REGULARS_DB", str(path))
    code, out, _ = run("init")
    assert code == 0 and str(path) in out and path.exists()


def test_settings_set_and_refuse(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    assert run("settings", "set", "timezone", "Asia/Hong_Kong", "--db", db)[0] == 0
    code, _, err = run("settings", "set", "timezone", "Mars/Base", "--db", db)
    assert code == 1 and "not a timezone" in err


def test_every_command_has_help() -> None:
    for args in (["--help"], ["demo", "--help"], ["init", "--help"], ["seed", "--help"],
                 ["doctor", "--help"], ["customer", "add", "--help"],
                 ["customer", "find", "--help"], ["customer", "show", "--help"],
                 ["settings", "set", "--help"]):
        code, out, _ = run(*args)
        assert code == 0 and "Usage" in out, args


def test_feedback_add_from_the_command_line(seeded: Path) -> None:
    code, out, err = run("customer", "add", "--db", str(seeded), "--name", "王芳",
                         "--phone", "139 1111 2222", "--seed-user", "--json")
    assert code == 0, err
    member = json.loads(out)["member_code"]
    code, out, err = run("feedback", "add", "--db", str(seeded), "--customer", member,
                         "--category", "supply", "--product", "全麦面包",
                         "--supplier", "城东面粉厂", "--sentiment", "complaint",
                         "--text", "周二的面包又卖完了😤", "--json")
    assert code == 0, err
    item = json.loads(out)
    assert (item["words"], item["product"], item["seed_user"], item["status"]) == (
        "周二的面包又卖完了😤", "全麦面包", True, "new")
    code, out, err = run("feedback", "add", "--db", str(seeded), "--category", "taste",
                         "--text", "太甜")
    assert code == 1 and "quality, assortment, supply" in err  # the choices, in a sentence


def test_feedback_export_csv_in_chinese(seeded: Path, tmp_path: Path) -> None:
    for text in ("=1+1", "面包很好吃"):
        code, _, err = run("feedback", "add", "--db", str(seeded), "--category", "quality",
                           "--text", text, "--supplier", "城东面粉厂")
        assert code == 0, err
    out = tmp_path / "给供应商.csv"
    code, said, err = run("feedback", "export", "--db", str(seeded), "--supplier", "城东面粉厂",
                            "-o", str(out), "--lang", "zh")
    assert code == 0, err
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("编号,时间,状态,类别") and f"{len(lines) - 1} 行" in said
    ours = [line for line in lines if "'=1+1" in line]  # (the demo has feedback of its own)
    assert len(ours) == 1 and "产品质量" in ours[0] and ",新," in ours[0]
    assert any("面包很好吃" in line for line in lines)
    code, _, err = run("feedback", "export", "--db", str(seeded), "-o", str(tmp_path / "x.doc"))
    assert code == 1 and ".csv" in err


def test_coupon_template_issue_redeem_and_refusal(seeded: Path) -> None:
    code, _, err = run("coupon", "template", "add", "--db", str(seeded), "--name", "满58减10",
                       "--kind", "amount", "--value", "10", "--min-spend", "50",
                       "--valid-days", "7")
    assert code == 0, err
    code, out, err = run("customer", "add", "--db", str(seeded), "--name", "王芳",
                         "--phone", "139 1111 2222", "--json")
    member = json.loads(out)["member_code"]
    code, out, err = run("coupon", "issue", "--db", str(seeded), "--template", "满58减10",
                         "--customer", member, "--json")
    assert code == 0, err
    [made] = json.loads(out)
    assert set(made) == {"code", "customer_id", "expires_at"}
    code, out, err = run("coupon", "redeem", made["code"], "--amount", "58.00",
                         "--db", str(seeded))
    assert code == 0 and "¥48.00" in out, err
    code, out, err = run("coupon", "redeem", made["code"], "--amount", "58.00",
                         "--db", str(seeded))
    assert code == 1 and "Already used" in err
    code, out, _ = run("coupon", "show", made["code"], "--db", str(seeded))
    assert json.loads(out)["status"] == "redeemed"


def test_batch_issue_previews_then_issues_once_and_prints_codes(seeded: Path) -> None:
    db = ("--db", str(seeded))
    run("coupon", "template", "add", *db, "--name", "回头券", "--kind", "percent",
        "--value", "10", "--cap", "20", "--valid-days", "14")
    code, out, err = run("coupon", "issue", *db, "--template", "回头券", "--stage", "trust",
                         "--spend-between", "100,", "--batch-id", "nov", "--dry-run", "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["matched"] >= plan["to_issue"] > 0 and "Batch nov" in err
    code, out, err = run("coupon", "issue", *db, "--template", "回头券", "--stage", "trust",
                         "--spend-between", "100,", "--batch-id", "nov", "--json")
    assert code == 0, err
    issued = json.loads(out)
    assert len(issued) == plan["to_issue"] and {"code", "customer_id", "expires_at"} <= set(
        issued[0])
    code, out, err = run("coupon", "issue", *db, "--template", "回头券", "--stage", "trust",
                         "--spend-between", "100,", "--batch-id", "nov")
    assert code == 0 and out == "" and f"{plan['to_issue']} already" in err
    code, _, err = run("coupon", "issue", *db, "--template", "回头券", "--stage", "vip")
    assert code == 1 and "Choose a stage" in err
    code, _, err = run("coupon", "issue", *db, "--template", "回头券", "--customer", "x",
                       "--tag", "y")
    assert code == 2


def test_points_levels_and_referrals_from_the_command_line(seeded: Path) -> None:
    db = ("--db", str(seeded))
    code, out, err = run("customer", "add", *db, "--name", "王芳", "--phone", "139 1111 2222",
                         "--json")
    referrer = json.loads(out)["member_code"]
    code, out, err = run("customer", "add", *db, "--name", "李娜", "--phone", "139 1111 3333",
                         "--referred-by", referrer)
    assert code == 0, err
    code, _, err = run("customer", "add", *db, "--name", "自己", "--phone", "139 1111 2222",
                       "--referred-by", "13911112222")
    assert code == 1 and "refer themselves" in err
    code, out, err = run("purchase", "add", *db, "--customer", "13911113333", "--amount", "1200",
                         "--yes")
    assert code == 0, err
    code, out, _ = run("customer", "find", "13911113333", *db, "--json")
    row = json.loads(out)[0]
    assert (row["points"], row["level"]) == (1200, "silver")
    code, out, _ = run("customer", "find", referrer, *db, "--json")
    assert json.loads(out)[0]["points"] == 200  # the referral reward
    code, _, err = run("points", "spend", "13911112222", *db, "--points", "201",
                       "--reason", "杯子")
    assert code == 1 and "balance is 200" in err
    code, out, err = run("purchase", "add", *db, "--customer", "13911113333", "--amount", "30",
                         "--points", "1000", "--json")
    assert code == 0 and json.loads(out)["amount_fen"] == 2000, err
    code, out, _ = run("points", "show", "13911113333", *db, "--json")
    shown = json.loads(out)
    assert shown["points"] == 1200 - 1000 + 20 == sum(r["delta"] for r in shown["ledger"])
    code, out, _ = run("referral", "leaderboard", *db, "--period", "this_month",
                       "--limit", "1000", "--json")
    board = {r["member_code"]: r for r in json.loads(out)}
    assert board[referrer]["qualified"] == 1 and board[referrer]["referees_spend_fen"] == 122000
    code, out, _ = run("referral", "show", referrer, *db, "--json")
    assert json.loads(out)["referred"][0]["status"] == "qualified"


def test_a_batch_exports_to_a_spreadsheet_with_masked_phones(seeded: Path,
                                                              tmp_path: Path) -> None:
    db = ("--db", str(seeded))
    run("coupon", "template", "add", *db, "--name", "生日券", "--kind", "gift",
        "--gift", "蛋挞", "--valid-days", "7")
    code, out, err = run("coupon", "issue", *db, "--template", "生日券", "--stage", "trust",
                         "--batch-id", "bday", "--reason", "apology", "--json")
    assert code == 0, err
    issued = json.loads(out)
    target = tmp_path / "bday.csv"
    code, out, err = run("coupon", "export", *db, "--batch-id", "bday", "-o", str(target),
                         "--lang", "zh")
    assert code == 0, err
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("姓名,手机") and len(lines) == len(issued) + 1
    assert all("****" in line.split(",")[1] for line in lines[1:])
    assert {line.split(",")[3] for line in lines[1:]} == {i["code"] for i in issued}
    code, _, err = run("coupon", "export", *db, "--batch-id", "nope", "-o", str(target))
    assert code == 1 and "no batch" in err
