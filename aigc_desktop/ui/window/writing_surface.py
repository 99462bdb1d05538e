"""The writing surface: a readable text column centred in the window, a calm frame around it,
and a default font that sets Latin and CJK text well."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QFrame

TEXT_WIDTHS = (0, 60, 72, 90)  # characters per line; 0: the whole window (View → Text Width)
DEFAULT_TEXT_WIDTH = 72
MIN_SIDE_MARGIN = 24  # px, so text never touches the window's edge
TOP_MARGIN = 12

# Tried in order, each kept only when installed: Qt falls back along the list per character,
# so Latin text takes the first Latin font and Chinese text the first CJK one.
LATIN_FAMILIES = ("Noto Serif", "Source Serif 4", "Source Serif Pro", "Georgia", "Cambria", "DejaVu Serif",
                  "Liberation Serif")
CJK_FAMILIES = ("Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", "Noto Sans CJK SC",
                "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei")


def default_families() -> list[str]:
    installed = set(QFontDatabase.families())
    return [f for f in LATIN_FAMILIES + CJK_FAMILIES if f in installed]


def default_font(point_size: int) -> QFont:
    font = QFont()
    families = default_families()
    if families:
        font.setFamilies(families)
    font.setPointSize(point_size)
    return font


def style_editor(editor) -> None:
    """No frame; the margins beside the column take the text's background, so the page looks whole."""

    editor.setFrameShape(QFrame.Shape.NoFrame)
    editor.setBackgroundRole(QPalette.ColorRole.Base)  # follows the theme, unlike a style sheet
    editor.setAutoFillBackground(True)


_SAMPLE = "the quick brown fox jumps over a lazy dog, then rests. "


def prose_char_width(metrics) -> float:
    """Width of an average character of running prose (a font's averageCharWidth counts wide glyphs too)."""
    return metrics.horizontalAdvance(_SAMPLE) / len(_SAMPLE)


def fit_text_column(editor, chars: int) -> int:
    """Centre a column of about `chars` characters (0: full width); returns the side margin in px."""
    width = editor.width()
    if chars:
        column = prose_char_width(editor.fontMetrics()) * chars + 2 * editor.document().documentMargin()
        side = max(MIN_SIDE_MARGIN, int(width - column) // 2)
    else:
        side = MIN_SIDE_MARGIN
    if editor.viewportMargins().left() != side:
        editor.setViewportMargins(side, TOP_MARGIN, side, 0)
    return side
