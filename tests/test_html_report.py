"""The HTML report (issue 15): one self-contained file with the summary, the filtered method table, each API's chain
with the broken link in red, and every finding with its source and fix; names are hostile data. The browser test
renders the demo's report in Debian's chromium, headless, and reads the DOM the page's own script left."""

from __future__ import annotations

import base64
import copy
import hashlib
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import HANG_GUARD
from scanner.cli import main
from scanner.demo import demo_report
from scanner.findings import plain
from scanner.render.html_report import render_html
from scanner.rules.loader import load_rules

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="module")
def demo() -> dict:
    return plain(demo_report(load_rules()))  # what renderers read: findings as their JSON objects


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each script and style element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline: dict[str, list[str]] = {"script": [], "style": []}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open = tag if tag in self.inline else None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.inline[self._open].append(data)

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def parsed(html: str) -> Elements:
    elements = Elements()
    elements.feed(html)
    return elements


def test_the_report_is_self_contained_and_lists_every_method(demo):
    html = render_html(demo, load_rules(), "high")
    elements = parsed(html)
    rows = [attrs for tag, attrs in elements.tags if tag == "tr" and "data-verdict" in attrs]
    assert len(rows) == len(demo["methods"])
    assert not [attrs for tag, attrs in elements.tags if "src" in attrs or tag == "link"]  # nothing loaded
    policy = next(attrs["content"] for tag, attrs in elements.tags if attrs.get("http-equiv") ==
                  "Content-Security-Policy")
    for kind in ("script", "style"):
        source = "".join(elements.inline[kind])
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy, kind  # only this file's own script and style may run
    assert "default-src 'none'" in policy
    assert "1: " in html and "(--fail-on high)" in html  # the exit status the run returns


def test_findings_carry_why_they_matter_and_the_fix_with_a_copy_button(demo):
    html = render_html(demo, load_rules())
    article = html[html.index('id="rule-APIGW001"'):]
    article = article[:article.index("</article>")]
    assert "How do I troubleshoot &quot;401 Unauthorized&quot; errors" in article
    assert 'href="https://repost.aws/knowledge-center/api-gateway-cognito-401-unauthorized"' in article
    assert "<blockquote>The user pool ID matches the issuer of the token</blockquote>" in article
    assert "aws apigateway update-authorizer" in article and 'class="copy"' in article
    several = html[html.index('id="rule-APIGW005"'):]
    several = several[:several.index("</article>")]
    assert "For POST /orders:" in several and "For PUT /profile:" in several  # whose commands are whose


def test_the_chain_draws_the_link_apigw001_breaks_in_red(demo):
    html = render_html(demo, load_rules())
    broken = [attrs for tag, attrs in parsed(html).tags
              if tag == "path" and "broken" in (attrs.get("class") or "").split()]
    assert any("APIGW001" in (attrs.get("data-rules") or "").split() for attrs in broken)
    healthy = copy.deepcopy(demo)
    healthy["findings"] = []
    paths = [attrs for tag, attrs in parsed(render_html(healthy, load_rules())).tags if tag == "path"]
    assert paths and not [attrs for attrs in paths if "broken" in (attrs.get("class") or "")]


def test_hostile_names_are_text_never_markup(demo):
    report = copy.deepcopy(demo)
    attack = '<script>alert(1)</script>"><img src=x onerror=alert(2)>\u202e'
    report["methods"][0]["api_name"] = attack
    report["methods"][0]["path"] = "/</td><script>alert(3)</script>"
    report["findings"][0]["message"] = attack
    report["findings"][0]["commands"] = ["aws x '</code><script>alert(4)</script>'"]
    report["chains"][0]["api_name"] = attack
    report["chains"][0]["authorizers"][0]["name"] = attack
    report["notes"] = [attack]
    html = render_html(report, load_rules())
    elements = parsed(html)
    assert [tag for tag, _ in elements.tags].count("script") == 1  # the report's own
    assert "img" not in [tag for tag, _ in elements.tags]
    assert not [name for _, attrs in elements.tags for name in attrs if name.startswith("on")]
    assert "alert(1)" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    assert "\u202e" not in html and "\\u202e" in html


def test_demo_writes_the_html_report_beside_the_table(tmp_path, capsys):
    target = tmp_path / "demo-report.html"
    assert main(["demo", "--html", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Scanned") and f"HTML report: {target}" in captured.err
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["demo", "--format", "html", "--html", str(target)]) == 2
    assert "give one" in capsys.readouterr().err


def browse(url: str, profile: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--no-first-run", f"--user-data-dir={profile}", *flags, url],
                          capture_output=True, text=True, timeout=HANG_GUARD, check=False)


def visible_rows(dom: str) -> list[str]:
    rows = re.findall(r"<tr ([^>]*data-verdict[^>]*)>", dom)
    return [row for row in rows if not re.search(r"\bhidden\b", row)]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed here: .ci/run installs Debian's chromium "
                    "(apt-get install -y chromium); without it the report's script is not run in a browser")
def test_the_report_in_a_real_browser(demo, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_html(demo, load_rules()), encoding="utf-8")
    dump = browse(page.as_uri(), tmp_path / "profile", "--dump-dom", "--virtual-time-budget=5000")
    assert dump.returncode == 0, dump.stderr[-2000:]
    dom = dump.stdout
    assert 'data-ready="true"' in dom  # the page's script ran to its end
    assert len(visible_rows(dom)) == len(demo["methods"])
    assert re.search(r'<path class="link broken" data-rules="[^"]*APIGW001', dom)
    # Filters: the address carries them, the script applies them, the rows left are exactly those that match.
    warn = sum(1 for row in demo["methods"] if row["verdict"] == "warn")
    filtered = browse(page.as_uri() + "#verdict=warn", tmp_path / "profile", "--dump-dom",
                      "--virtual-time-budget=5000").stdout
    assert len(visible_rows(filtered)) == warn > 0
    assert f"{warn} of {len(demo['methods'])} methods" in filtered
    narrowed = browse(page.as_uri() + "#rule=APIGW001&q=users", tmp_path / "profile", "--dump-dom",
                      "--virtual-time-budget=5000").stdout
    rows = visible_rows(narrowed)
    assert len(rows) == 1 and 'data-api="legacy-admin"' in rows[0]
    nothing = browse(page.as_uri() + "#q=no-such-method", tmp_path / "profile", "--dump-dom",
                     "--virtual-time-budget=5000").stdout
    assert visible_rows(nothing) == [] and '<p id="no-match" class="muted">' in nothing
    shot = tmp_path / "report.png"
    browse(page.as_uri(), tmp_path / "profile", f"--screenshot={shot}", "--window-size=1400,2000")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


PHONE_HARNESS = """<!DOCTYPE html><html><body>
<iframe id="narrow" src="report.html" style="width:420px;height:1500px"></iframe>
<iframe id="wide" src="report.html" style="width:1300px;height:1500px"></iframe>
<pre id="measured"></pre>
<script>
function measure(frame) {
  var page = frame.contentDocument, view = frame.contentWindow;
  var figures = Array.prototype.slice.call(page.querySelectorAll("figure.chain"));
  var found = {figures: figures.length, pictures: 0, trees: 0, smallest: 99, overflowing: 0, scale: 99};
  figures.forEach(function (figure) {
    var picture = figure.querySelector("svg.chain-picture"), tree = figure.querySelector(".chain-tree");
    if (view.getComputedStyle(picture).display !== "none") {
      found.pictures += 1;
      found.scale = Math.min(found.scale, picture.getBoundingClientRect().width / picture.viewBox.baseVal.width);
    }
    if (view.getComputedStyle(tree).display !== "none") {
      found.trees += 1;
      tree.querySelectorAll("*").forEach(function (element) {
        if (element.textContent.trim()) {
          found.smallest = Math.min(found.smallest, parseFloat(view.getComputedStyle(element).fontSize));
        }
      });
    }
    if (figure.scrollWidth > figure.clientWidth + 1) { found.overflowing += 1; }
  });
  return found;
}
window.addEventListener("load", function () {
  document.getElementById("measured").textContent = JSON.stringify(
    {narrow: measure(document.getElementById("narrow")), wide: measure(document.getElementById("wide"))});
});
</script></body></html>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed here: .ci/run installs Debian's chromium "
                    "(apt-get install -y chromium); without it the chains' layout is not measured in a browser")
def test_the_chains_stay_readable_on_a_phone(demo, tmp_path):
    """At 420 px (a phone) each chain is the tree that wraps, its text at 12 px or more and nothing wider than the
    screen; at 1300 px it is the picture, drawn at its own size. Measured by the browser in two frames."""
    import json

    (tmp_path / "report.html").write_text(render_html(demo, load_rules()), encoding="utf-8")
    harness = tmp_path / "harness.html"
    harness.write_text(PHONE_HARNESS, encoding="utf-8")
    dump = browse(harness.as_uri(), tmp_path / "profile", "--dump-dom", "--virtual-time-budget=5000",
                  "--allow-file-access-from-files", "--window-size=1800,1600")
    assert dump.returncode == 0, dump.stderr[-2000:]
    measured = json.loads(re.search(r'<pre id="measured">(.*?)</pre>', dump.stdout, re.S).group(1))
    narrow, wide = measured["narrow"], measured["wide"]
    chains = len(demo["chains"])
    assert narrow["figures"] == wide["figures"] == chains > 0
    assert narrow["trees"] == chains and narrow["pictures"] == 0
    assert narrow["smallest"] >= 12 and narrow["overflowing"] == 0
    assert wide["pictures"] == chains and wide["trees"] == 0 and wide["scale"] >= 0.99 and wide["overflowing"] == 0


def test_a_link_is_red_only_where_a_failed_critical_or_high_finding_breaks_it(demo):
    """Low and info findings (APIGW007: ID tokens where access tokens would do) leave the link dotted, not red;
    an undecided critical one is dashed; a pool in another account is elsewhere, never "not found"."""
    html = render_html(demo, load_rules())
    links = [attrs for tag, attrs in parsed(html).tags if tag == "path"]
    lows = {f["rule"] for f in demo["findings"] if f["severity"] in ("low", "info", "medium")}
    highs = {f["rule"] for f in demo["findings"] if f["severity"] in ("critical", "high") and f["outcome"] == "fail"}
    for attrs in links:
        state = (attrs.get("class") or "").split()[1:]
        rules = set((attrs.get("data-rules") or "").split())
        if "broken" in state:
            assert rules and rules <= highs, attrs
        if rules and rules <= lows - highs:
            assert state == ["notice"], attrs
    assert any((attrs.get("class") or "").split()[1:] == ["notice"] for attrs in links)
    report = copy.deepcopy(demo)
    for finding in report["findings"]:
        finding["severity"] = "low"
    assert not [attrs for tag, attrs in parsed(render_html(report, load_rules())).tags
                if tag == "path" and "broken" in (attrs.get("class") or "")]
    reviews = html[html.index('<figure class="chain" data-api="reviews"'):]
    reviews = reviews[:reviews.index("</figure>")]
    assert "elsewhere: account 210987654321" in reviews and "not found" not in reviews
    assert "user pool not found" in html and "elsewhere (another account or a region not scanned)" in html
