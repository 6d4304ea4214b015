"""Each rule the seed applies set-based has a SQL twin beside it in db/; the two agree."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from db import points, referrals
from db.clock import to_iso

START = datetime(2026, 1, 1, tzinfo=UTC)


@given(st.integers(-10**8, 10**8), st.integers(0, 100))
def test_points_earned_in_sql_is_the_rule(paid_fen: int, per_yuan: int) -> None:
    conn = sqlite3.connect(":memory:")
    in_sql = conn.execute(f"SELECT {points.earned_sql('?', per_yuan)}", (paid_fen,)).fetchone()[0]
    assert in_sql == points.earned(paid_fen, per_yuan)
    assert points.earned(paid_fen, per_yuan) == (paid_fen // 100 * per_yuan if paid_fen > 0
                                                 else 0)


@given(st.integers(0, 40 * 86400), st.integers(0, 365))
def test_the_clawback_window_in_sql_is_the_rule(seconds: int, days: int) -> None:
    qualified, refunded = to_iso(START), to_iso(START + timedelta(seconds=seconds))
    conn = sqlite3.connect(":memory:")
    in_sql = conn.execute(f"SELECT {referrals.in_clawback_window_sql('?1', '?2', days)}",
                          (qualified, refunded)).fetchone()[0]
    assert bool(in_sql) == referrals.in_clawback_window(qualified, refunded, days)
    assert referrals.in_clawback_window(qualified, refunded, days) == (seconds <= days * 86400)
