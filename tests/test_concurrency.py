"""Two counters, one file: two real processes add customers from overlapping phone pools."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from db.shop import Shop

ROOT = Path(__file__).resolve().parent.parent

WORKER = r"""
import json, sys
from db.customers import CustomerInput
from db.errors import DuplicatePhone, StoreError
from db.shop import Shop

path, start, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
shop = Shop.open(path)
added = duplicates = locked = 0
for i in range(start, start + count):
    try:
        shop.customers.add(CustomerInput(name="顾客" + str(i % 150), phone=f"139{i % 150:08d}"))
        added += 1
    except DuplicatePhone:
        duplicates += 1
    except StoreError:
        locked += 1
print(json.dumps({"added": added, "duplicates": duplicates, "locked": locked}))
"""


def test_two_processes_never_save_a_phone_twice(db_path: Path, shop: Shop) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(db_path), str(s), "200"],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
             for s in (0, 75)]
    results = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(r["locked"] for r in results) == 0
    assert sum(r["added"] for r in results) == 150
    assert sum(r["added"] + r["duplicates"] for r in results) == 400
    with shop.store.read() as conn:
        assert tuple(conn.execute("SELECT count(*), count(DISTINCT phone) FROM customers"
                                  ).fetchone()) == (150, 150)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        audited = conn.execute("SELECT count(*) FROM audit_log WHERE action='customer.add'")
        assert audited.fetchone()[0] == 150
