# floe: the two commands of README.md are `make run` and `make test`.
SHELL := /bin/bash
RELEASE_DIR := build/release
DEBUG_DIR := build/debug
LISTEN ?= 127.0.0.1:8000
DATA_DIR ?= ./data
REGION ?= us-east-1
PYTHON ?= /usr/bin/python3

.PHONY: bootstrap build build-debug run test unit fuzz integration e2e bench clean

bootstrap:
	@./scripts/bootstrap

$(RELEASE_DIR)/build.ninja:
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DFLOE_TESTS=OFF

$(DEBUG_DIR)/build.ninja:
	cmake -S . -B $(DEBUG_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug

build: bootstrap $(RELEASE_DIR)/build.ninja
	cmake --build $(RELEASE_DIR) --target floe

build-debug: bootstrap $(DEBUG_DIR)/build.ninja
	cmake --build $(DEBUG_DIR)

CONFIG ?= examples/replication.json

run: build
	@mkdir -p $(DATA_DIR)
	@echo "floe: DynamoDB endpoint http://$(LISTEN) (region $(REGION), data in $(DATA_DIR))"
	@echo "try:  aws dynamodb list-tables --endpoint-url http://$(LISTEN) --region $(REGION)"
	@echo "replication ($(CONFIG)): table ecommerce-global -> Iceberg table ecommerce.ecommerce_global"
	@echo "      at $(DATA_DIR)/warehouse/ecommerce/ecommerce_global (one second behind the table, once it exists)"
	@echo "      read it with any Iceberg engine, e.g. DuckDB: SELECT * FROM iceberg_scan('$(DATA_DIR)/warehouse/ecommerce/ecommerce_global')"
	@echo "      or through the Iceberg REST catalog http://$(LISTEN)/iceberg; metrics at http://$(LISTEN)/metrics"
	exec $(RELEASE_DIR)/floe serve --listen $(LISTEN) --data-dir $(DATA_DIR) --region $(REGION) --config $(CONFIG)

unit: build-debug
	cd $(DEBUG_DIR) && ctest --output-on-failure

integration: build-debug
	FLOE_BIN=$(CURDIR)/$(DEBUG_DIR)/floe $(PYTHON) -m pytest -q tests/integration

# The expression parser/evaluator under libFuzzer (clang, ASan, UBSan, leak checks), for a
# bounded number of runs from the committed seed corpus.
FUZZ_RUNS ?= 300000
FUZZ_SRCS := src/dynamo/expression_parser.cc src/dynamo/expression_eval.cc src/dynamo/reserved_words.cc \
             src/dynamo/decimal.cc src/dynamo/attribute_value.cc src/common/status.cc tests/fuzz/expression_fuzzer.cc
build/fuzz/expression_fuzzer: $(FUZZ_SRCS) $(wildcard src/dynamo/*.h src/common/*.h)
	@mkdir -p build/fuzz
	clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Isrc $(FUZZ_SRCS) -o $@

fuzz: bootstrap build/fuzz/expression_fuzzer
	@rm -rf build/fuzz/corpus && mkdir -p build/fuzz/corpus && cp tests/fuzz/corpus/* build/fuzz/corpus/
	set -o pipefail; build/fuzz/expression_fuzzer -runs=$(FUZZ_RUNS) -timeout=10 -max_len=4200 -print_final_stats=1 build/fuzz/corpus 2>&1 | tail -12

# Independent readers (DuckDB, hyparquet, icebird, iceberg-js) from npm, pinned by tests/e2e/package-lock.json.
# (`npm install`, not `npm ci`: the registry lacks some of DuckDB's optional builds for other
# platforms, which `npm ci` insists on finding in the lock; the lock pins what is installed.)
tests/e2e/node_modules/.installed: tests/e2e/package-lock.json tests/e2e/package.json
	cd tests/e2e && npm install --no-audit --no-fund --loglevel=error
	@touch $@

e2e: build-debug tests/e2e/node_modules/.installed
	cd tests/e2e && FLOE_BIN=$(CURDIR)/$(DEBUG_DIR)/floe node --test --test-concurrency=1 parquet.test.mjs random.test.mjs iceberg.test.mjs replicator.test.mjs

test: unit fuzz integration e2e

bench: build
	bench/run_kv_bench.sh
	bench/run_stream_bench.sh
	bench/run_index_bench.sh
	bench/run_parquet_bench.sh
	bench/run_iceberg_bench.sh
	bench/run_replicator_bench.sh

clean:
	rm -rf build
