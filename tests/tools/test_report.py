"""tfc-report end to end: a report of a tfc-run logdir (graph, scalars, histograms, images,
checkpoint) and of every real fixture logdir (TF 1, TF 2, PyTorch) is one self-contained HTML
file that refers to nothing outside itself; the data it carries are the logdir's; and in a real
browser (Debian's Chromium, headless, driven through chromedriver by Selenium, the network
switched off) it loads without a console error, shows every chart, its smoothing slider
changes the curves and its read-out shows TensorBoard's smoothed value, log-y and the x axis
switch, a click opens a scope of the graph and another closes it, and a screenshot is taken.

With TFC_REPORT_SCREENSHOTS=DIR set, the browser test also leaves pictures of the page's
sections in DIR (how docs/report-*.png are made)."""
import base64
import json
import os
import re
import shutil

import pytest
from tb_smoothing import tb_smooth

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def page_data(path):
    """The JSON block the page's script draws from."""
    text = path.read_text()
    m = re.search(r'<script type="application/json" id="tfc-data">(.*?)</script>', text, re.S)
    assert m, "no data block"
    return json.loads(m.group(1))


def decode_steps(series):
    steps, s = [], 0
    for d in series["s"]:
        s += d
        steps.append(s)
    return steps


def assert_self_contained(html):
    """Nothing is fetched: no external scripts, styles, images, fonts or links to follow."""
    assert not re.search(r'(src|href)\s*=\s*"(?!data:|#)', html), re.search(r'(src|href)\s*=\s*"(?!data:|#)[^"]*', html)
    assert "@import" not in html and "url(http" not in html
    # the only URLs are XML namespace names, which browsers never fetch
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls


@pytest.fixture(scope="module")
def run_logdir(tmp_path_factory, tfc_run, mnist_dir):
    """A short run of the deep seed with histograms and images: every section has something."""
    import subprocess
    d = tmp_path_factory.mktemp("report") / "events"
    p = subprocess.run([str(tfc_run), "mnist", "--model", "deep", "--steps", "300", "--summary-every", "50",
                        "--histograms", "--images", "3", "--logdir", str(d), "--run", "deep", "--quiet",
                        "--data-dir", str(mnist_dir)], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    return d


def make_report(run_tool, logdirs, out, *args):
    p = run_tool("tfc-report", *map(str, logdirs), "-o", str(out), *args, timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == f"wrote {out}"
    return p


def test_report_of_a_tfc_run(run_tool, run_logdir, tmp_path, events_dump):
    out = tmp_path / "report.html"
    p = make_report(run_tool, [run_logdir], out)
    assert "warning" not in p.stderr, p.stderr
    html = out.read_text()
    assert_self_contained(html)
    assert out.stat().st_size < 2_000_000
    data = page_data(out)
    assert data["runs"] == ["deep"]
    # the scalars are the logdir's, point for point (6 points: no thinning)
    ours = events_dump(run_logdir)
    assert [t["tag"] for t in data["scalars"]] == ["Accuracy", "Loss"]
    for tag in data["scalars"]:
        series, = tag["series"]
        want = ours.scalars[("deep", tag["tag"])]
        assert decode_steps(series) == [s for s, _, _ in want]
        assert series["v"] == pytest.approx([v for _, _, v in want], rel=1e-6)
    assert {t["tag"] for t in data["histograms"]} == {t for (_, t) in ours.histograms}
    assert len(re.findall(r'<figure class="images">', html)) == 1  # input_reshape/input, 3 samples
    assert len(re.findall(r'src="data:image/png;base64,', html)) == 3 * 6
    assert html.count('class="gview"') > 3
    assert data["checkpoint"]["tensors"] and data["checkpoint"]["path"].endswith("model.ckpt-300")


def test_report_of_an_event_file(run_tool, run_logdir, tmp_path):
    """An event file given instead of its logdir: the checkpoint beside it is the page's (it was read
    as a checkpoint itself, with a warning that it is no SSTable)."""
    event_file, = (run_logdir / "deep").glob("events.out.tfevents.*")
    out = tmp_path / "one.html"
    p = make_report(run_tool, [event_file], out, "--graph-kb", "0")
    assert "warning" not in p.stderr, p.stderr
    assert page_data(out)["checkpoint"]["path"].endswith("deep/model.ckpt-300")


def test_report_of_a_stale_checkpoint_file(run_tool, run_logdir, tmp_path):
    """A run whose `checkpoint` file names a checkpoint that is gone (its files deleted by hand): the
    page has none, and a warning says why (it said nothing, as for a run that never saved one)."""
    run = tmp_path / "stale"
    shutil.copytree(run_logdir / "deep", run)
    for f in run.glob("model.ckpt-300.*"):
        f.unlink()
    out = tmp_path / "stale.html"
    p = make_report(run_tool, [run], out, "--graph-kb", "0")
    warnings = [line for line in p.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and f"{run}/checkpoint: its newest checkpoint" in warnings[0], p.stderr
    assert page_data(out)["checkpoint"] is None


def test_report_to_stdout(run_tool, run_logdir, tmp_path):
    """-o -: the page alone on stdout (a 'wrote -' line followed it, after </html>)."""
    p = run_tool("tfc-report", run_logdir, "-o", "-", "--graph-kb", "0")
    assert p.returncode == 0 and "warning" not in p.stderr, p.stderr
    assert p.stdout.startswith("<!DOCTYPE html>") and p.stdout.endswith("</html>\n"), p.stdout[-200:]


def test_thinning_keeps_first_and_last(run_tool, run_logdir, tmp_path):
    out = tmp_path / "thin.html"
    make_report(run_tool, [run_logdir], out, "--max-points", "3", "--max-steps", "2", "--graph-kb", "0")
    data = page_data(out)
    for tag in data["scalars"]:
        assert decode_steps(tag["series"][0]) == [50, 200, 300]  # of 50, 100, ..., 300
    html = out.read_text()
    assert len(re.findall(r"<tr><th>step \d+</th>", html)) == 2 and "step 50<" in html and "step 300<" in html
    assert 'class="gview"' not in html and "No graph." in html


def test_report_of_the_real_fixtures(run_tool, fixtures_dir, tmp_path):
    tf1, tf2, torch = (fixtures_dir / d for d in ("events_tf1", "events_tf2", "events_torch"))
    out = tmp_path / "fixtures.html"
    p = make_report(run_tool, [tf1, tf2, torch], out)
    assert "warning" not in p.stderr, p.stderr
    html = out.read_text()
    assert_self_contained(html)
    data = page_data(out)
    runs = data["runs"]
    assert any(r.startswith(str(tf1)) for r in runs) and any(r.startswith(str(torch)) for r in runs)
    tags = {t["tag"] for t in data["scalars"]}
    assert {"loss", "epoch_loss", "Loss/train", "batch_loss"} <= tags  # TF1, TF2, PyTorch, tensorboardX
    assert {"W", "dense/kernel_0", "hist-numpy"} <= {t["tag"] for t in data["histograms"]}
    # the PyTorch writer's 300x300 images and TF 2.13's weight images
    assert html.count('<figure class="images">') >= 5
    assert ">images</b>" in html and ">dense/kernel_0</b>" in html  # grouped without "/image"
    assert html.count('class="graph"') >= 5


def test_bad_input(run_tool, tmp_path, run_logdir):
    p = run_tool("tfc-report", str(tmp_path / "nope"), "-o", str(tmp_path / "r.html"))
    assert p.returncode == 1 and p.stderr.count("\n") == 1 and "nope" in p.stderr
    assert not (tmp_path / "r.html").exists()
    for args in (["--smoothing", "1"], ["--max-points", "-3"], ["--frobnicate"], ["-o"]):
        p = run_tool("tfc-report", str(run_logdir), *args)
        assert p.returncode == 2 and p.stderr.count("\n") == 1, (args, p.stderr)
    p = run_tool("tfc-report", str(run_logdir), "-o", str(tmp_path))  # a folder
    assert p.returncode == 1 and p.stderr.count("\n") == 1


def write_images(logdir, encoded, height, width, colorspace):
    """A logdir whose image summary x/image holds the given encoded images at steps 1, 2, ..."""
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    w = EventFileWriter(str(logdir))
    for step, data in enumerate(encoded, 1):
        img = summary_pb2.Summary.Image(height=height, width=width, colorspace=colorspace, encoded_image_string=data)
        w.add_event(event_pb2.Event(step=step, summary=summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag="x/image", image=img)])))
    w.close()
    return logdir


def test_bad_png_is_one_warning(run_tool, tmp_path):
    logdir = write_images(tmp_path / "bad", (b"\x89PNG\r\n\x1a\nbroken", b"GIF89a"), 2, 2, 1)
    out = tmp_path / "bad.html"
    p = make_report(run_tool, [logdir], out)
    warnings = [line for line in p.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 2 and "'x/image' step 1" in warnings[0] and "'x/image' step 2" in warnings[1]
    assert out.read_text().count('class="bad"') == 2


def test_jpeg_and_gif_images(run_tool, tmp_path):
    """Summary.Image holds whatever a browser shows, and TensorBoard shows JPEG and GIF: the page
    shows them too (at the size the summary gives), a JPEG cut short is one warning; tfc-plot,
    which draws PNG only, says which format it left out."""
    import io
    import numpy as np
    from PIL import Image
    pixels = Image.fromarray((np.random.default_rng(1).random((12, 16, 3)) * 255).astype(np.uint8))
    encoded = {}
    for fmt in ("JPEG", "GIF"):
        b = io.BytesIO()
        pixels.save(b, format=fmt)
        encoded[fmt] = b.getvalue()
    logdir = write_images(tmp_path / "formats", (encoded["JPEG"], encoded["GIF"], encoded["JPEG"][:-20]), 12, 16, 3)
    out = tmp_path / "formats.html"
    p = make_report(run_tool, [logdir], out)
    warnings = [line for line in p.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "'x/image' step 3" in warnings[0] and "not a PNG" in warnings[0], warnings
    page = out.read_text()
    for mime, data in (("image/jpeg", encoded["JPEG"]), ("image/gif", encoded["GIF"])):
        assert f'width="96" height="72" class="px" src="data:{mime};base64,{base64.b64encode(data).decode()}"' in page
    # a size no image has (one side 0 or negative; -2e9 overflowed the scaling, UBSan): the default square
    for height, width in ((12, 0), (12, -16), (1, -2_000_000_000)):
        odd = write_images(tmp_path / f"size{width}", (encoded["JPEG"],), height, width, 3)
        make_report(run_tool, [odd], tmp_path / "odd.html", "--graph-kb", "0")
        page = (tmp_path / "odd.html").read_text()
        assert re.search(r'<img alt="step 1" width="96" height="96"( class="px")? src="data:image/jpeg;base64,', page), width
    p = run_tool("tfc-plot", "--logdir", logdir, "--image", "x/image", "-o", tmp_path / "x.png")
    assert p.returncode == 0, p.stderr
    lines = p.stderr.splitlines()
    assert len(lines) == 3 and "step 1: image 0 is left out: a JPEG, which tfc-plot does not draw" in lines[0]
    assert "step 2: image 0 is left out: a GIF" in lines[1] and "not a PNG" in lines[2]


def test_names_cannot_break_the_page(run_tool, tmp_path):
    """Tags and run names are data, whatever they hold: quotes, markup, a closing script tag."""
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    tag = 'a"</script><b>&\\ \u00e9'
    logdir = tmp_path / "odd" / "<run>"
    w = EventFileWriter(str(logdir))
    for step in range(3):
        w.add_event(event_pb2.Event(step=step, summary=summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag=tag, simple_value=float("nan") if step == 1 else step)])))
    w.close()
    out = tmp_path / "odd.html"
    make_report(run_tool, [tmp_path / "odd"], out)
    data = page_data(out)
    assert data["runs"] == ["<run>"] and data["scalars"][0]["tag"] == tag
    assert data["scalars"][0]["series"][0]["v"] == [0, None, 2]  # NaN as null
    assert "</script><b>" not in out.read_text()



def test_names_that_are_not_utf8(run_tool, tmp_path):
    """A tag and a run name holding bytes that are not UTF-8 (protobuf's Python classes refuse
    them; C writers do not) keep the page valid UTF-8: each such byte is PEP 383's lone surrogate
    in the data, as in tfc-ckpt --json."""
    import os
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.record_writer import RecordWriter
    run = tmp_path / "logs" / os.fsdecode(b"run_\xe9\xff")
    run.mkdir(parents=True)
    with open(run / "events.out.tfevents.1.host", "wb") as f:
        w = RecordWriter(f)
        w.write(event_pb2.Event(wall_time=1, file_version="brain.Event:2").SerializeToString())
        for step in range(2):
            ev = event_pb2.Event(wall_time=2 + step, step=step, summary=summary_pb2.Summary(
                value=[summary_pb2.Summary.Value(tag="loss/#caf\u00e9#", simple_value=step)]))
            w.write(ev.SerializeToString().replace(b"#", b"\xc3"))  # a lead byte with nothing after it
    out = tmp_path / "bytes.html"
    make_report(run_tool, [tmp_path / "logs"], out)
    data = page_data(out)  # reads the page as strict UTF-8
    assert data["runs"] == [os.fsdecode(b"run_\xe9\xff")]
    assert data["scalars"][0]["tag"].encode("utf-8", "surrogateescape") == b"loss/\xc3caf\xc3\xa9\xc3"


def test_steps_and_times_at_the_ends_of_their_range(run_tool, tmp_path):
    """Steps from both ends of int64 (their differences do not fit in one) and a wall time no clock
    gives reach the page as the steps written, and times it can draw."""
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    w = EventFileWriter(str(tmp_path / "logs" / "run"))
    steps = [-10, -(2 ** 62), 2 ** 62, 2 ** 63 - 1, -(2 ** 63)]
    for i, (step, wall) in enumerate(zip(steps, [1.0, 2.0, 1e300, float("nan"), 3.0])):
        w.add_event(event_pb2.Event(step=step, wall_time=wall, summary=summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag="x", simple_value=i)])))
    w.close()
    out = tmp_path / "ends.html"
    make_report(run_tool, [tmp_path / "logs"], out)
    series = page_data(out)["scalars"][0]["series"][0]
    assert [float(s) for s in decode_steps(series)] == [float(s) for s in steps]
    ms, t = [], 0
    for d in series["t"]:
        t += d
        ms.append(t)
    assert ms == [0, 1000, 0, 0, 2000]


def test_text_summaries(run_tool, tmp_path):
    """Text summaries show as TensorBoard's text dashboard has them: per run and tag, step by
    step (--max-steps of them, the first and the last among them), Markdown as plain text, a
    matrix as a table, markup in the text shown, not obeyed."""
    import numpy as np
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.plugins.text import summary as text_summary
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    w = EventFileWriter(str(tmp_path / "logs" / "run"))

    def add(step, pb):
        w.add_event(event_pb2.Event(step=step, summary=summary_pb2.Summary.FromString(pb.SerializeToString())))
    for step in range(12):
        add(step, text_summary.pb("notes", f"**step** {step} <b>x</b>"))
    add(3, text_summary.pb("grid", np.array([["lr", "0.01"], ["batch", "32"]])))
    w.close()
    out = tmp_path / "text.html"
    make_report(run_tool, [tmp_path / "logs"], out, "--max-steps", "4")
    page = out.read_text()
    section = page[page.index('<section id="text">'):page.index('<section id="graph">')]
    steps = re.findall(r"<th>step (\d+)</th>", section)
    assert steps == ["3", "0", "4", "7", "11"], steps  # grid, then notes
    assert "step 0 &lt;b&gt;x&lt;/b&gt;" in section and "**" not in section and "<b>x" not in section
    assert re.search(r"<td[^>]*>lr</td><td[^>]*>0\.01</td></tr><tr><td[^>]*>batch</td>", section)
    assert '<a href="#text">Text</a>' in page


# ---- in a real browser ----

@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    for exe in (CHROMIUM, CHROMEDRIVER):
        if not os.access(exe, os.X_OK):
            pytest.fail(f"{exe} is missing: 'bash scripts/setup.sh' installs chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    opts = Options()
    opts.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1400,1700"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    # no network: every request would fail, and the performance log shows any attempt
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                           {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
    yield driver
    driver.quit()


def open_page(driver, path):
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(path.resolve().as_uri())
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == [], errors
    fetched = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            fetched.append(msg["params"]["request"]["url"])
    assert all(u.startswith(("file:", "data:")) for u in fetched), fetched


def shoot(driver, tmp_path, name, element=None):
    """A screenshot (kept in $TFC_REPORT_SCREENSHOTS too, when set); checks it is a picture."""
    from PIL import Image
    path = tmp_path / f"{name}.png"
    if element is None:
        driver.save_screenshot(str(path))
    else:
        driver.execute_script("arguments[0].scrollIntoView()", element)
        element.screenshot(str(path))
    img = Image.open(path).convert("L")
    assert img.size[0] > 200 and img.size[1] > 100
    lo, hi = img.getextrema()
    assert hi - lo > 100, name  # not blank
    keep = os.environ.get("TFC_REPORT_SCREENSHOTS")
    if keep:
        shutil.copy(path, os.path.join(keep, f"report-{name}.png"))
    return path


def visible_view(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('#graph0 .gview')].find(v => !v.hidden).dataset.scope")


def test_report_in_a_browser(run_tool, run_logdir, tmp_path, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    out = tmp_path / "report.html"
    make_report(run_tool, [run_logdir], out)
    data = page_data(out)
    open_page(browser, out)
    d = browser

    # every chart there: one per scalar tag, one per histogram tag and run
    scalar_cards = d.find_elements(By.CSS_SELECTOR, "#scalar-charts .chart")
    assert [c.get_attribute("data-tag") for c in scalar_cards] == [t["tag"] for t in data["scalars"]]
    assert len(d.find_elements(By.CSS_SELECTOR, "#scalar-charts svg path.smoothed")) == len(data["scalars"])
    assert len(d.find_elements(By.CSS_SELECTOR, "#histogram-charts svg.histogram")) == \
        sum(len(t["series"]) for t in data["histograms"])
    assert len(d.find_elements(By.CSS_SELECTOR, "#histogram-charts svg path.median")) == \
        sum(len(t["series"]) for t in data["histograms"])
    images = d.find_elements(By.CSS_SELECTOR, "#images img")
    assert len(images) == 18 and all(d.execute_script("return arguments[0].naturalWidth", i) == 28 for i in images)
    assert len(d.find_elements(By.CSS_SELECTOR, "table.ckpt tr")) == len(data["checkpoint"]["tensors"]) + 1

    # the slider changes the curves; the read-out at the last step shows TensorBoard's smoothing
    loss = d.find_element(By.CSS_SELECTOR, '#scalar-charts .chart[data-tag="Loss"]')
    path = lambda: loss.find_element(By.CSS_SELECTOR, "path.smoothed").get_attribute("d")  # noqa: E731
    before = path()
    d.execute_script("const s = document.getElementById('smoothing'); s.value = 0.9;"
                     "s.dispatchEvent(new Event('input'))")
    after = path()
    assert after != before
    assert d.find_element(By.ID, "smoothing-value").text == "0.90"
    svg = loss.find_element(By.CSS_SELECTOR, "svg")
    box = svg.rect
    ActionChains(d).move_to_element_with_offset(svg, box["width"] / 2 - 16, 0).perform()
    tip = loss.find_element(By.CSS_SELECTOR, ".tip")
    assert tip.is_displayed()
    values = data["scalars"][[t["tag"] for t in data["scalars"]].index("Loss")]["series"][0]["v"]
    want = tb_smooth(values, 0.9)[-1]
    cells = tip.text.split()
    assert "step" in cells and cells[cells.index("step") + 1] == "300"
    assert float(cells[cells.index("step") + 2]) == pytest.approx(want, rel=1e-4)
    shoot(d, tmp_path, "scalars", d.find_element(By.ID, "scalars"))
    ActionChains(d).move_by_offset(0, 400).perform()

    # log y and the x axis
    d.find_element(By.ID, "logy").click()
    assert path() != after
    d.find_element(By.ID, "logy").click()
    d.execute_script("const x = document.getElementById('xaxis'); x.value = 'relative';"
                     "x.dispatchEvent(new Event('change'))")
    assert "time since the first point" in loss.text

    # the graph: a click on a collapsed scope opens it, a click on its box closes it again
    assert visible_view(d) == ""
    node = d.find_element(By.XPATH, "//*[@id='graph0']//div[not(@hidden)]//*[local-name()='g'][contains(@class,"
                                    "'openable')][*[local-name()='title'][starts-with(text(),'model ')]]")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", node)
    ActionChains(d).move_to_element(node).click().perform()
    assert visible_view(d) == "model"
    clusters = d.find_elements(By.XPATH, "//*[@id='graph0']//div[not(@hidden)]//*[local-name()='g']"
                                         "[contains(@class,'cluster')]")
    assert any("model" in c.find_element(By.XPATH, "./*[local-name()='title']").get_attribute("textContent")
               for c in clusters)
    shoot(d, tmp_path, "graph", d.find_element(By.ID, "graph"))
    label = d.find_element(By.XPATH, "//*[@id='graph0']//div[not(@hidden)]//*[local-name()='g'][contains(@class,"
                                     "'cluster')][*[local-name()='title'][starts-with(text(),'model ')]]"
                                     "/*[local-name()='text']")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", label)
    ActionChains(d).move_to_element(label).click().perform()
    assert visible_view(d) == ""

    shoot(d, tmp_path, "histograms", d.find_element(By.ID, "histograms"))
    shoot(d, tmp_path, "images", d.find_element(By.ID, "images"))
    d.execute_script("window.scrollTo(0, 0)")
    shoot(d, tmp_path, "page")
    errors = [e for e in d.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == [], errors


def test_fixture_report_in_a_browser(run_tool, fixtures_dir, tmp_path, browser):
    from selenium.webdriver.common.by import By
    out = tmp_path / "fixtures.html"
    make_report(run_tool, [fixtures_dir / "events_tf1", fixtures_dir / "events_tf2", fixtures_dir / "events_torch"],
                out)
    data = page_data(out)
    open_page(browser, out)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#scalar-charts svg.scalar")) == len(data["scalars"])
    assert len(browser.find_elements(By.CSS_SELECTOR, "#histogram-charts svg.histogram")) == \
        sum(len(t["series"]) for t in data["histograms"])
    browser.execute_script("const h = document.getElementById('histmode'); h.value = 'offset';"
                           "h.dispatchEvent(new Event('change'))")
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == [], errors
    shoot(browser, tmp_path, "fixtures")


def test_lone_points_and_large_steps_in_a_browser(run_tool, tmp_path, browser):
    """What draws no line still shows: a run's only value, values between NaNs and values on one
    pixel are dots, a histogram of one step is a short bar; steps past 2^31 read 200G, not
    200000000k; clock times within a second read to its fraction, their labels apart."""
    from selenium.webdriver.common.by import By
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    w = EventFileWriter(str(tmp_path / "logs" / "run"))

    def add(step, **value):
        w.add_event(event_pb2.Event(step=step, summary=summary_pb2.Summary(value=[summary_pb2.Summary.Value(**value)])))
    add(7, tag="one", simple_value=42.0)
    for step, v in enumerate([1.0, float("nan"), 2.0, float("inf"), 3.0, 4.0]):
        add(step, tag="gaps", simple_value=v)
    for step in (2 ** 31, 2 ** 40):
        add(step, tag="big", simple_value=1.0)
    add(3, tag="h", histo=summary_pb2.HistogramProto(min=-1, max=2, num=4, sum=2, sum_squares=6,
                                                       bucket_limit=[0, 1, 2], bucket=[1, 2, 1]))
    for step, wall in enumerate((1700000000.2, 1700000000.2 + 0.85)):  # ticks .1 s apart, summed to x.9999993
        w.add_event(event_pb2.Event(step=step, wall_time=wall, summary=summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag="clock", simple_value=1.0)])))
    for step in range(3):  # within a millisecond: one x by wall time
        w.add_event(event_pb2.Event(step=step, wall_time=1.7e9 + step * 1e-4, summary=summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag="burst", simple_value=2.0)])))
    w.close()
    out = tmp_path / "lone.html"
    make_report(run_tool, [tmp_path / "logs"], out)
    open_page(browser, out)
    chart = lambda tag: browser.find_element(By.CSS_SELECTOR, f'#scalar-charts .chart[data-tag="{tag}"]')  # noqa: E731
    assert len(chart("one").find_elements(By.CSS_SELECTOR, "circle.dot")) == 1
    assert len(chart("gaps").find_elements(By.CSS_SELECTOR, "circle.dot")) == 2  # 1 and 2; 3-4 is a line
    ticks = [t.get_attribute("textContent") for t in chart("big").find_elements(By.CSS_SELECTOR, ".axis text")]
    assert "1T" in ticks and not any(t.endswith("0000k") for t in ticks), ticks
    browser.execute_script("const x = document.getElementById('xaxis'); x.value = 'wall';"
                           "x.dispatchEvent(new Event('change'))")
    assert len(chart("burst").find_elements(By.CSS_SELECTOR, "circle.dot")) == 1
    # a second around that millisecond (not 10% of the clock's 54 years), labels that do not overlap
    boxes = browser.execute_script(
        "return [...arguments[0].querySelectorAll('.axis text')].filter(t => /:/.test(t.textContent))"
        ".map(t => { const b = t.getBBox(); return [b.x, b.x + b.width, t.textContent]; })", chart("burst"))
    assert len(boxes) >= 3 and all(re.fullmatch(r"\d\d:\d\d:\d\d\.\d+", b[2]) for b in boxes), boxes
    assert all(a[1] < b[0] for a, b in zip(boxes, boxes[1:])), boxes
    # each label the time of its tick, rounded: ascending (the whole second's tick read 20.0, not 21.0)
    labels = [t.get_attribute("textContent") for t in chart("clock").find_elements(By.CSS_SELECTOR, ".axis text")]
    clock = [float(t.split(":")[2]) for t in labels if re.fullmatch(r"\d\d:\d\d:\d\d\.\d", t)]
    assert len(clock) >= 3 and clock == sorted(set(clock)) and clock[-1] == 21.0, labels
    bands = browser.find_elements(By.CSS_SELECTOR, "#histogram-charts svg.histogram path[fill-opacity]")
    for band in bands:
        xs = {round(float(x), 1) for x in re.findall(r"[ML]([-\d.]+),", band.get_attribute("d"))}
        assert len(xs) == 2, band.get_attribute("d")
    assert len(bands) == 4
