"""Hostile files the source-limit tests hand to the pipeline."""

from __future__ import annotations

import io
import zipfile

import pandas as pd


def zip_bomb_xlsx(
    inflated: int,
    *,
    org: str = "kent",
    member: str = "xl/media/padding.bin",
    fill: bytes = b"\0",
) -> bytes:
    """A small workbook with one more member (``member``) that inflates to ``inflated``
    bytes of ``fill``: a few KB on disk, far more once unpacked."""
    buf = io.BytesIO()
    pd.DataFrame({"org_code": [org]}).to_excel(buf, index=False, engine="openpyxl")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr(member, fill * inflated)
    return out.getvalue()
