"""One cell of an imported file, understood: a clean value, or ``ValidationError`` with a
message code (the row layer turns it into a ``Refusal`` naming the line and column).

The rules are the store's own wherever it has one (db.phones, db.gate, db.customers,
db.tags); what is here is only what other systems write differently: WeCom's gender
codes, Unix and Excel serial dates, the words other systems use for a channel or stage,
yes/no flags, tag lists.

Choices made here:
- A birthday cell that says 农历/阴历 (lunar) is refused as a value (the row still comes
  in, without the birthday): a lunar date is a different day every year, and guessing
  the solar one would be wrong most years.
- Tags split on "|" (db/dumps.py writes that) when the cell has one; otherwise on
  , ， ; ； 、. Never on spaces: a space inside a tag is the owner's word, refused by
  db.tags' own rule rather than silently cut in two.
- A time without a zone is in the shop's zone; Unix seconds are absolute.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, tzinfo

from .. import codes, gate, tags
from ..clock import to_iso
from ..customers import clean_wechat, parse_birthday
from ..errors import ValidationError
from ..phones import parse_phone
from ..vocab import CHANNELS, STAGES

EARLIEST_YEAR = 1900
EXCEL_SERIAL_MAX = 2958465  # 9999-12-31
_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 61 = 1900-03-01; 1..59 are a day later
SPEND_MAX_FEN = 10**12  # an opening lifetime spend, far beyond one sale's ceiling
POINTS_MAX = 10**9
ORDERS_MAX = 10**7
CODE_MAX = 40  # member codes and order ids from other systems

_DIGITS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_MOMENT = re.compile(
    r"(?P<y>[0-9]{4})\s*[-/.年]\s*(?P<m>[0-9]{1,2})\s*[-/.月]\s*(?P<d>[0-9]{1,2})\s*日?"
    r"(?:(?:\s+|T)(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2})(?:\.[0-9]+)?)?)?")
_ISO_FAST = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?")
_MIDNIGHT = re.compile(r"\s+0{1,2}:00(:00)?$")  # an XLSX date cell read as text
_SOLAR = re.compile(r"^(公历|阳历|新历)\s*|\s*[(（]?(公历|阳历|新历)[)）]?$")
_TAG_SPLIT = re.compile(r"[,，;；、]")
_CN_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _refuse(field: str, code: str, **params: str) -> ValidationError:
    return ValidationError({field: (code, params)})


def _key(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


# -- who ---------------------------------------------------------------------------------------
def phone(text: str, region: str) -> str:
    """E.164, by the store's own parser (full-width digits, +86, 0086, dashes, spaces;
    Excel's 1.38001E+10 refused). A masked export phone (138****8000) says so.

    A Chinese mobile (most of any file), bare or with spaces, dashes, +86 or 0086, skips
    phonenumbers' text parsing (~20 µs) and asks it only whether the number is valid
    (~5 µs): a 100,000-row file saves seconds. tests/test_import_read.py checks both ways
    agree on every 1[3-9]xx prefix, in each spelling."""
    bare = _bare_cn_mobile(text) if region == "CN" else None
    if bare is not None:
        import phonenumbers

        number = phonenumbers.PhoneNumber(country_code=86, national_number=int(bare))
        if phonenumbers.is_valid_number_for_region(number, "CN"):
            return "+86" + bare
    if "*" in text:
        raise _refuse("phone", "import.phone.masked", value=gate.shown(text))
    return parse_phone(text, region).e164


def _bare_cn_mobile(text: str) -> str | None:
    """The 11 digits of a Chinese mobile as exports write it (138 0013 8000,
    138-0013-8000, +86 138…, 0086 138…, full-width digits), else None: the rest goes
    to the store's parser."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.replace(" ", "").replace("-", "")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    return text if _CN_MOBILE.fullmatch(text) else None


def wechat(text: str) -> str | None:
    return clean_wechat(text)


def code(text: str, field: str) -> str:
    """A member code or order id from another system: the store's normal form (NFKC, upper
    case, no spaces or dashes), one line, at most CODE_MAX characters."""
    clean = codes.normalize(gate.line(text, field, CODE_MAX))
    if not clean:
        raise _refuse(field, "import.code.empty", value=gate.shown(text))
    return clean


def external_id(text: str) -> str:
    return gate.line(text, "external_id", 128)


_GENDERS = {"男": "male", "male": "male", "m": "male", "1": "male", "先生": "male",
            "女": "female", "female": "female", "f": "female", "2": "female", "女士": "female"}
_NO_GENDER = {"0", "未知", "unknown", "保密", "未填", "unspecified", "-"}


def gender(text: str) -> str | None:
    """男/女, male/female, M/F, WeCom's 1/2; 0, 未知 and the like: not known (None)."""
    key = _key(text) or text.strip()
    if key in _GENDERS:
        return _GENDERS[key]
    if not key or key in _NO_GENDER:
        return None
    raise _refuse("gender", "import.gender", value=gate.shown(text))


# -- words of the shop ---------------------------------------------------------------------------
# The labels the console shows (console/locales) and the words other systems use; db must
# not import the console, so the few labels live here too.
_CHANNEL_WORDS = {
    "counter": ("门店", "到店", "线下", "counter", "store", "walk-in"),
    "wechat_group": ("微信群", "社群", "wechat group"),
    "official_account": ("公众号", "official account"),
    "mini_program": ("小程序", "mini-program", "mini program", "miniprogram"),
    "referral": ("老客推荐", "推荐", "转介绍", "referral"),
    "other": ("其他", "其它", "other"),
}
_STAGE_WORDS = {
    "initial": ("了解", "初始", "initial"),
    "trust": ("信任", "trust"),
    "decline": ("衰退", "decline"),
    "dormant": ("沉睡", "dormant"),
}
_CHANNEL_INDEX = {_key(w): k for k, words in _CHANNEL_WORDS.items() for w in (k, *words)}
_STAGE_INDEX = {_key(w): k for k, words in _STAGE_WORDS.items() for w in (k, *words)}
assert set(_CHANNEL_WORDS) == set(CHANNELS) and set(_STAGE_WORDS) == set(STAGES)


def channel(text: str) -> str:
    found = _CHANNEL_INDEX.get(_key(text))
    if found is None:
        raise _refuse("channel", "import.channel", value=gate.shown(text),
                      choices=", ".join(CHANNELS))
    return found


def stage(text: str) -> str:
    found = _STAGE_INDEX.get(_key(text))
    if found is None:
        raise _refuse("stage", "import.stage", value=gate.shown(text),
                      choices=", ".join(STAGES))
    return found


_FLAGS = {"是": True, "yes": True, "y": True, "1": True, "true": True, "√": True,
          "否": False, "no": False, "n": False, "0": False, "false": False, "×": False}


def flag(text: str) -> bool:
    found = _FLAGS.get(_key(text) or text.strip())
    if found is None:
        raise _refuse("flag", "import.flag", value=gate.shown(text))
    return found


def tag_names(text: str) -> list[str]:
    """The raw tag words of one cell (not yet checked: see ``tag``)."""
    parts = text.split("|") if "|" in text else _TAG_SPLIT.split(text)
    return [p.strip() for p in parts if p.strip()]


def tag(text: str) -> str:
    return tags.clean_name(text)  # refuses sensitive, too long, spaces: the store's rule


# -- numbers -------------------------------------------------------------------------------------
def money(text: str, field: str = "amount", max_fen: int = gate.MONEY_MAX_FEN) -> int:
    """Fen, exactly: "1,234.50", "¥1234.5", "1234"; more than two decimals refused."""
    return gate.money(text, field, max_fen=max_fen)


def spend(text: str) -> int:
    fen = gate.money(text, "spend", max_fen=SPEND_MAX_FEN)
    if fen < 0:
        raise _refuse("spend", "import.negative", value=gate.shown(text))
    return fen


def points(text: str) -> int:
    return gate.whole(text, "points", 0, POINTS_MAX)


def orders(text: str) -> int:
    return gate.whole(text, "orders", 0, ORDERS_MAX)


# -- time ----------------------------------------------------------------------------------------
def _excel_day(serial: float) -> datetime:
    """Excel's 1900 date system, with its 29 Feb 1900 that never was (serial 60)."""
    days = int(serial)
    if days == 60:
        raise ValueError("import.date.serial60")
    if not 1 <= days <= EXCEL_SERIAL_MAX:
        raise ValueError("import.date.format")
    moment = _EXCEL_EPOCH + timedelta(days=serial)
    if days < 60:
        moment += timedelta(days=1)
    return moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1e6))


def _number_moment(raw: str, zone: tzinfo) -> datetime:
    whole = raw.split(".")[0]
    if len(whole) == 10 and "." not in raw:
        return datetime.fromtimestamp(int(raw), UTC)  # Unix seconds: absolute
    if len(whole) == 13 and "." not in raw:
        return datetime.fromtimestamp(int(raw) / 1000, UTC)
    if len(whole) <= 7:
        return _excel_day(float(raw)).replace(tzinfo=zone)
    raise ValueError("import.date.format")


def naive_or_aware(raw: str, zone: tzinfo) -> datetime:
    """A point in time from a cell; a time without a zone is in ``zone``."""
    if _ISO_FAST.fullmatch(raw) or "+" in raw or raw.endswith("Z"):
        try:
            found = datetime.fromisoformat(raw)
            return found if found.tzinfo else found.replace(tzinfo=zone)
        except ValueError:
            pass  # 2024-02-30: the slower reader below says which part is wrong
    if _DIGITS.fullmatch(raw):
        return _number_moment(raw, zone)
    match = _MOMENT.fullmatch(raw)
    if match is None:
        raise ValueError("import.date.format")
    try:
        return datetime(int(match["y"]), int(match["m"]), int(match["d"]),
                        int(match["H"] or 0), int(match["M"] or 0), int(match["S"] or 0),
                        tzinfo=zone)
    except ValueError:
        raise ValueError("import.date.invalid") from None


def moment(text: str, field: str, zone: tzinfo, today: date) -> str:
    """ISO-8601 UTC (db.clock.to_iso). yyyy-MM-dd, yyyy/MM/dd, yyyy.MM.dd, yyyy年M月d日,
    each with or without HH:MM(:SS); Unix seconds (10 digits) or milliseconds (13);
    Excel serial days (a fraction is the time). Before 1900 or after today: refused."""
    raw = (text if text.isascii() else unicodedata.normalize("NFKC", text)).strip()
    try:
        found = naive_or_aware(raw, zone)
        local = found.astimezone(zone)
        stored = to_iso(found)
    except ValueError as exc:
        raise _refuse(field, str(exc), value=gate.shown(text)) from None
    except OverflowError:  # year 1 with a positive offset, 9999-12-31 23:59 …: not a date
        raise _refuse(field, "import.date.format", value=gate.shown(text)) from None
    if local.year < EARLIEST_YEAR:
        raise _refuse(field, "import.date.early", value=gate.shown(text))
    if local.date() > today:
        raise _refuse(field, "import.date.future", value=gate.shown(text))
    return stored


def birthday(text: str, today: date) -> str:
    """"MM-DD" or "YYYY-MM-DD" by the store's own reader (MM-DD, M月d日, 1990/3/5 …),
    also from an XLSX date cell or an Excel serial. Lunar birthdays refused (see above)."""
    raw = _SOLAR.sub("", unicodedata.normalize("NFKC", text).strip())
    if "农历" in raw or "阴历" in raw:
        raise _refuse("birthday", "import.birthday.lunar", value=gate.shown(text))
    raw = _MIDNIGHT.sub("", raw)
    if _DIGITS.fullmatch(raw) and "." not in raw and len(raw) <= 7:
        try:
            raw = _excel_day(int(raw)).date().isoformat()
        except ValueError as exc:
            raise _refuse("birthday", str(exc), value=gate.shown(text)) from None
    try:
        year, month, day = parse_birthday(raw, today)
    except ValueError as exc:
        raise _refuse("birthday", str(exc), value=gate.shown(text)) from None
    if month is None or day is None:
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d}"
