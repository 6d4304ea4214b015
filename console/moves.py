"""How a recompute moves customers between stages, in words (the console and the CLI)."""

from __future__ import annotations

from db.values import Recompute

from .i18n import stage_label


def moves_text(result: Recompute) -> str:
    """"Trust → Decline 120 · Initial → Trust 3", biggest move first."""
    moves = sorted(result.transitions.items(), key=lambda kv: -kv[1])
    return " · ".join(f"{stage_label(old)} → {stage_label(new)} {n:,}"
                      for (old, new), n in moves)
