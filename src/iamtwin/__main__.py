"""`python -m iamtwin`: the same as the `iamtwin` command."""

from __future__ import annotations

from .cli.app import main

main()
