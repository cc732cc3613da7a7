"""`nbdev_export`, with `__all__` wrapped so that its first line fits in 120 characters.

nbdev 2 wraps the list at 120 characters and then writes `__all__ = ` in front of the first line, which can reach
130. Here its wrapper is narrowed by that prefix; every other line of the library is nbdev's own.
Run: .venv/bin/python .ci/export.py   (what `make sync` runs)"""
from textwrap import TextWrapper
import nbdev.maker
from nbdev.doclinks import nbdev_export

PREFIX = len('__all__ = ')
assert nbdev.maker.TextWrapper is TextWrapper, "nbdev's maker wraps __all__ otherwise now: update .ci/export.py"
nbdev.maker.TextWrapper = lambda width=120, **kw: TextWrapper(width=width - PREFIX, **kw)

if __name__ == '__main__': nbdev_export()
