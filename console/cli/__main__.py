"""`python -m console.cli` runs `regulars`."""

from console.cli import main

main()
