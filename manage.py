#!/usr/bin/env python
"""Kept for habit: the same as the `kartoteka` console script."""

from kartoteka.__main__ import main

if __name__ == "__main__":
    main()
