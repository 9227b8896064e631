"""Make a run's GX Data Docs work offline and under the dashboard's Content-Security-Policy.

GX writes pages that load Bootstrap 4, jQuery, bootstrap-table, Font Awesome and Vega from
CDNs, show a logo from S3, link to greatexpectations.io, and fill the index table from an
inline script. The dashboard allows only its own scripts and no other hosts, so those pages
arrived unstyled and the index empty. After GX builds the site, every page is rewritten:
scripts and third-party references removed, the app's own Bootstrap (``/assets/``) and a
small local stylesheet in their place, and the index replaced by a static table of the
run's validations (one row per file, failures first).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# The dashboard serves its Bootstrap here (dashboard/assets); Data Docs are served by the
# same app under /data-docs/<run>/, so an absolute path reaches it.
APP_BOOTSTRAP = "/assets/bootstrap.min.css"
OFFLINE_CSS = "static/styles/offline.css"

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_EXTERNAL_LINK_TAG = re.compile(r"<link\b[^>]*\bhref=[\"']?https?://[^>]*>", re.IGNORECASE)
_EXTERNAL_IMG = re.compile(r"<img\b[^>]*\bsrc=[\"']?https?://[^>]*>", re.IGNORECASE | re.DOTALL)
_EXTERNAL_A = re.compile(
    r"<a\b[^>]*\bhref=[\"']?https?://[^>]*>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL
)
_CSS_URL = re.compile(r"url\(\s*[\"']?https?://[^)]*\)", re.IGNORECASE)
_ANY_URL = re.compile(r"https?://[^\s\"'<>)]+", re.IGNORECASE)
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
# GX's footer: an invitation to its newsletter (a third-party link once, words now).
_FOOTER = re.compile(r"<footer\b[^>]*>.*?</footer\s*>", re.IGNORECASE | re.DOTALL)

# Font Awesome icons GX uses for pass and fail, drawn with characters instead of a web font.
_OFFLINE_STYLES = """/* Written by expectations/data_docs.py: what the CDN assets did, locally. */
body { padding-top: 0; }
.fas.fa-check-circle::before { content: "\\2714"; }
.fas.fa-times::before, .fas.fa-times-circle::before { content: "\\2718"; }
.fas.fa-exclamation-triangle::before { content: "\\26A0"; }
.fas { font-style: normal; font-weight: bold; }
.cooltip .top { display: none; }
table { font-size: 0.9rem; }
th a { word-break: break-all; }
.navbar { height: auto !important; }
/* Bootstrap 4 badges (GX's rule parameters) have no colours in the app's Bootstrap 5. */
.badge.badge-secondary, .badge.badge-info, .badge.badge-warning {
  color: #212529; background-color: #e9ecef; font-weight: 600;
}
.badge.badge-warning { background-color: #ffe8a1; }
"""


@dataclass(frozen=True)
class DocEntry:
    """One validation in the run: the file it came from and where its page is."""

    label: str  # the extract's file name (or its kind, when not known)
    suite: str
    success: bool
    page: str  # path of its page, relative to the site folder


def offline_page(text: str, depth: int) -> str:
    """One Data Docs page without scripts or third-party references; ``depth`` is how many
    folders below the site root the page is (for the relative stylesheet link)."""
    text = _SCRIPT.sub("", text)
    text = _EXTERNAL_LINK_TAG.sub("", text)
    text = _EXTERNAL_IMG.sub("", text)
    text = _EXTERNAL_A.sub(r"\1", text)
    text = _CSS_URL.sub("none", text)
    text = _ANY_URL.sub("", text)
    text = _FOOTER.sub("", text)
    local = "../" * depth + OFFLINE_CSS
    links = (
        f'<link rel="stylesheet" href="{APP_BOOTSTRAP}">\n'
        f'<link rel="stylesheet" href="{local}">\n</head>'
    )
    return _HEAD_END.sub(lambda _m: links, text, count=1)


def index_page(run_label: str, entries: Sequence[DocEntry]) -> str:
    """A static index: every validation of the run, failures first, each linking its page."""
    rows = []
    for e in sorted(entries, key=lambda e: (e.success, e.label)):
        result = (
            '<span class="text-success">Passed</span>'
            if e.success
            else '<span class="text-danger fw-bold">Failed</span>'
        )
        rows.append(
            f'<tr><th scope="row"><a href="{html.escape(e.page)}">{html.escape(e.label)}</a>'
            f"</th><td>{html.escape(e.suite.replace('_', ' '))}</td><td>{result}</td></tr>"
        )
    failed = sum(not e.success for e in entries)
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Validation reports - {html.escape(run_label)}</title>
<link rel="stylesheet" href="{APP_BOOTSTRAP}">
<link rel="stylesheet" href="{OFFLINE_CSS}">
</head><body><main class="container py-4">
<h1 class="h3">Validation reports (Great Expectations Data Docs)</h1>
<p>Run {html.escape(run_label)}: {len(entries)} file(s) validated, {failed} failed a rule.
Each report lists every rule checked on the file and, for a failure, how many rows broke it
(never the values).</p>
<div style="overflow-x:auto"><table class="table table-sm">
<caption>Files validated in this run, failures first</caption>
<thead><tr><th scope="col">File</th><th scope="col">Extract</th><th scope="col">Result</th>
</tr></thead><tbody>
{"".join(rows)}
</tbody></table></div></main></body></html>
"""


_LOCAL_A = re.compile(r"<a\b[^>]*\bhref=\"([^\"#:]+)(?:#[^\"]*)?\"[^>]*>(.*?)</a\s*>", re.I | re.S)
_LOCAL_LINK = re.compile(r"<link\b[^>]*\bhref=\"([^\"#:]+)\"[^>]*>", re.IGNORECASE)


def drop_dead_links(text: str, page: Path) -> str:
    """Unwrap links and drop stylesheet/icon tags whose relative target GX never wrote (its
    expectation-suite pages, a favicon path one folder short), so nothing on a page 404s."""

    def alive(ref: str) -> bool:
        return ref.startswith("/") or (page.parent / ref).exists()

    text = _LOCAL_A.sub(lambda m: m.group(0) if alive(m.group(1)) else m.group(2), text)
    return _LOCAL_LINK.sub(lambda m: m.group(0) if alive(m.group(1)) else "", text)


def make_offline(site_dir: Path, run_label: str, entries: Sequence[DocEntry]) -> None:
    """Rewrite the built site in place (see the module docstring)."""
    css = site_dir / OFFLINE_CSS
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_text(_OFFLINE_STYLES, encoding="utf-8")
    for sheet in site_dir.rglob("*.css"):  # GX's own styles name a logo on S3
        sheet.write_text(_CSS_URL.sub("none", sheet.read_text(encoding="utf-8")), encoding="utf-8")
    for page in site_dir.rglob("*.html"):
        depth = len(page.relative_to(site_dir).parts) - 1
        text = offline_page(page.read_text(encoding="utf-8"), depth)
        page.write_text(drop_dead_links(text, page), encoding="utf-8")
    (site_dir / "index.html").write_text(index_page(run_label, entries), encoding="utf-8")


def external_references(text: str) -> list[str]:
    """Any http(s) address left in a page (for tests and a build-time check)."""
    return _ANY_URL.findall(text)
