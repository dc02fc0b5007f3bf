# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEFAULT_MODELS := all-minilm-l6-v2-int8 qwen2.5-coder-1.5b-instruct-q4_k_m
TEST_MODELS    := all-minilm-l6-v2-int8 smollm2-135m-instruct-q4_1 qwen2.5-coder-0.5b-instruct-q4_k_m \
                  qwen2.5-coder-1.5b-instruct-q4_k_m

.PHONY: team run test test-fast install models test-models browser lint bench bench-e2e clean

run: install models  ## provision models, ingest seeds/, serve the web UI
	$(BIN)/rag ingest seeds/
	$(BIN)/rag serve

team: install models  ## Chroma server + llama.cpp server + rag serve, all on loopback (scripts/team.sh)
	TEAM_INGEST=$${TEAM_INGEST-seeds/} scripts/team.sh

test: install test-models browser  ## everything the suite needs, then the whole suite
	$(BIN)/python -m pytest

# The edit-test loop: no real chat model, no browser, no kill-and-restart tests (under a minute).
test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser and not eval" -q

install: $(STAMP)

# llama-cpp-python is published as source only. It is compiled once per set of build flags into a wheel kept
# outside the repository (a clean clone reuses it) and installed from there. The flags name this CPU's vector
# extensions and never AMX (scripts/llama-cmake-args says why); set LLAMA_CMAKE_ARGS to build otherwise.
LLAMA_VERSION    := 0.3.36
LLAMA_CMAKE_ARGS ?= $(shell scripts/llama-cmake-args)
LLAMA_WHEELS     := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/rag-assistant/llama-cpp-python-$(LLAMA_VERSION)-$(shell printf '%s' '$(LLAMA_CMAKE_ARGS)' | cksum | cut -d' ' -f1)

# Re-installs only when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	ls $(LLAMA_WHEELS)/llama_cpp_python-*.whl >/dev/null 2>&1 || { \
	  echo "building llama-cpp-python $(LLAMA_VERSION) once (about 5 minutes on 2 cores) into $(LLAMA_WHEELS)"; \
	  rm -rf $(LLAMA_WHEELS).part && CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip wheel --quiet --no-deps \
	    --no-cache-dir -w $(LLAMA_WHEELS).part llama-cpp-python==$(LLAMA_VERSION) && mv $(LLAMA_WHEELS).part $(LLAMA_WHEELS); }
	$(BIN)/python -m pip install --quiet --force-reinstall --no-deps $(LLAMA_WHEELS)/llama_cpp_python-*.whl
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

models: install
	$(BIN)/rag models pull $(DEFAULT_MODELS)

test-models: install
	$(BIN)/rag models pull $(TEST_MODELS)

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "browser tests need Debian's chromium: sudo apt-get install chromium"; fi; }

lint: install
	$(BIN)/ruff check rag app tests bench scripts corpora
	$(BIN)/mypy scripts/request_forms.py scripts/injection_probe.py scripts/preread_probe.py scripts/hostile_probe.py \
		scripts/fit_calibration.py scripts/sentence_judge_probe.py scripts/policy_frontier.py
	$(BIN)/mypy

bench: install test-models models
	$(BIN)/python -m bench

# End to end against the naive bracket, one `rag eval` run per passage budget (about 12 minutes each here);
# `make bench` then puts bench/e2e/*.json into section 5 of bench/results.md.
PASSAGE_BUDGETS ?= 0 300
bench-e2e: install models
	mkdir -p bench/e2e
	for n in $(PASSAGE_BUDGETS); do \
	  $(BIN)/rag eval --gold seeds/gold.jsonl --corpus seeds --compare naive --passage-tokens $$n \
	    --out eval-out/e2e-$$n && cp eval-out/e2e-$$n/summary.json bench/e2e/passage-tokens-$$n.json || exit 1; \
	done

clean:
	rm -rf data eval-out .pytest_cache .mypy_cache .ruff_cache
