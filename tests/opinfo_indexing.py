"""OpInfo rows for the indexing ops of the op library (issue 3). See opinfo.py."""

from opinfo import OpInfo  # noqa: F401

ROWS: list = []
