"""Allow ``python -m procopt``."""

from procopt.cli import main

main()
