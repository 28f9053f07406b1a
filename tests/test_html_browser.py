"""The HTML report of county-fail.json in a real headless Chromium (Debian's `chromium` with
`fonts-noto-cjk`, driven by Playwright, no browser download): no console errors, no request
but the file itself, a filter that changes the rows, a finding expanded, CJK drawn with real
glyphs (no tofu), and a screenshot kept in tests/artifacts/.

Skipped only when chromium (or playwright) is absent here; COMPLIANCE_REQUIRE_BROWSER=1 (set
by .ci/run) turns the skip into a failure."""
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from compliance import cli

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Draws characters on a canvas in the page's own font and returns, per character, how many
# pixels are inked and a fingerprint of the bitmap. U+E000 (private use) has no glyph in any
# font: it is drawn as the missing-glyph box, which is what tofu looks like.
GLYPHS = """(chars) => {
  const font = getComputedStyle(document.querySelector('.banner h1')).fontFamily;
  return chars.map((ch) => {
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 64;
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff'; g.fillRect(0, 0, 64, 64);
    g.fillStyle = '#000'; g.font = '48px ' + font; g.textBaseline = 'top';
    g.fillText(ch, 4, 4);
    const data = g.getImageData(0, 0, 64, 64).data;
    let ink = 0, hash = 0;
    for (let i = 0; i < data.length; i += 4) {
      const dark = data[i] < 128 ? 1 : 0;
      ink += dark;
      hash = (hash * 31 + dark * (i + 1)) % 1000000007;
    }
    return [ch, ink, hash, g.measureText(ch).width];
  });
}"""


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _require_browser():
    why = None
    if _chromium() is None:
        why = "chromium is not installed (apt-get install chromium fonts-noto-cjk)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            why = "playwright is not installed (pip install -e '.[test]')"
    if why is not None:
        if os.environ.get("COMPLIANCE_REQUIRE_BROWSER"):
            pytest.fail(f"COMPLIANCE_REQUIRE_BROWSER is set but {why}")
        pytest.skip(why)


def test_county_fail_report_in_headless_chromium(tmp_path):
    _require_browser()
    from playwright.sync_api import sync_playwright

    report = tmp_path / "county-fail.html"
    assert cli.main(["check", str(ROOT / "examples" / "county-fail.json"), "-o", str(report)]) == 1
    url = report.as_uri()
    requests, problems = [], []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=_chromium(), args=FLAGS,
                                                       headless=True, viewport={"width": 1200, "height": 900})
        try:
            page = context.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(url, wait_until="load")

            def shown() -> list[str]:
                """The school of each row the browser lays out (one call: locators check each row)."""
                return page.eval_on_selector_all(
                    "tr.finding", "rows => rows.filter(r => r.getClientRects().length > 0).map(r => r.dataset.school)")

            total = page.locator("tr.finding").count()
            assert total == 961 and len(shown()) == 14            # the default: what needs action
            assert page.locator("output.shown").inner_text() == "14"
            page.select_option("select[data-filter=status]", "*")
            assert len(shown()) == total
            page.select_option("select[data-filter=school]", "松岭镇中心小学")
            by_school = shown()
            assert 0 < len(by_school) < total and set(by_school) == {"松岭镇中心小学"}
            page.select_option("select[data-filter=status]", "fail")
            assert len(shown()) == 3                # R1, R6, R-SCHOOL: 先看 says 松岭镇中心小学（3）
            assert page.locator("output.shown").inner_text() == "3"

            finding = page.locator("tr.finding:not([hidden])").first
            more = finding.locator("details.more")
            assert more.get_attribute("open") is None
            more.locator(":scope > summary").click()
            assert more.get_attribute("open") is not None
            assert finding.locator("details.more .citation").is_visible()
            steps = finding.locator("details.steps")
            steps.locator("summary").first.click()
            assert steps.locator("li").first.is_visible()

            # CJK glyphs: each character inks pixels of its own, none like the missing-glyph box
            drawn = page.evaluate(GLYPHS, ["结", "论", "达", "标", "\ue000"])
            box = drawn[-1]
            for ch, ink, fingerprint, width in drawn[:-1]:
                assert ink > 50 and fingerprint != box[2], (ch, ink, box)
            assert len({d[2] for d in drawn}) == len(drawn)
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / "html-report-county-fail.png"
            page.screenshot(path=str(shot), full_page=False)
            assert shot.stat().st_size > 10_000
            # a batch: the roll-up sorts by a column, both ways, and links to each record's section
            batch = tmp_path / "batch.html"
            assert cli.main(["check", str(ROOT / "examples" / "beijing-2024.json"),
                             str(ROOT / "examples" / "zhangye-2024.json"), "-o", str(batch), "--jobs", "1"]) == 0
            page.goto(batch.as_uri(), wait_until="load")

            def rows() -> list[list[str]]:
                return page.eval_on_selector_all("table.sortable tbody tr",
                                                 "rows => rows.map(r => [r.cells[0].textContent, r.cells[3].textContent])")

            before = rows()
            passes = sorted(before, key=lambda r: int(r[1]))
            assert len(before) == 2 and passes[0][1] != passes[1][1]
            header = page.locator("table.sortable th").nth(3)     # 达标
            header.click()
            assert rows() == passes and header.get_attribute("aria-sort") == "ascending"
            header.click()
            assert rows() == passes[::-1] and header.get_attribute("aria-sort") == "descending"
            page.locator("table.sortable a").first.click()
            target = page.evaluate("location.hash")
            assert target.startswith("#record-") and page.locator(target).is_visible()
            seen, console = list(requests), list(problems)
            # Last, as the inspector's CSS domain itself logs a file:// origin error: the font
            # Chromium used for the banner is a Noto CJK face.
            session = context.new_cdp_session(page)
            session.send("DOM.enable")
            session.send("CSS.enable")
            root = session.send("DOM.getDocument")["root"]["nodeId"]
            node = session.send("DOM.querySelector", {"nodeId": root, "selector": ".banner h1"})["nodeId"]
            fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            assert any("CJK" in f["familyName"] for f in fonts), fonts

        finally:
            context.close()
    assert console == []
    assert seen == [url, batch.as_uri()]       # the files themselves, nothing else
