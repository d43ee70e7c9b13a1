"""CJK font lookup for Japanese figure labels (``report.language: ja``).

Matplotlib's default font (DejaVu Sans) has no Japanese glyphs. The report looks for an
installed CJK font at run time through :mod:`matplotlib.font_manager` and fails with a
one-line message naming the Debian package to install when there is none.
"""

from __future__ import annotations

from matplotlib import font_manager

__all__ = ["CJK_FAMILIES", "MissingFontError", "find_cjk_font", "require_cjk_font"]

#: Font families tried in order (the first installed one wins).
CJK_FAMILIES = (
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "Noto Sans CJK SC",
    "Source Han Sans JP",
    "Source Han Sans",
    "IPAexGothic",
    "IPAGothic",
    "IPAPGothic",
    "TakaoGothic",
    "VL Gothic",
    "Noto Serif CJK JP",
    "IPAexMincho",
    "Hiragino Sans",
    "Yu Gothic",
    "MS Gothic",
)


class MissingFontError(RuntimeError):
    """No CJK font is installed, so Japanese labels cannot be drawn."""


def find_cjk_font() -> str | None:
    """Return the family name of an installed CJK font, or ``None``.

    Returns
    -------
    str or None
        The first family of :data:`CJK_FAMILIES` known to matplotlib's font manager.
    """
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    return None


def require_cjk_font() -> str:
    """Return an installed CJK font family or raise a clear error.

    Returns
    -------
    str
        Font family name usable in ``rcParams['font.family']``.

    Raises
    ------
    MissingFontError
        When no CJK font is installed.
    """
    family = find_cjk_font()
    if family is None:
        raise MissingFontError(
            "report.language is 'ja' but no CJK font is installed: "
            "install the Debian package fonts-noto-cjk (apt-get install fonts-noto-cjk) "
            "or set report.language: en"
        )
    return family
