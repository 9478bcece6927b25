# jvmready: `make demo` and `make test` work from a fresh clone: they create .venv, install the
# package with its dev extras, build java/ with Maven, then run.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MVN := mvn -B -ntp -Dstyle.color=never -f java/pom.xml
TESTDATA := build/testvectors
JAR_STAMP := java/jvmready-onnxruntime/target/.built

.PHONY: help venv java java-test vectors demo test test-python test-java lint bench clean

help:
	@echo "make demo   set up, then run the end-to-end demo on a built-in example model"
	@echo "make test   set up, then run every Python and Java test"
	@echo "make bench  run the benchmarks and write docs/benchmarks.md"

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (need Python >= 3.10)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# Cross-language test vectors and models, written by Python with the real libraries; Java tests read them.
vectors: $(STAMP)
	@for script in tests/vectors/make_*.py; do $(BIN)/python $$script $(TESTDATA); done

# Builds and installs the jars (no tests) so the CLI and demo can run Java.
$(JAR_STAMP): $(shell find java -name pom.xml -o -name '*.java' -path '*/main/*' 2>/dev/null)
	@command -v mvn >/dev/null || { echo "error: mvn not found (need Maven and a JDK 17)"; exit 2; }
	$(MVN) -q -DskipTests install
	$(MVN) -q -pl jvmready-onnxruntime dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
	touch $(JAR_STAMP)

java: $(JAR_STAMP)

test-java: vectors
	$(MVN) install

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

test-python: $(STAMP) java
	$(BIN)/pytest -n 2 -q

test: lint test-java test-python

demo: $(STAMP) java
	$(BIN)/jvmready demo

bench: $(STAMP) java
	$(BIN)/python bench/run.py

clean:
	rm -rf build $(VENV) java/*/target
