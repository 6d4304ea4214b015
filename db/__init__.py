"""The shop's data and its rules. Never imports the UI (tests/test_architecture.py proves it)."""
