"""Started as a fresh process by bench/startup.py: time to an interactive first screen.

    python bench/startup_probe.py regulars DB   -> lookup screen with its first rows shown
    python bench/startup_probe.py hello         -> a hello-world Textual app, mounted

Prints seconds since the process began (from the OS's process start time when
the platform tells it, else from the first line here) and peak RSS in MB.
"""

from __future__ import annotations

import sys
import time

T0 = time.perf_counter()


def report(kind: str) -> None:
    import resource

    elapsed = time.perf_counter() - T0
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{kind} {elapsed:.4f} {rss_kb / 1024:.1f}", flush=True)


def hello() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Hello(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("Hello")

        def on_ready(self) -> None:
            report("hello")
            self.exit()

    Hello().run(headless=True)


def regulars(path: str) -> None:
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from console.app import RegularsApp
    from db.shop import Shop
    from screens import lookup

    shown = lookup.LookupScreen._show

    def show_then_exit(self: lookup.LookupScreen, result: object) -> None:
        shown(self, result)  # type: ignore[arg-type]
        report("regulars")
        self.app.exit()

    lookup.LookupScreen._show = show_then_exit  # type: ignore[method-assign]
    shop = Shop.open(path)
    RegularsApp(shop).run(headless=True)


if __name__ == "__main__":
    if sys.argv[1] == "hello":
        hello()
    else:
        regulars(sys.argv[2])
