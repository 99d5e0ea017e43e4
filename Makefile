# The two commands from the README. Both run the set-up first (idempotent).
VENV ?= .venv
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup dist test bench clean corpus

setup:
	@bash scripts/setup.sh

dist: setup
	exporter build sources -o dist --allow-read sources

test: setup
	ruff check exporter tests bench fuzz scripts
	mypy exporter
	python -m pytest -n auto

# the benchmarks (bench/README.md): the set-up adds pandoc; BENCH_ARGS=--quick for a small run
bench:
	@bash scripts/setup.sh --bench
	python bench/run.py $(BENCH_ARGS)

# the real-world corpus harness (docs/corpus.md): build, EPUBCheck, Ace and paragraphs kept for
# every document in corpus/ (not the big ones); CORPUS_ARGS="--big --json report.json --only jats" etc.
corpus: setup
	python scripts/corpus.py $(CORPUS_ARGS)

clean:
	rm -rf dist out .pytest_cache

# the red-team suite with every published payload in a document of its own (tests/security/external/)
redteam: setup
	EXPORTER_REDTEAM=full python -m pytest -n auto tests/security/test_external.py
