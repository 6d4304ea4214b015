"""The customer screen's story: everything it shows of one person, read on one connection
(the Customers area reads it inside one snapshot)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .. import customers, feedback, purchases, tags
from ..customers import Customer
from ..purchases import Purchase
from .lifecycle import StageView, stage_view_in
from .rewards import RewardsView, rewards_view_in


@dataclass(frozen=True)
class CustomerStory:
    """Everything the customer screen shows, as of one moment."""

    customer: Customer
    stage: StageView
    purchases: list[Purchase]  # the newest ``limit``
    purchase_rows: int  # all of them, refunds included; the list shows a page at a time
    tags: list[str]
    feedback: list[feedback.Item]
    rewards: RewardsView


def read_story(conn: sqlite3.Connection, customer_id: int, now: str,
               limit: int) -> CustomerStory:
    return CustomerStory(
        customers.get(conn, customer_id), stage_view_in(conn, customer_id, now),
        purchases.for_customer(conn, customer_id, limit, 0),
        purchases.count_for(conn, customer_id), tags.of_customer(conn, customer_id),
        feedback.of_customer(conn, customer_id),
        rewards_view_in(conn, customer_id, now))
