"""Pictures of a tfc-report page for the README, taken in headless Chromium as the browser test
does (the network off): the scalars with the smoothing slider moved and a read-out showing, the
graph with its scope "model" (else the first that opens) opened by a click, and the image grids.

    .venv/bin/python scripts/report_screenshots.py REPORT.html OUTDIR

writes OUTDIR/report-scalars.png, report-graph.png and report-images.png."""
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By


def main(report, outdir):
    opts = Options()
    opts.binary_location = "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as profile:
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                     f"--user-data-dir={profile}", "--window-size=1300,1400", "--hide-scrollbars"):
            opts.add_argument(flag)
        d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        try:
            d.execute_cdp_cmd("Network.enable", {})
            d.execute_cdp_cmd("Network.emulateNetworkConditions",
                              {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
            d.get(Path(report).resolve().as_uri())
            d.execute_script("const s = document.getElementById('smoothing'); s.value = 0.8;"
                             "s.dispatchEvent(new Event('input'))")
            section = d.find_element(By.ID, "scalars")
            d.execute_script("arguments[0].scrollIntoView()", section)
            svg = d.find_element(By.CSS_SELECTOR, "#scalar-charts svg")
            ActionChains(d).move_to_element_with_offset(svg, svg.rect["width"] / 5, 0).perform()
            section.screenshot(str(Path(outdir) / "report-scalars.png"))
            nodes = d.find_elements(By.CSS_SELECTOR, "#graph0 .gview:not([hidden]) g.node.openable")
            node = next((n for n in nodes if n.find_element(By.TAG_NAME, "title").get_attribute("textContent")
                         .startswith("model ")), nodes[0])
            d.execute_script("arguments[0].scrollIntoView({block: 'center'})", node)
            ActionChains(d).move_to_element(node).click().perform()
            graph = d.find_element(By.ID, "graph")
            d.execute_script("arguments[0].scrollIntoView()", graph)
            graph.screenshot(str(Path(outdir) / "report-graph.png"))
            images = d.find_element(By.ID, "images")
            d.execute_script("arguments[0].scrollIntoView()", images)
            images.screenshot(str(Path(outdir) / "report-images.png"))
        finally:
            d.quit()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
