"""The yardstick of bench/startup.py: a hello-world Textual app, run as its own program.

    python bench/hello_app.py
"""

from textual.app import App, ComposeResult
from textual.widgets import Static

TEXT = "Hello, world"


class Hello(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(TEXT)


if __name__ == "__main__":
    Hello().run()
