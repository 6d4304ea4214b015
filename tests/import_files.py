"""Import files written by the tests and the benchmarks themselves, from a seeded generator:
a Youzan-style member list (Chinese names, distinct valid mainland mobiles written the many
ways people type them) and a purchase history for those phones. Same seed, same bytes."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path

# The column names of Youzan's customer export, as the vendor's help page lists them.
CUSTOMER_HEADER = ("客户姓名", "客户手机号", "客户积分", "客户储值余额")
PURCHASE_HEADER = ("订单号", "客户手机号", "下单时间", "实付金额", "商品名称")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
                   "151", "152", "155", "156", "157", "158", "159", "166", "176", "177",
                   "180", "181", "186", "187", "188", "189", "199")
ITEMS = ("拿铁", "美式", "吐司", "蛋挞 ×4", "牛角包 ×2", "生日蛋糕 6寸", "酸奶", "全麦面包")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


class Names:
    """Chinese names from Faker's zh_CN lists (surnames weighted as Faker weighs them)."""

    def __init__(self, rng: random.Random) -> None:
        from faker.providers.person.zh_CN import Provider

        self.rng = rng
        self.surnames = list(Provider.last_names)
        self.cum = list(accumulate(Provider.last_names.values()))  # summed once, not per name
        self.given = [*Provider.first_names_male, *Provider.first_names_female]

    def make(self) -> str:
        surname = self.rng.choices(self.surnames, cum_weights=self.cum)[0]
        return surname + self.rng.choice(self.given)


def national_phones(n: int, seed: int) -> list[str]:
    """n distinct 11-digit mainland mobile numbers."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone not in seen:
            seen.add(phone)
            out.append(phone)
    return out


def written(national: str, rng: random.Random) -> str:
    """One phone as a shop's old list spells it: plain, +86, 0086, dashes, spaces, full-width."""
    style = rng.randrange(6)
    if style == 1:
        return "+86 " + national
    if style == 2:
        return "0086" + national
    if style == 3:
        return f"{national[:3]}-{national[3:7]}-{national[7:]}"
    if style == 4:
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    if style == 5:
        return national.translate(FULL_WIDTH)
    return national


def customer_rows(n: int, seed: int = 1) -> Iterator[tuple[str, ...]]:
    """Rows under CUSTOMER_HEADER: every phone valid and distinct, so n rows are n people."""
    rng = random.Random(seed)
    names = Names(rng)
    for national in national_phones(n, seed):
        points = str(rng.randrange(0, 500)) if rng.random() < 0.3 else ""
        balance = f"{rng.randrange(0, 20000) / 100:.2f}" if rng.random() < 0.2 else ""
        yield names.make(), written(national, rng), points, balance


def purchase_rows(n: int, phones: Sequence[str], seed: int = 1,
                  start: datetime = datetime(2024, 1, 1)) -> Iterator[tuple[str, ...]]:
    """n sales under PURCHASE_HEADER by the given phones, each with its own order number,
    in time order over about two years (shop-local times, as a POS export writes them)."""
    rng = random.Random(seed)
    step = 2 * 365 * 86400 / max(n, 1)
    for i in range(n):
        at = start + timedelta(seconds=int(i * step))
        fen = rng.randrange(300, 30000)
        yield (f"E{seed:02d}{i + 1:09d}", rng.choice(phones), at.strftime("%Y-%m-%d %H:%M:%S"),
               f"{fen // 100}.{fen % 100:02d}", rng.choice(ITEMS))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]],
              encoding: str = "utf-8-sig") -> Path:
    """A CSV as Excel saves it (UTF-8 with a BOM unless told otherwise)."""
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def customers_csv(path: Path, n: int, seed: int = 1) -> Path:
    return write_csv(path, CUSTOMER_HEADER, customer_rows(n, seed))


def purchases_csv(path: Path, n: int, customers: int, seed: int = 1) -> Path:
    """n purchases by the people customers_csv(…, customers, seed) wrote."""
    return write_csv(path, PURCHASE_HEADER, purchase_rows(n, national_phones(customers, seed),
                                                          seed))
