"""The customer screen's sections, each a widget that draws its part of the story.

The story is read in one transaction and arrives as one typed message (``StoryRead``);
the screen hands it to every section, so no section can show another moment's figures.
Sections draw plain data and never call the shop.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable, Static

from console.i18n import channel_label, level_label, stage_label, t
from db.clock import local_date_text
from db.money import format_fen
from db.phones import mask
from db.shop import CustomerStory
from db.values import Customer, last_day

from .hits import level_text


class StoryRead(Message):
    """One customer's story, as of one moment: every section draws from it."""

    def __init__(self, story: CustomerStory) -> None:
        super().__init__()
        self.story = story


class StorySection(Static):
    """A part of the customer screen drawn from the story alone."""

    def show(self, story: CustomerStory, tz: str, region: str) -> None:
        self.update(self.draw(story, tz, region))

    def draw(self, story: CustomerStory, tz: str, region: str) -> Text | Table:
        raise NotImplementedError


class Heading(StorySection):
    """Name, member code, stage, level, points, and the tags under them."""

    def draw(self, story: CustomerStory, tz: str, region: str) -> Text:
        c, rewards = story.customer, story.rewards
        heading = Text()
        if c.erased_at:  # only anonymous figures remain (db/erase.py)
            heading.append(t("customer.erased_name"), style="bold dim")
            heading.append(f"   {c.member_code}", style="reverse")
            return heading
        heading.append(c.name, style="bold")
        heading.append(f"   {c.member_code}", style="reverse")
        heading.append(f"   {stage_label(c.stage)}", style="bold cyan")
        heading.append("   ")
        heading.append_text(level_text(rewards.level) if rewards.level != "regular"
                            else Text(level_label("regular"), style="dim"))
        heading.append(f"   {t('customer.points_badge', points=f'{c.points:,}')}", style="bold")
        if c.is_seed_user:
            heading.append(f"   {t('customer.seed_user')}", style="bold magenta")
        if story.tags:
            heading.append("\n" + "  ".join(f"#{x}" for x in story.tags), style="green")
        return heading


class StageSection(StorySection):
    def draw(self, story: CustomerStory, tz: str, region: str) -> Table:
        c, view = story.customer, story.stage
        stage = grid()
        source = t("customer.stage_manual") if c.stage_source == "manual" else t(
            "customer.stage_rule")
        stage.add_row(t("column.stage"), f"{stage_label(c.stage)} ({source})")
        if view.suggestion.stage != c.stage:
            stage.add_row(t("customer.suggestion"), Text(
                f"{stage_label(view.suggestion.stage)}: "
                f"{t(view.suggestion.reason_code, **view.suggestion.reason_params)}",
                style="yellow"))
        stage.add_row(t("customer.trust_days"), t(
            "customer.trust_days_value", now=f"{view.trust_days_now:.0f}",
            total=f"{view.trust_days_total:.0f}"))
        for change in view.history[:4]:
            why = t(change.reason_code, **change.reason_params)
            stage.add_row(local_date_text(change.at, tz), Text(
                f"{stage_label(change.from_stage) if change.from_stage else '—'} → "
                f"{stage_label(change.to_stage)} · {change.staff} · {why}"))
        return section(t("customer.stage"), stage)


class SpendSection(StorySection):
    def draw(self, story: CustomerStory, tz: str, region: str) -> Table:
        c = story.customer
        spend = grid()
        spend.add_row(t("customer.lifetime_spend"), format_fen(c.total_spend_fen))
        spend.add_row(t("customer.orders"), str(c.orders))
        spend.add_row(t("customer.aov"), format_fen(c.average_order_fen) if c.orders else "—")
        spend.add_row(t("customer.first_last"), f"{local_date_text(c.first_purchase_at, tz) or '—'}"
                      f" … {local_date_text(c.last_visit_at, tz) or '—'}")
        rhythm = (t("customer.days", days=f"{c.median_interval_s / 86400:.0f}")
                  if c.median_interval_s else "—")
        spend.add_row(t("customer.rhythm"), rhythm)
        return section(t("customer.spend"), spend)


class RewardsSection(StorySection):
    """Level, points, coupons and referrals."""

    def draw(self, story: CustomerStory, tz: str, region: str) -> Table:
        c, r = story.customer, story.rewards
        rows = grid()
        level = level_label(r.level)
        if r.next_level:
            level += " · " + t("customer.to_next_level", amount=format_fen(r.to_next_fen),
                               level=level_label(r.next_level))
        rows.add_row(t("column.level"), level)
        latest = "  ".join(f"{local_date_text(e.at, tz)[5:]} {e.delta:+,} "
                           f"{t(f'points.kind.{e.kind}')}" for e in r.points)
        rows.add_row(t("customer.points"), Text(f"{c.points:,}" + (f"   ({latest})"
                                                                  if latest else "")))
        for coupon in r.coupons[:3]:
            rows.add_row(t("customer.coupon"), Text(
                f"{coupon.template} {coupon.code} "
                f"{t('customer.until', date=last_day(coupon.expires_at, tz))}"))
        if len(r.coupons) > 3:
            rows.add_row("", Text(t("customer.more_coupons", count=len(r.coupons) - 3),
                                  style="dim"))
        if r.referrer is not None:
            rows.add_row(t("customer.referred_by"), Text(
                f"{r.referrer.name} ({r.referrer.member_code})"))
        if r.referees:
            total, rewarded = r.referred
            names = " · ".join(f"{x.name} {t(f'referral.status.{x.status}')}"
                               + (f" +{x.reward_points}" if x.reward_points else "")
                               for x in r.referees[:4])
            rows.add_row(t("customer.referred"), Text(
                t("customer.referred_count", count=total, rewarded=rewarded)
                + "  " + names))
        return section(t("customer.rewards"), rows)


class PurchasesTitle(StorySection):
    """How many sales the list below shows, of how many."""

    def draw(self, story: CustomerStory, tz: str, region: str) -> Text:
        shown, total = story.purchases, story.purchase_rows
        title = (t("customer.no_purchases") if not shown else t("customer.purchases")
                 if len(shown) >= total else
                 t("customer.purchases_paged", shown=f"{len(shown):,}", total=f"{total:,}"))
        return Text(title, style="bold underline")


class PurchaseList(DataTable[object]):
    """The newest sales, refunds struck through; a row's key is the sale's number."""

    def __init__(self, table_id: str) -> None:
        super().__init__(id=table_id, cursor_type="row")
        # the sale's number first, whole (a 1M-customer shop has 8-digit ones): `regulars
        # purchase refund ID` takes it; the column grows to the widest number shown
        widths: tuple[tuple[str, int | None], ...] = (
            ("sale_id", None), ("date", 11), ("amount", 12), ("items", 24), ("staff", 8))
        for key, width in widths:
            self.add_column(t(f"column.{key}"), width=width, key=key)

    def show(self, story: CustomerStory, tz: str, region: str) -> None:
        self.clear()
        self.display = bool(story.purchases)
        for p in story.purchases:
            style = "dim strike" if p.refunded_by else ("red" if p.refund_of else "")
            note = p.items + (f" {t('customer.backdated')}" if p.backdated else "")
            self.add_row(Text(f"#{p.id}", style=style, justify="right"),
                         Text(local_date_text(p.at, tz), style=style),
                         Text(format_fen(p.amount_fen), style=style, justify="right"),
                         Text(note, style=style), p.staff, key=str(p.id))


class FeedbackSection(StorySection):
    """The latest five things the customer said."""

    def draw(self, story: CustomerStory, tz: str, region: str) -> Text | Table:
        if not story.feedback:
            return Text(t("feedback.none"), style="dim")
        said = grid()
        for item in story.feedback[:5]:
            words = " ".join(item.words.split())
            said.add_row(local_date_text(item.at, tz), Text(
                f"{t(f'feedback.category.{item.category}')} · "
                f"{t(f'feedback.status.{item.status}')} · "
                f"{words[:60]}{'…' if len(words) > 60 else ''}"))
        return section(t("customer.feedback"), said)


class DetailsSection(StorySection):
    """The profile: contact, birthday, channel, consent, notes. The phone is masked
    unless this visit revealed it (``revealed``: the number as the shop handed it out,
    audited)."""

    revealed: str | None = None

    def draw(self, story: CustomerStory, tz: str, region: str) -> Table:
        c = story.customer
        details = grid()
        phone = self.revealed or mask(c.phone, c.phone_rev)
        details.add_row(t("field.phone"), phone or "—")
        details.add_row(t("field.wechat_id"), c.wechat_id or "—")
        details.add_row(t("field.birthday"), c.birthday or "—")
        details.add_row(t("field.gender"), t(f"gender.{c.gender}") if c.gender else "—")
        details.add_row(t("field.channel"), channel_label(c.channel))
        details.add_row(t("field.marketing_consent"), consent_text(c, tz))
        details.add_row(t("customer.joined"), local_date_text(c.created_at, tz))
        details.add_row(t("field.notes"), Text(c.notes or "—"))
        return section(t("customer.profile"), details)


def consent_text(c: Customer, tz: str) -> str:
    """Given or withdrawn, when, and where the answer came from."""
    if c.consent_at is None:
        return t("customer.consent_yes_undated") if c.marketing_consent \
            else t("customer.consent_no")
    when = local_date_text(c.consent_at, tz)
    source = t(f"consent_source.{c.consent_source}") if c.consent_source else "—"
    return (t("customer.consent_yes", date=when, source=source) if c.marketing_consent
            else t("customer.consent_withdrawn", date=when, source=source))


def grid() -> Table:
    rows = Table.grid(padding=(0, 2))
    rows.add_column(style="dim", no_wrap=True)
    rows.add_column(overflow="fold")
    return rows


def section(title: str, body: Table) -> Table:
    outer = Table.grid()
    outer.add_row(Text(title, style="bold underline"))
    outer.add_row(body)
    return outer
