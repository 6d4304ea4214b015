"""Pinyin for lookup: full spelling and initials, with both readings of polyphonic characters.

pypinyin reads 单 as "dan" and 曾 as "ceng"; as surnames they are "shan" and
"zeng". Staff type whichever they think of, so the surname position gets the
surname reading *and* the common one, and a few characters common in given
names (乐, 长, 重 …) get both of theirs too. pypinyin costs ≈0.3 s to import,
so it is imported only when a name is written, never on the way to the first
screen.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product

from .names import is_cjk

# Surname readings for characters whose everyday reading differs (百家姓).
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan", "dan"), "曾": ("zeng", "ceng"), "解": ("xie", "jie"),
    "查": ("zha", "cha"), "区": ("ou", "qu"), "朴": ("piao", "pu"),
    "仇": ("qiu", "chou"), "覃": ("qin", "tan"), "尉": ("wei", "yu"),
    "缪": ("miao", "mou"), "翟": ("zhai", "di"), "盖": ("ge", "gai"),
    "柏": ("bai", "bo"), "秘": ("bi", "mi"), "乐": ("yue", "le"),
    "长": ("chang", "zhang"), "重": ("chong", "zhong"), "种": ("chong", "zhong"),
    "召": ("shao", "zhao"), "员": ("yun", "yuan"), "折": ("she", "zhe"),
    "句": ("gou", "ju"), "朝": ("chao", "zhao"), "隗": ("wei", "kui"),
    "沈": ("shen",), "过": ("guo",), "纪": ("ji",), "冼": ("xian",),
    "任": ("ren",), "华": ("hua",), "宁": ("ning",), "贾": ("jia",),
    "石": ("shi",), "薄": ("bo", "bao"), "繁": ("po", "fan"), "黑": ("he", "hei"),
}
# Two-character surnames whose reading is fixed as a pair.
COMPOUND_SURNAMES: dict[str, tuple[str, str]] = {
    "欧阳": ("ou", "yang"), "司马": ("si", "ma"), "诸葛": ("zhu", "ge"),
    "上官": ("shang", "guan"), "东方": ("dong", "fang"), "皇甫": ("huang", "fu"),
    "尉迟": ("yu", "chi"), "长孙": ("zhang", "sun"), "慕容": ("mu", "rong"),
    "令狐": ("ling", "hu"), "夏侯": ("xia", "hou"), "司徒": ("si", "tu"),
    "公孙": ("gong", "sun"), "单于": ("chan", "yu"), "澹台": ("tan", "tai"),
}
# Characters common in given names that people read two ways.
GIVEN_NAME_READINGS: dict[str, tuple[str, ...]] = {
    "乐": ("le", "yue"), "长": ("chang", "zhang"), "重": ("zhong", "chong"),
    "朝": ("zhao", "chao"), "行": ("xing", "hang"), "传": ("chuan", "zhuan"),
    "强": ("qiang", "jiang"), "茜": ("qian", "xi"), "和": ("he", "huo"),
    "奇": ("qi", "ji"), "露": ("lu", "lou"), "柏": ("bai", "bo"),
    "会": ("hui", "kuai"), "单": ("dan", "shan"), "曾": ("zeng", "ceng"),
    "查": ("cha", "zha"), "解": ("jie", "xie"), "盛": ("sheng", "cheng"),
    "藏": ("zang", "cang"), "都": ("du", "dou"), "弹": ("dan", "tan"),
}
MAX_VARIANTS = 4  # combinations per name; keeps the index small for long names


@lru_cache(maxsize=65536)
def _default_reading(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")[0] if is_cjk(ch) else ch.lower()


def _char_readings(ch: str, surname: bool) -> tuple[str, ...]:
    table = SURNAME_READINGS if surname else GIVEN_NAME_READINGS
    readings = list(table.get(ch, ()))
    default = _default_reading(ch)
    if default and default not in readings:
        readings.append(default)
    return tuple(readings)


def _syllables(name: str) -> list[tuple[str, ...]]:
    """One tuple of readings per syllable; runs of Latin letters or digits are one syllable."""
    out: list[tuple[str, ...]] = []
    start = 0
    if name[:2] in COMPOUND_SURNAMES:
        out.extend((r,) for r in COMPOUND_SURNAMES[name[:2]])
        start = 2
    latin = ""
    for i, ch in enumerate(name[start:], start):
        if ch.isascii() and ch.isalnum():
            latin += ch.lower()
            continue
        if latin:
            out.append((latin,))
            latin = ""
        if is_cjk(ch) and ch != "·":
            out.append(_char_readings(ch, surname=(i == 0)))
    if latin:
        out.append((latin,))
    return [s for s in out if s and s[0]]


@lru_cache(maxsize=200_000)
def variants(name: str) -> tuple[str, ...]:
    """Lower-case spellings to match: full pinyin and initials of each reading.

    The first entry is the most likely full reading; it is also the sort key.
    """
    sylls = _syllables(name)
    if not sylls:
        return ()
    fulls: list[str] = []
    initials: list[str] = []
    for combo in product(*sylls):
        full = "".join(combo)
        if full not in fulls:
            fulls.append(full)
            initials.append("".join(s[0] for s in combo))
        if len(fulls) >= MAX_VARIANTS:
            break
    out = list(fulls)
    for ini in initials:
        if ini not in out:
            out.append(ini)
    # A Latin name ("Anna Lee") is also typed from its later words ("lee").
    if not any(is_cjk(ch) for ch in name):
        words = [w.lower() for w in name.split() if w.isascii() and w.isalnum()]
        for i in range(1, len(words)):
            tail = "".join(words[i:])
            if tail not in out:
                out.append(tail)
    return tuple(out)
