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
	@echo "make bench-spark  Spark scoring and fleet benchmarks -> docs/benchmarks-spark.md"

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (need Python >= 3.10)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# Python code for the protobuf bundle schema, compiled by the protoc inside grpcio-tools.
PROTO_PY := src/jvmready/bundle/_generated/bundle_pb2.py
$(PROTO_PY): src/jvmready/schemas/bundle.proto $(STAMP)
	mkdir -p $(@D)
	$(BIN)/python -m grpc_tools.protoc -I src/jvmready/schemas --python_out=$(@D) --pyi_out=$(@D) bundle.proto
	touch $(@D)/__init__.py

venv: $(STAMP) $(PROTO_PY)

# Cross-language test vectors and models, written by Python with the real libraries; Java tests read them.
vectors: $(STAMP) $(PROTO_PY)
	@for script in tests/vectors/make_*.py; do $(BIN)/python $$script $(TESTDATA); done

# The runtime classpath of the ONNX Runtime adapter, which `jvmready classpath` and verify use.
define write_classpath
	$(MVN) -q -pl jvmready-onnxruntime dependency:build-classpath -DincludeScope=runtime -DexcludeGroupIds=io.jvmready -Dmdep.outputFile=target/classpath.txt
	touch $(JAR_STAMP)
endef

# Builds and installs the jars (no tests) so the CLI and demo can run Java.
$(JAR_STAMP): $(shell find java -name pom.xml -o -name '*.java' -path '*/main/*' 2>/dev/null)
	@command -v mvn >/dev/null || { echo "error: mvn not found (need Maven and a JDK 17)"; exit 2; }
	$(MVN) -q -DskipTests install
	$(write_classpath)

java: $(JAR_STAMP)

# Builds, tests and installs every module (the jars the Python tests then use).
test-java: vectors
	@command -v mvn >/dev/null || { echo "error: mvn not found (need Maven and a JDK 17)"; exit 2; }
	$(MVN) install
	$(write_classpath)

lint: $(STAMP) $(PROTO_PY)
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples
	$(BIN)/mypy

test-python: $(STAMP) $(PROTO_PY) java
	$(BIN)/pytest -n 2 -q

test: lint test-java test-python

demo: $(STAMP) $(PROTO_PY) java
	$(BIN)/jvmready demo

# BENCH_ARGS: e.g. --size-gb 1, --quick (smoke run), --repeat 3 (see bench/run.py).
bench: $(STAMP) $(PROTO_PY) java
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Spark scoring (docs/spark.md): pyspark lives in its own venv, never in .venv; the Spark jars come
# from Maven (provided scope) for the Java tests and from the pyspark wheel for the Python ones.
VENV_SPARK := .venv-spark
SPARK_STAMP := $(VENV_SPARK)/.installed
PYSPARK_VERSION := 4.0.1

$(SPARK_STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV_SPARK)
	$(VENV_SPARK)/bin/pip install -q --disable-pip-version-check --upgrade pip
	$(VENV_SPARK)/bin/pip install -q --disable-pip-version-check -c constraints.txt -e '.[spark]' pytest 'pyspark==$(PYSPARK_VERSION)'
	touch $(SPARK_STAMP)

# The jars `jvmready score` puts on Spark's classpath (Spark itself comes with pyspark).
define write_spark_classpath
	$(MVN) -q -Pintegration -pl jvmready-spark dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=target/classpath.txt
endef

spark-java: java
	$(MVN) -q -Pintegration -pl jvmready-spark -DskipTests install
	$(write_spark_classpath)

# Spark scoring and fleet benchmarks (bench/spark_fleet.py) -> docs/benchmarks-spark.md; the Python
# baselines need pandas + pyarrow (mapInPandas) and skl2onnx in .venv-spark.
# BENCH_SPARK_ARGS: e.g. --rows 200000, --quick (smoke run).
SPARK_BENCH_STAMP := $(VENV_SPARK)/.bench-installed
$(SPARK_BENCH_STAMP): $(SPARK_STAMP)
	$(VENV_SPARK)/bin/pip install -q --disable-pip-version-check -c constraints.txt pandas pyarrow scikit-learn skl2onnx
	touch $@

bench-spark: $(SPARK_STAMP) $(SPARK_BENCH_STAMP) spark-java
	$(VENV_SPARK)/bin/python bench/spark_fleet.py $(BENCH_SPARK_ARGS)

# Java: the Spark transformer's tests in a local[2] session. Python: tests/spark in .venv-spark.
test-spark: $(SPARK_STAMP) $(STAMP) java
	$(BIN)/python tests/vectors/make_spark.py $(TESTDATA)
	$(MVN) -Pintegration -pl jvmready-spark install
	$(write_spark_classpath)
	$(VENV_SPARK)/bin/pytest -q -p no:cacheprovider tests/spark

# TensorFlow SavedModels and ND4J (docs/tensorflow-nd4j.md): tensorflow lives in its own venv,
# never in .venv (it is large and brings its own dependency pins).
VENV_TF := .venv-tf
TF_STAMP := $(VENV_TF)/.installed

$(TF_STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV_TF)
	$(VENV_TF)/bin/pip install -q --disable-pip-version-check --upgrade pip
	$(VENV_TF)/bin/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev,tensorflow,keras-onnx]'
	touch $(TF_STAMP)

# Vectors: .npy/.npz fixed by jvmready (ND4J loads them), a SavedModel and its fix (TF Java runs
# them). Java: each module its own test JVM. Python: tests/tf in .venv-tf.
test-tf: $(TF_STAMP) $(PROTO_PY) java
	$(VENV_TF)/bin/python tests/vectors/make_nd4j.py $(TESTDATA)
	$(VENV_TF)/bin/python tests/vectors/make_tf.py $(TESTDATA)
	$(MVN) -q -pl jvmready-core -am -DskipTests install
	$(MVN) -Pintegration -pl jvmready-nd4j,jvmready-tensorflow install
	$(MVN) -q -Pintegration -pl jvmready-tensorflow dependency:build-classpath -DincludeScope=runtime -DexcludeGroupIds=io.jvmready -Dmdep.outputFile=target/classpath.txt
	$(VENV_TF)/bin/pytest -q -p no:cacheprovider tests/tf

# Keras -> ONNX -> ONNX Runtime Java with check, fix and verify (docs/tensorflow-nd4j.md).
example-keras: $(TF_STAMP) $(PROTO_PY) java
	$(VENV_TF)/bin/python examples/keras_to_onnx.py build/keras-onnx

.PHONY: spark-java bench-spark test-spark test-tf test-integration example-keras
test-integration: test-spark test-tf

clean:
	rm -rf build $(VENV) $(VENV_SPARK) $(VENV_TF) java/*/target src/jvmready/bundle/_generated
