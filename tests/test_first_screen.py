"""The first five minutes (issue 15): summary first, worst first, colour only where it is seen, the terminal's width
kept at 80 and 120 columns without breaking a name, detail of what matters grouped by cause, help that teaches,
progress a CI log can show."""

from __future__ import annotations

import copy
import io
import re

import pytest

from scanner.cli import main
from scanner.demo import demo_report
from scanner.findings import plain
from scanner.render.colour import wants_colour
from scanner.render.groups import group_findings, severity_rank
from scanner.render.progress import Progress, progress_mode
from scanner.render.terminal import View, render_table
from scanner.render.width import cells, shorten, shorten_middle, wrap
from scanner.render.words import findings_tally
from scanner.report import merge_reports
from scanner.rules.loader import SEVERITIES, load_rules

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def demo() -> dict:
    return plain(demo_report(load_rules()))  # what renderers read: findings as their JSON objects


def table_lines(text: str) -> list[str]:
    """The table: from its header line to the line before the first blank line after it."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Severity "))
    end = next(i for i in range(start, len(lines)) if not lines[i].strip())
    return lines[start:end]


def rows_of(text: str) -> list[str]:
    """The method rows: after the header and its rule, up to the legend (which starts with a parenthesis)."""
    rows = []
    for line in table_lines(text)[2:]:
        if line.startswith("("):
            break
        rows.append(line)
    return rows


def test_the_summary_and_every_failing_method_fit_one_screen_before_the_first_critical_detail(demo):
    text = render_table(demo, View(width=120))
    lines = text.splitlines()
    assert lines[0].startswith("Scanned") and lines[1].startswith("Verdicts") and lines[2].startswith("Findings")
    assert any(line.startswith("Exit") for line in lines[:6])
    first_critical = next(i for i, line in enumerate(lines) if line.startswith("CRITICAL "))
    assert first_critical < 50, f"the first critical finding's detail starts on line {first_critical + 1}"
    failing = [row for row in demo["methods"] if row["verdict"] == "fail"]
    assert len([line for line in rows_of(text) if "  fail  " in line]) == len(failing)


@pytest.mark.parametrize("width", [80, 120])
def test_the_table_fits_the_width_and_keeps_identifiers_whole(demo, width):
    text = render_table(demo, View(width=width))
    table = table_lines(text)
    assert max(cells(line) for line in table) <= width
    assert len(rows_of(text)) == len(demo["methods"])  # one line per method: nothing wraps
    for line in rows_of(text):  # a rule ID is whole, or the list is collapsed: never cut
        for word in line.split():
            if re.match(r"^[A-Z]{3,5}\d", word):
                assert re.fullmatch(r"(APIGW|COG|HTTP|LAM|IAC|TRF)\d{3}\??", word), word
    summary = text.split("\n\n")[0]
    assert max(cells(line) for line in summary.splitlines()) <= width


def test_the_narrow_table_says_which_columns_it_hid(demo):
    narrow, wide = render_table(demo, View(width=80)), render_table(demo, View(width=200))
    assert "Hidden at 80 columns:" in narrow and "Authorizer" in narrow.split("Hidden at 80 columns:")[1][:120]
    assert "Hidden at" not in wide and "Authorizer" in table_lines(wide)[0]


def test_rows_are_ordered_by_worst_severity(demo):
    text = render_table(demo, View(width=120))
    ranks = [severity_rank(line.split()[0].rstrip("?")) if line.split()[0] != "-" else len(SEVERITIES)
             for line in rows_of(text)]
    assert ranks == sorted(ranks) and ranks[0] == 0


def test_an_account_column_appears_when_several_accounts_were_scanned(demo):
    other = copy.deepcopy(demo)
    for item in other["methods"] + other["findings"]:
        item["account"] = "210987654321"
    other["account"], other["accounts"] = "210987654321", ["210987654321"]
    merged = merge_reports([demo, other])
    assert "Account" not in table_lines(render_table(demo, View(width=160)))[0]
    header = table_lines(render_table(merged, View(width=160)))[0]
    assert "Account" in header
    assert "210987654321" in render_table(merged, View(width=160))


def test_wide_characters_keep_the_columns_aligned(demo):
    report = copy.deepcopy(demo)
    for row in report["methods"][:3]:
        row["api_name"] = "商店🛒"
    lines = rows_of(render_table(report, View(width=120)))
    # The verdict column starts at the same cell on every row, whatever the API's name is written in.
    starts = set()
    for line in lines:
        position = re.search(r"\s(fail|unknown|warn|ok)\s", line)
        assert position
        starts.add(cells(line[:position.start()]))
    assert len(starts) == 1


def test_long_lists_collapse_and_long_names_shorten_with_an_ellipsis(demo):
    report = copy.deepcopy(demo)
    report["methods"][0]["stages"] = [f"stage-{n}" for n in range(40)]
    report["methods"][0]["api_name"] = "a-very-long-api-name-" * 4
    text = render_table(report, View(width=160))
    assert "Stages" in table_lines(text)[0]
    assert "40 stages" in text or "stage-0 +39" in text
    assert re.search(r"a-very-long[^ ]*…", text)
    assert shorten("arn:aws:cognito-idp:eu-west-1:1:userpool/x", 12) == "arn:aws:cog…"
    assert shorten_middle("/orders/{id}/items/{itemId}", 16) == "/orders/…itemId}"
    assert cells(shorten("商店商店商店", 5)) <= 5


def test_prose_wraps_between_words_and_never_breaks_an_arn():
    arn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123456789"
    lines = wrap(f"Authorizer shop names user pool {arn}, which does not exist.", 40, "  ")
    assert any(line.strip().startswith(arn) for line in lines)
    assert all(cells(line) <= 40 for line in lines if arn not in line)


def test_default_detail_is_critical_and_high_grouped_by_cause_with_a_short_fix(demo):
    text = render_table(demo, View(width=120))
    detail = text.split("findings by cause", 1)[1]
    heads = [line for line in detail.splitlines() if re.match(r"^(CRITICAL|HIGH|MEDIUM|LOW|INFO|UNDECIDED) ", line)]
    assert heads and all(not line.startswith(("MEDIUM", "LOW", "INFO")) for line in heads)
    shown = [f for f in demo["findings"] if f["severity"] in ("critical", "high")]
    assert len(heads) == len(group_findings(shown)) < len(shown)  # grouped: fewer causes than findings
    assert "  fix: " in detail
    # A fix that names its commands ("with the first command", "POOL_ID below") shows them, ready to paste.
    apigw001 = detail.split("APIGW001", 1)[1].split("\n\n", 1)[0]
    assert "first command" in apigw001 and "    aws cognito-idp list-user-pools " in apigw001
    assert "    aws apigateway update-authorizer " in apigw001
    assert "lower not shown (--details all, or --format html)" in " ".join(text.split())


def test_details_all_none_and_min_severity(demo, capsys):
    everything = render_table(demo, View(width=120, details="all"))
    assert f"Findings: {findings_tally(demo['findings'])}" in everything and "aws apigateway " in everything
    assert "LOW " in everything
    none = render_table(demo, View(width=120, details="none"))
    assert "findings by cause" not in none and "CRITICAL " not in none
    medium = render_table(demo, View(width=120, min_severity="medium"))
    assert "MEDIUM " in medium and "LOW " not in medium
    assert main(["demo", "--details", "all", "--min-severity", "critical"]) == 0
    out = capsys.readouterr().out
    assert "CRITICAL " in out and "\nHIGH " not in out


def test_detail_options_apply_to_the_table_only(capsys):
    assert main(["demo", "--format", "json", "--details", "all"]) == 2
    assert "--details applies to --format table" in capsys.readouterr().err


def test_the_exit_status_is_announced_with_its_reason(demo):
    assert "0: the demo always exits 0" in render_table(demo, View())
    assert "1: " in render_table(demo, View(fail_on="high")) and "at or above high (--fail-on high)" in \
        render_table(demo, View(fail_on="high"))
    incomplete = {**demo, "errors": [{"region": "eu-west-1", "service": "lambda", "operation": "GetPolicy",
                                      "iam_action": "lambda:GetPolicy", "message": "AccessDenied"}]}
    text = render_table(incomplete, View(fail_on="high"))
    assert text.startswith("INCOMPLETE") and "2: the scan is incomplete" in text


def test_colour_only_where_it_is_seen(demo, monkeypatch, capsys):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert wants_colour("auto", Terminal()) and not wants_colour("auto", io.StringIO())
    assert not wants_colour("auto", Terminal(), to_file=True)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_colour("auto", Terminal()) and wants_colour("always", Terminal())
    assert not wants_colour("never", Terminal())
    coloured = render_table(demo, View(width=120, colour=True))
    assert "\x1b[1;31mcritical" in coloured
    assert ANSI.sub("", coloured) == render_table(demo, View(width=120))  # colour takes no cell
    assert main(["demo", "--color", "always"]) == 0 and "\x1b[" in capsys.readouterr().out
    assert main(["demo"]) == 0 and "\x1b[" not in capsys.readouterr().out


def test_hostile_names_cannot_colour_or_move_the_terminal_even_with_colour_on(demo):
    report = copy.deepcopy(demo)
    report["methods"][0]["api_name"] = "shop\x1b[2J\x1b[31mpwned"
    text = render_table(report, View(width=120, colour=True))
    assert "\x1b[2J" not in text and "\x1b[31mpwned" not in text
    assert "shop\\x1b" in text  # shown, not obeyed


def test_the_command_alone_prints_help_and_each_command_teaches(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    assert "start here:" in out and "apigw-scan demo" in out and "docs/interface.md" in out
    for command in ("scan", "demo", "merge", "token", "matrix", "rules", "iam-policy"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        text = capsys.readouterr().out
        assert "examples:" in text and "exit codes" in text, command
        assert text.count("apigw-scan " + command) >= 2, command
    main_help = capsys.readouterr()
    assert main_help.err == ""


def test_demo_and_merge_help_say_what_they_do(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    assert "moto" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["merge", "--help"])
    assert "recomputes every verdict" in capsys.readouterr().out.replace("\n", " ")


def test_plain_progress_prints_lines_for_a_log(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True
    monkeypatch.setenv("CI", "true")
    assert progress_mode("auto", False, io.StringIO()) == "plain"
    assert progress_mode("auto", False, Terminal()) == "bar"
    assert progress_mode("auto", True, io.StringIO()) == "none"
    assert progress_mode("plain", True, io.StringIO()) == "plain"
    monkeypatch.delenv("CI")
    assert progress_mode("auto", False, io.StringIO()) == "none"
    stream = io.StringIO()
    progress = Progress(stream=stream, mode="plain", every=0.05)
    progress.start(4, [])
    progress.unit_done()
    import time
    time.sleep(0.3)
    progress.stop()
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 3 and "\r" not in stream.getvalue()
    assert lines[0].startswith("apigw-scan: 0m00s 1/4 account×region") and lines[-1].endswith("(done)")


def test_demo_without_the_emulator_says_how_to_get_it(monkeypatch, capsys):
    import sys

    import scanner.demo
    monkeypatch.setitem(sys.modules, "moto", None)  # as if the demo extra were not installed
    monkeypatch.delitem(sys.modules, "scanner.demo.moto_extensions", raising=False)  # and never imported
    monkeypatch.delattr(scanner.demo, "moto_extensions", raising=False)
    assert main(["demo"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'apigw-scan[demo]'" in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_the_emulator_refuses_a_moto_it_does_not_know():
    """scanner/demo/moto_extensions.py patches moto's internals: a release it was not written against is refused
    with the pin to install, and pyproject's demo extra pins the very same range."""
    import tomllib
    from pathlib import Path

    from scanner.demo.moto_extensions import KNOWN_MOTO_PIN, check_moto_version
    from scanner.errors import UsageError

    check_moto_version("5.2.6")
    for unknown in ("5.3.0", "6.0.0", "5.1.22", "garbage"):
        with pytest.raises(UsageError, match=r"knows moto>=5\.2,<5\.3; this is moto .*: pip install 'moto>=5\.2"):
            check_moto_version(unknown)
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    extras = pyproject["project"]["optional-dependencies"]
    assert any(KNOWN_MOTO_PIN.removeprefix("moto") in requirement for requirement in extras["demo"])
    assert any(KNOWN_MOTO_PIN.removeprefix("moto") in requirement for requirement in extras["test"]
               if requirement.startswith("moto"))
