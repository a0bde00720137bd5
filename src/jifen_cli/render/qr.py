"""QR codes (for the ledger digest on the notice and on household cards), as inline SVG.

A code printed on paper is read by a phone, so three things matter more than its looks:
- it scales: the <svg> has a viewBox, so the size the page gives it (width and height in mm)
  scales the whole symbol instead of cropping it to the box;
- it keeps its quiet zone: segno's border of 4 modules, drawn light (white), so a grey or
  coloured background around it never eats into it;
- text that is not ASCII says it is UTF-8 (an ECI marker), so a reader shows 扎西岗村 and
  བཀྲ་ཤིས་ as they are, not as mojibake from a guessed Latin-1. Plain ASCII (the digest) has
  no marker: every reader reads it, and the symbol stays one version smaller.
"""

from __future__ import annotations


def svg(data: str, *, size_mm: float, error: str = "m", module_mm: float = 0.0,
        max_mm: float = 0.0) -> str:
    """An inline <svg> element encoding `data`, `size_mm` wide and high (quiet zone included).

    With `module_mm` and `max_mm`, a code with many modules (a long name on a card) grows up to
    `max_mm` so that its modules stay `module_mm` wide. segno is pure Python and needs no image
    library. `error` is the error correction level (l, m, q, h); segno raises it further when
    that costs no larger symbol."""
    import segno

    ascii_only = data.isascii()
    code = segno.make(data, error=error, micro=False,
                      encoding=None if ascii_only else "utf-8", eci=not ascii_only)
    modules = code.symbol_size(scale=1)[0]  # quiet zone included
    size_mm = max(size_mm, min(max_mm, modules * module_mm))
    markup = code.svg_inline(scale=1, omitsize=True, light="#fff", dark="#000")
    size = f"{size_mm:.1f}mm"
    return markup.replace("<svg ", f'<svg width="{size}" height="{size}" role="img" ', 1)
