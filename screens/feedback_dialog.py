"""Write down what a customer said, in a few keys: f, a digit for the category, a
digit for praise / neutral / complaint, the words, Ctrl+S.

Product and supplier are optional and complete from the shop's catalogue (new
names are added as they are typed). The words keep line breaks, CJK and emoji.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static, TextArea

from console.i18n import t
from db.vocab import FEEDBACK_CATEGORIES, SENTIMENTS

from .dialogs import CounterDialog, pick_line, picked


class FeedbackDialog(CounterDialog):
    FIELDS = ("category", "sentiment", "words", "product", "supplier")
    BINDINGS = [*CounterDialog.BINDINGS, Binding("ctrl+s", "save", "key.save")]

    def __init__(self, customer_id: int | None, name: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer_name = name
        self.category: str | None = None
        self.sentiment = "neutral"
        self.asked_to_drop = False  # Esc once with words typed: asked; Esc again drops

    def typed_something(self) -> bool:
        return bool(self.query_one("#words", TextArea).text.strip()
                    or any(self.query_one(f"#{f}", Input).value.strip()
                           for f in ("product", "supplier")))

    def action_cancel(self) -> None:
        """Esc drops what the customer said only when asked twice, like the customer form."""
        if self.typed_something() and not self.asked_to_drop:
            self.asked_to_drop = True
            keys = self.query_one("#feedback-keys", Static)
            keys.update(Text(t("screens.discard_feedback"), style="bold"))
            keys.add_class("warning")
            return
        super().action_cancel()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._typed_on()

    def _typed_on(self) -> None:
        if self.asked_to_drop:  # typing on: the question is no longer the last word
            self.asked_to_drop = False
            keys = self.query_one("#feedback-keys", Static)
            keys.update(t("feedback.keys"))
            keys.remove_class("warning")

    def compose(self) -> ComposeResult:
        title = (t("feedback.title", name=self.customer_name) if self.customer_id is not None
                 else t("feedback.title_anonymous"))
        # compact fields: the whole form fits an 80x24 terminal
        with Vertical(classes="dialog wide compact"):
            yield Static(Text(title, style="bold"))
            yield from self.field_row("category", Input(
                id="category", max_length=1, compact=True, placeholder=t("feedback.pick_hint")))
            yield Static(self._choices(), id="category-choices")
            yield from self.field_row("sentiment", Input(
                id="sentiment", max_length=1, compact=True, placeholder=t("feedback.pick_hint")))
            yield Static(self._sentiments(), id="sentiment-choices")
            yield Label(t("field.words"))
            yield TextArea(id="words", soft_wrap=True, show_line_numbers=False, compact=True)
            line = Static("", id="words-error", classes="error")
            line.display = False
            yield line
            with Horizontal(classes="pair"):
                with Vertical():
                    yield from self.field_row("product", Input(
                        id="product", compact=True))
                with Vertical():
                    yield from self.field_row("supplier", Input(
                        id="supplier", compact=True))
            yield Static(t("feedback.keys"), classes="dim", id="feedback-keys")

    def on_mount(self) -> None:
        from textual.suggester import SuggestFromList

        def loaded(names: tuple[list[str], list[str]]) -> None:
            products, suppliers = names
            self.query_one("#product", Input).suggester = SuggestFromList(
                products, case_sensitive=False)
            self.query_one("#supplier", Input).suggester = SuggestFromList(
                suppliers, case_sensitive=False)

        self.run_db(self.shop.feedback.catalogue, loaded, group="catalogue")

    def _choices(self) -> Text:
        return pick_line(FEEDBACK_CATEGORIES, "feedback.category.", self.category)

    def _sentiments(self) -> Text:
        return pick_line(SENTIMENTS, "feedback.sentiment.", self.sentiment)

    def on_input_changed(self, event: Input.Changed) -> None:
        """A digit in a pick field chooses, then the next field takes over."""
        if event.input.id in ("product", "supplier"):
            self._typed_on()
        if event.input.id == "category" and (category := picked(event, FEEDBACK_CATEGORIES)):
            self.category = category
            self.query_one("#category-choices", Static).update(self._choices())
            self.query_one("#sentiment", Input).focus()
        elif event.input.id == "sentiment" and (sentiment := picked(event, SENTIMENTS)):
            self.sentiment = sentiment
            self.query_one("#sentiment-choices", Static).update(self._sentiments())
            self.query_one("#words", TextArea).focus()

    def action_save(self) -> None:
        words = self.query_one("#words", TextArea).text
        product = self.query_one("#product", Input).value
        supplier = self.query_one("#supplier", Input).value
        cid, category, sentiment = self.customer_id, self.category or "", self.sentiment
        self.save_with(lambda: self.shop.feedback.add(cid, category, words, sentiment, product,
                                                      supplier))

