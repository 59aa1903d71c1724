"""The samples of README.md and docs/interface.md are what the demo prints today: `make docs` writes them from the
demo (docs/samples.py; the demo's IDs are seeded, so the text is the same on every run), and this test fails on
any that has gone stale, naming it."""

from __future__ import annotations

import importlib.util

from helpers import PROJECT


def _samples():
    spec = importlib.util.spec_from_file_location("docs_samples", PROJECT / "docs" / "samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_sample_of_the_docs_is_what_the_demo_prints():
    samples = _samples()
    found = [match.group("name") for path in samples.FILES for match in samples.SAMPLE.finditer(path.read_text())]
    assert sorted(found) == sorted(samples.SAMPLES)  # each generator has its place, and each place its generator
    assert samples.stale() == [], "stale samples: run `make docs`"


def test_a_changed_sample_is_found_stale(tmp_path, monkeypatch):
    samples = _samples()
    readme = tmp_path / "README.md"
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    readme.write_text(text.replace("Verdicts  ", "Verdicts: ", 1), encoding="utf-8")
    monkeypatch.setattr(samples, "FILES", (readme,))
    monkeypatch.setattr(samples, "ROOT", tmp_path)
    assert samples.stale() == ["README.md: first-screen"]
    assert samples.refreshed(readme.read_text(encoding="utf-8")) == text
