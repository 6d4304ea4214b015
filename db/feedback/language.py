"""The language to write to a customer in, guessed from how their name is written."""

from __future__ import annotations

from ..names import has_cjk


def language_of(name: str) -> str:
    """The language to write to a customer in, judged by how their name is written:
    王芳 gets Chinese, Anna Lee English. (No customer field holds it yet.)"""
    return "zh" if has_cjk(name) else "en"
