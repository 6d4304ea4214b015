"""UI catalogs: en.py and zh.py hold the same keys (tests/test_i18n.py checks)."""
