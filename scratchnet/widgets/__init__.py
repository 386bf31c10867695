"""Interactive figures for the chapters (support code, written by hand, tested by pytest).

Each widget is a `FigureWidget`: a row of ipywidgets controls above a matplotlib figure drawn to
a PNG `ipywidgets.Image`. That works the same on ipywidgets 7.7 (Colab) and 8.x, needs no
matplotlib widget backend, and can be tested without a browser: set a control's `.value` and
read the numbers the widget just drew from `.data`.

The book has no kernel, so every widget also draws a static stand-in, `standin(...)`: the same
drawing at several settings side by side.

Every widget draws in the book's figure style, `STYLE` (matplotlib's colour-blind-safe
`tableau-colorblind10`), whatever style the notebook has set; `book_style()` is that style as a
context manager, and `PALETTE` its colours.
"""

from scratchnet.widgets._base import PALETTE, STYLE, FigureWidget, book_style

__all__ = ["FigureWidget", "STYLE", "PALETTE", "book_style"]
