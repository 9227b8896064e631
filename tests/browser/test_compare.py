"""Compare forces (/compare): clean load and axe (ag-grid included), the controls redraw the
figures and keep the address linkable, CSV = table alternative, malformed query = clear
message with defaults."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dashboard.ui.wording import POSITION_SUPPRESSED
from tests.browser.conftest import PageLog, Served
from tests.browser.scorecard_helpers import axe_violations, card, downloaded_csv, open_page

pytestmark = pytest.mark.browser

FUNNEL, SPC = "compare-funnel", "compare-spc"


def alt_table(page: object, card_id: str) -> list[list[str]]:
    """The card's table alternative (inside its <details>), header then rows."""
    rows = card(page, card_id).locator("details table tr")  # type: ignore[attr-defined]
    return [
        [" ".join(c.split()) for c in rows.nth(i).locator("th, td").all_text_contents()]
        for i in range(rows.count())
    ]


def wait_text(page: object, selector: str, text: str) -> None:
    # Web-first waits, not wait_for_function: the app's CSP (no 'unsafe-eval') refuses the
    # string predicates Playwright evaluates in the page.
    expect(page.locator(selector).first).to_contain_text(text, use_inner_text=True)  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]


def url_has(page: object, text: str) -> None:
    """The address bar is rewritten by a clientside callback just after the redraw."""
    expect(page).to_have_url(re.compile(re.escape(text)))  # type: ignore[arg-type]


def test_loads_cleanly_and_passes_axe(served: Served, page: tuple[object, PageLog]) -> None:
    pg, log = page
    open_page(pg, served, "/compare?force=kent")
    pg.wait_for_selector(".ag-root")  # type: ignore[attr-defined]
    assert log.console_errors == [] and log.failed_requests == []
    violations = axe_violations(pg)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    funnel = alt_table(pg, FUNNEL)
    assert funnel[0][:3] == ["Force", "Police region", "Highlight"]
    assert len(funnel) == 1 + 1 + 43  # header, national, 43 forces
    assert "Rank" not in " ".join(funnel[0])
    assert pg.locator(f"#{FUNNEL}-graph .js-plotly-plot").count() == 1  # type: ignore[attr-defined]
    kent = next(r for r in funnel if r[0].startswith("Kent"))
    assert kent[2] == "selected"
    assert any(r[2] == "peer" for r in funnel)
    assert "Kent" in card(pg, SPC).inner_text()  # type: ignore[attr-defined]
    assert pg.locator(".ag-row").count() >= 43 or pg.locator(".ag-row").count() > 0  # type: ignore[attr-defined]


def test_force_period_and_metric_redraw_and_stay_linkable(
    served: Served, page: tuple[object, PageLog]
) -> None:
    pg, log = page
    open_page(pg, served, "/compare")
    first = alt_table(pg, FUNNEL)
    spc_title = pg.inner_text(f"#{SPC}-title")  # type: ignore[attr-defined]
    assert "national" in spc_title

    pg.select_option("#compare-force", "surrey")  # type: ignore[attr-defined]
    wait_text(pg, f"#{SPC}-title", "Surrey")
    url_has(pg, "force=surrey")
    # The funnel redraws in its own callback: wait for its Surrey row to be marked.
    surrey = card(pg, FUNNEL).locator("details table tr", has_text="Surrey").first  # type: ignore[attr-defined]
    expect(surrey.locator("th, td").nth(2)).to_have_text("selected")

    periods = pg.locator("#compare-period option").all_inner_texts()  # type: ignore[attr-defined]
    assert len(periods) > 4
    values = [
        pg.locator("#compare-period option").nth(i).get_attribute("value")  # type: ignore[attr-defined]
        for i in range(len(periods))
    ]
    current = pg.input_value("#compare-period")  # type: ignore[attr-defined]
    other = next(v for v in values if v != current and len(v) == 7)
    pg.select_option("#compare-period", other)  # type: ignore[attr-defined]
    wait_text(pg, f"#{FUNNEL}-title + p", other)
    assert alt_table(pg, FUNNEL) != first
    url_has(pg, f"period={other}")

    pg.select_option("#compare-metric", "engage.isva")  # type: ignore[attr-defined]
    wait_text(pg, f"#{FUNNEL}-title", "ISVA")
    url_has(pg, "metric=engage.isva")
    url_has(pg, "force=surrey")

    # The address reproduces the view.
    url = pg.url  # type: ignore[attr-defined]
    pg.goto(url)  # type: ignore[attr-defined]
    wait_text(pg, f"#{FUNNEL}-title", "ISVA")
    wait_text(pg, f"#{SPC}-title", "Surrey")
    assert log.console_errors == [] and log.failed_requests == []


def test_csv_matches_the_table_alternative(served: Served, page: tuple[object, PageLog]) -> None:
    pg, _ = page
    open_page(pg, served, "/compare?force=leicestershire")
    pg.wait_for_selector(f"#{FUNNEL}-title")  # type: ignore[attr-defined]
    for card_id in (FUNNEL, SPC):
        assert downloaded_csv(pg, card_id) == alt_table(pg, card_id), card_id
    shown = alt_table(pg, FUNNEL)
    suppressed = [r for r in shown[1:] if "suppressed" in r[5]]
    for r in suppressed:
        assert "(" in r[5] and r[4] == "" and r[-1] == POSITION_SUPPRESSED


def test_grid_sorts_by_rate(served: Served, page: tuple[object, PageLog]) -> None:
    pg, _ = page
    open_page(pg, served, "/compare")
    pg.wait_for_selector(".ag-header-cell-text")  # type: ignore[attr-defined]
    pg.locator(".ag-header-cell", has_text="Rate").first.click()  # type: ignore[attr-defined]
    pg.wait_for_timeout(300)  # type: ignore[attr-defined]
    rows = pg.locator(".ag-center-cols-container .ag-row")  # type: ignore[attr-defined]
    texts = [rows.nth(i).locator('[col-id="value"]').inner_text() for i in range(rows.count())]
    nums = [float(t.rstrip("%")) for t in texts if t and t[0].isdigit()]
    order = [int(rows.nth(i).get_attribute("row-index")) for i in range(rows.count())]
    by_index = [n for _, n in sorted(zip(order, texts, strict=True))]
    numbers = [float(t.rstrip("%")) for t in by_index if t and t[0].isdigit()]
    assert len(nums) >= 5 and numbers == sorted(numbers)


def test_malformed_query_gives_a_clear_message_and_defaults(
    served: Served, page: tuple[object, PageLog]
) -> None:
    pg, log = page
    open_page(pg, served, "/compare?metric=volume.recorded&period=20x&force=atlantis&peers=%3C")
    message = pg.inner_text("#compare-message")  # type: ignore[attr-defined]
    for word in ("volume.recorded", "20x", "atlantis", "defaults"):
        assert word in message
    pg.wait_for_selector(f"#{FUNNEL}-title")  # type: ignore[attr-defined]
    assert "Referral rate" in pg.inner_text(f"#{FUNNEL}-title")  # type: ignore[attr-defined]
    assert "Traceback" not in pg.content()  # type: ignore[attr-defined]
    assert log.console_errors == []
