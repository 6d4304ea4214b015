"""Which of a file's columns feeds which Regulars field.

Headers match by a folded form (NFKC, case-folded, spaces and punctuation dropped), so
"Phone Number", "phone_number" and "ＰＨＯＮＥ" are one name. Every header db/dumps.py
writes is here, so an export reads back without ``--map``. Columns Regulars knows but
does not keep (a stored-value balance, a discount, a level) are listed as not imported,
with the reason; anything else is "unknown". ``mapping`` (``--map header=field``, or the
screen) overrides: a field name, or "" to leave the column out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

from ..errors import ImportRefused
from .model import Column, Kind

_PHONE = ("手机", "手机号", "手机号码", "客户手机号", "会员手机号", "会员手机", "联系电话",
          "电话", "电话号码", "联系方式", "移动电话", "mobile", "mobile phone", "phone",
          "phone number", "cell", "tel", "telephone")
_MEMBER_CODE = ("会员卡号", "会员号", "会员编号", "会员码", "卡号", "member_code",
                "member code", "member no", "card number", "card no")

CUSTOMER_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "客户姓名", "客户名称", "会员姓名", "会员名称", "顾客姓名", "名字",
             "客户名", "name", "customer name", "full name"),
    "nickname": ("客户昵称", "昵称", "微信昵称", "nickname"),  # the name when none is given
    "phone": _PHONE,
    "wechat_id": ("微信", "微信号", "wechat", "wechat_id", "wechat id", "weixin"),
    "external_id": ("external_userid", "externaluserid", "external_id", "unionid",
                    "外部联系人id", "外部联系人ID", "外部联系人userid"),
    "member_code": _MEMBER_CODE,
    "birthday": ("生日", "出生日期", "出生年月日", "会员生日", "birthday", "birth date",
                 "date of birth", "dob"),
    "gender": ("性别", "gender", "sex"),
    "channel": ("来源", "渠道", "客户来源", "来源渠道", "channel", "source"),
    "stage": ("阶段", "客户阶段", "stage"),
    "tags": ("标签", "客户标签", "企业标签", "tags", "tag"),
    "notes": ("备注", "备注信息", "描述", "notes", "note", "remark", "remarks"),
    "marketing_consent": ("营销同意", "同意营销", "接受营销", "marketing_consent",
                          "marketing consent"),
    "seed_user": ("种子用户", "seed_user", "seed user"),
    "referrer": ("推荐人", "推荐人会员号", "推荐人手机号", "referrer", "referrer_member_code",
                 "referred by"),
    "points": ("积分", "客户积分", "会员积分", "可用积分", "当前积分", "points"),
    "spend": ("累计消费", "累计消费金额", "消费金额", "消费总额", "lifetime_spend_yuan",
              "lifetime spend", "total spend", "spend"),
    "orders": ("消费次数", "购买次数", "订单数", "orders", "order count"),
    "first_visit": ("首次消费", "首次消费时间", "首次到店", "first_visit", "first visit",
                    "first purchase"),
    "last_visit": ("最近消费", "最近消费时间", "最后消费时间", "上次消费时间", "最近到店",
                   "last_visit", "last visit"),
    "created": ("添加时间", "注册时间", "创建时间", "入会时间", "开卡时间", "created",
                "created at"),
}

PURCHASE_FIELDS: dict[str, tuple[str, ...]] = {
    "order_id": ("订单号", "订单编号", "单号", "流水号", "小票号", "id", "order id", "order_id",
                 "order no"),
    "phone": _PHONE,
    "member_code": _MEMBER_CODE,
    "name": ("姓名", "客户姓名", "会员姓名", "客户名称", "name", "customer"),
    "at": ("下单时间", "消费时间", "交易时间", "支付时间", "付款时间", "时间", "日期", "time",
           "at", "date", "order time"),
    "amount": ("金额", "实付金额", "实收金额", "支付金额", "订单金额", "消费金额", "amount",
               "amount_yuan", "total"),
    "items": ("商品", "商品名称", "商品明细", "品名", "items", "item", "products"),
    "refund_of": ("原订单号", "退款原订单号", "refund_of", "refund of"),
}

# Known columns Regulars does not keep: the reason is part of the message code.
NOT_KEPT: dict[str, tuple[str, ...]] = {
    "balance": ("储值余额", "客户储值余额", "余额", "会员余额", "stored value", "balance"),
    "discount": ("折扣", "会员折扣", "discount"),
    "level": ("免费等级", "付费等级", "等级", "会员等级", "level"),
    "store": ("发卡门店", "门店", "所属门店", "store"),
    "staff": ("营业员", "导购", "收银员", "添加人", "staff"),
}
NOT_KEPT_CODE = "import.column.not_kept."  # + the reason: balance, discount, level ...
UNKNOWN_CODE = "import.column.unknown"
LEFT_OUT_CODE = "import.column.left_out"  # the mapping said "" for it

# A customer is found by one of these; a purchase needs both of the second.
CUSTOMER_KEYS = ("phone", "wechat_id", "external_id", "member_code")
PURCHASE_NEEDS = ("at", "amount")


def fold(header: str) -> str:
    """The form headers are compared in: NFKC, case-folded, letters and digits only."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", header).casefold()
                   if ch.isalnum())


def _index(table: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold(name): key for key, names in table.items() for name in names}


def fields_of(kind: Kind) -> dict[str, tuple[str, ...]]:
    return CUSTOMER_FIELDS if kind == "customers" else PURCHASE_FIELDS


def map_columns(kind: Kind, headers: Sequence[str],
                mapping: Mapping[str, str] | None = None) -> tuple[Column, ...]:
    """One Column per header, in the file's order. Refuses a mapping naming a header or
    field that does not exist, two columns on one field, and a file without the columns
    a row needs (naming the missing field and the ``--map`` fix)."""
    table = fields_of(kind)
    mapping = dict(mapping or {})
    for header in mapping:
        if header not in headers:
            raise ImportRefused("import.map.no_header", header=header,
                                headers=", ".join(headers))
    for wanted in mapping.values():
        if wanted and wanted not in table:
            raise ImportRefused("import.map.no_field", field=wanted,
                                fields=", ".join(table))
    known, not_kept = _index(table), _index(NOT_KEPT)
    columns: list[Column] = []
    for header in headers:
        if header in mapping:
            wanted = mapping[header]
            columns.append(Column(header, wanted or None, "map",
                                  "" if wanted else LEFT_OUT_CODE))
            continue
        key = fold(header)
        if key in known:
            columns.append(Column(header, known[key], "auto"))
        elif key in not_kept:
            columns.append(Column(header, None, "none", NOT_KEPT_CODE + not_kept[key]))
        else:
            columns.append(Column(header, None, "none", UNKNOWN_CODE))
    _check(kind, columns)
    return tuple(columns)


def _check(kind: Kind, columns: list[Column]) -> None:
    by_field: dict[str, list[str]] = {}
    for column in columns:
        if column.field:
            by_field.setdefault(column.field, []).append(column.header)
    for name, headers in by_field.items():
        if len(headers) > 1:
            raise ImportRefused("import.map.twice", field=name, headers=", ".join(headers),
                                leave_out=f"{headers[1]}=")
    if kind == "customers":
        if not any(key in by_field for key in CUSTOMER_KEYS):
            raise ImportRefused("import.map.no_key", fields=", ".join(CUSTOMER_KEYS))
        return
    for need in PURCHASE_NEEDS:
        if need not in by_field:
            raise ImportRefused("import.map.missing", field=need)
    if "phone" not in by_field and "member_code" not in by_field:
        raise ImportRefused("import.map.no_key", fields="phone, member_code")
