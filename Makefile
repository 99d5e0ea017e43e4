# The two commands from the README. Both run the set-up first (idempotent).
VENV ?= .venv
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup dist test bench clean

setup:
	@bash scripts/setup.sh

dist: setup
	exporter build sources -o dist

test: setup
	python -m pytest -n auto

bench: setup
	python bench/run.py

clean:
	rm -rf dist out .pytest_cache
