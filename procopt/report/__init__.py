"""Stage 6, communicate: the value-stream report (HTML, Markdown, figures, tables) built from the results of
the earlier stages. ``build_report`` assembles a pure-data ``Report``; ``write_report`` paints and writes it.
"""

from __future__ import annotations
