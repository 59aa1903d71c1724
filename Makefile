# Everything installs itself: a fresh machine needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_STAMP := $(VENV)/.demo-stamp

.PHONY: demo test lint bench clean guide docs corpus

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP) $(DEMO_STAMP)

# The demo needs only the scanner and the emulator (the demo extra), not the test tools.
$(DEMO_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
		$(BIN)/apigw-scan demo --html demo-report.html

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n auto

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

guide: $(STAMP)
	$(BIN)/python -c "from scanner.rules.guide import refresh_guide; refresh_guide()"

# The output samples of README.md and docs/interface.md, generated from the demo (tests/test_docs.py checks them).
docs: $(STAMP)
	$(BIN)/python docs/samples.py

# `make corpus DIR=folder [CORPUS_ARGS=...]`: scan --template on every template under DIR that declares API Gateway.
corpus: $(STAMP)
	$(BIN)/python bench/corpus.py $(DIR) $(CORPUS_ARGS)
