"""shop.imports at the door: a file that is not there says so in the reader's words,
a row whose phone Excel mangled counts as refused, and the run after a preview reads
the file once more only when the file (or the mapping) changed in between."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.errors import ImportRefused
from db.shop import Shop
from db.shop.imports import Imports

GOOD = ("姓名,手机号,生日\n王芳,13911112222,03-05\n李雷,1.39111E+10,\n"
        "张伟,13722224444,农历三月初五\n")


@pytest.mark.parametrize("kind", ["customers", "purchases"])
def test_no_file_and_a_folder_are_the_readers_refusals(
        shop: Shop, tmp_path: Path, kind: str) -> None:
    for path, code in ((tmp_path / "gone.csv", "import.file.missing"),
                       (tmp_path, "import.file.folder")):
        for call in (shop.imports.preview, shop.imports.run):
            with pytest.raises(ImportRefused) as refused:
                call(kind, path)
            assert refused.value.code == code
    assert shop.imports.batches() == []


def test_a_row_refused_for_its_phone_counts_as_refused_a_refused_value_does_not(
        shop: Shop, tmp_path: Path) -> None:
    sheet = tmp_path / "members.csv"
    sheet.write_text(GOOD, encoding="utf-8")
    preview = shop.imports.preview("customers", sheet)
    assert (preview.counts.new, preview.counts.refused) == (2, 1)  # 李雷's row; 张伟 comes in
    assert {(r.line, r.column) for r in preview.parsed.refusals} == {(3, "手机号"), (4, "生日")}
    done = shop.imports.run("customers", sheet)
    assert (done.counts.new, done.counts.refused) == (2, 1)
    assert shop.customers.find("13722224444").birthday == ""


def test_the_run_after_a_preview_reads_the_file_once_unless_it_changed(
        shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[Path] = []
    real = Imports._parse

    def counted(self: Imports, kind: str, path: Path, mapping: object) -> object:
        reads.append(path)
        return real(self, kind, path, mapping)  # type: ignore[arg-type]  # kind checked by the door

    monkeypatch.setattr(Imports, "_parse", counted)
    sheet = tmp_path / "members.csv"
    sheet.write_text(GOOD, encoding="utf-8")
    shop.imports.preview("customers", sheet)
    assert shop.imports.run("customers", sheet).counts.new == 2
    assert len(reads) == 1
    shop.imports.preview("customers", sheet)
    sheet.write_text(GOOD + "赵六,13566667777,\n", encoding="utf-8")  # saved again in between
    done = shop.imports.run("customers", sheet)
    assert len(reads) == 3 and done.counts.new == 1
    shop.imports.preview("customers", sheet)
    done = shop.imports.run("customers", sheet, {"生日": ""})  # another mapping: read again
    assert len(reads) == 5 and done.counts.new == 0


def test_notes_from_the_comparison_name_the_files_own_column(
        shop: Shop, tmp_path: Path) -> None:
    """A sale for a phone the shop does not know adds that customer: the note names the
    column as the file spells it (客户手机号), not Regulars' field name."""
    sheet = tmp_path / "orders.csv"
    sheet.write_text("订单号,客户手机号,下单时间,实付金额\nE1,13911112222,2026-11-01 10:00,35.00\n",
                     encoding="utf-8")
    done = shop.imports.run("purchases", sheet)
    assert [(r.line, r.column, r.code) for r in done.refusals] == [
        (2, "客户手机号", "import.customer_added")]


def test_the_cycle_collector_is_back_on_after_an_import_or_a_refusal(
        shop: Shop, tmp_path: Path) -> None:
    import gc

    sheet = tmp_path / "members.csv"
    sheet.write_text(GOOD, encoding="utf-8")
    shop.imports.preview("customers", sheet)
    assert gc.isenabled()
    shop.imports.run("customers", sheet)
    assert gc.isenabled()
    with pytest.raises(ImportRefused):
        shop.imports.run("customers", tmp_path / "gone.csv")
    assert gc.isenabled()
