"""QR codes (for the ledger digest on the notice and on household cards), as inline SVG."""

from __future__ import annotations


def svg(data: str, *, scale: int = 3) -> str:
    """An inline <svg> element encoding `data`. segno is pure Python and needs no image library."""
    import segno

    return segno.make(data, error="m").svg_inline(scale=scale, omitsize=False)
