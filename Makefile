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

# Fuzz targets under libFuzzer (clang, ASan, UBSan, leak checks), each run for a bounded number
# of runs from its committed seed corpus (tests/fuzz/corpus/<target>/), its inputs on a thread
# with the request threads' stack (tests/fuzz/fuzz_runner.h):
#   expression      the expression parser and evaluator
#   request         a request's JSON through the API's expression entry point (every kind)
#   attribute_json  JSON to DynamoDB attribute values
#   sigv4           the SigV4 Authorization header
#   http            the HTTP/1.1 request parser, chunked and compressed bodies
FUZZ_RUNS ?= 100000
FUZZ_TARGETS := expression request attribute_json sigv4 http
FUZZ_CXX := clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -Isrc -Itests/fuzz
FUZZ_COMMON := src/common/status.cc src/common/log.cc src/common/thread.cc src/common/base64.cc
FUZZ_DYNAMO := src/dynamo/expression_parser.cc src/dynamo/expression_eval.cc src/dynamo/reserved_words.cc \
               src/dynamo/decimal.cc src/dynamo/attribute_value.cc
FUZZ_SRCS_expression := $(FUZZ_COMMON) $(FUZZ_DYNAMO)
FUZZ_SRCS_request := $(FUZZ_COMMON) $(FUZZ_DYNAMO) src/dynamo/attribute_json.cc src/dynamo/table_schema.cc \
                     src/json/json.cc src/api/expressions.cc src/api/params.cc
FUZZ_SRCS_attribute_json := $(FUZZ_COMMON) src/dynamo/attribute_value.cc src/dynamo/decimal.cc \
                            src/dynamo/attribute_json.cc src/json/json.cc
FUZZ_SRCS_sigv4 := $(FUZZ_COMMON) src/api/sigv4.cc src/api/api_error.cc src/aws/sigv4.cc src/json/json.cc
FUZZ_SRCS_http := $(FUZZ_COMMON) src/http/request.cc
FUZZ_LIBS := -lsimdjson -lfmt -lcrypto -lz -lpthread
FUZZ_MAX_LEN_http := 80000
FUZZ_MAX_LEN_request := 16384
FUZZ_MAX_LEN_attribute_json := 16384
FUZZ_MAX_LEN_sigv4 := 4096
FUZZ_MAX_LEN_expression := 4200

# rapidjson 1.1.0 (Debian's) adds offsets to its empty stack's null pointer (internal/stack.h:117),
# which UBSan reports on the first write; that check is off for the one file that includes it.
build/fuzz/obj/src/json/json.o: FUZZ_CXX += -fno-sanitize=pointer-overflow

build/fuzz/obj/%.o: %.cc $(wildcard src/*/*.h) tests/fuzz/fuzz_runner.h
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) -c $< -o $@

.SECONDARY:
.SECONDEXPANSION:
build/fuzz/%_fuzzer: build/fuzz/obj/tests/fuzz/%_fuzzer.o $$(addprefix build/fuzz/obj/,$$(subst .cc,.o,$$(FUZZ_SRCS_$$*)))
	clang++-14 -fsanitize=fuzzer,address,undefined $^ $(FUZZ_LIBS) -o $@

fuzz: bootstrap $(foreach t,$(FUZZ_TARGETS),build/fuzz/$(t)_fuzzer)
	@set -e -o pipefail; for t in $(FUZZ_TARGETS); do \
	  rm -rf build/fuzz/corpus/$$t && mkdir -p build/fuzz/corpus/$$t && cp tests/fuzz/corpus/$$t/* build/fuzz/corpus/$$t/; \
	  max_len=$(FUZZ_MAX_LEN_expression); case $$t in http) max_len=$(FUZZ_MAX_LEN_http);; request) max_len=$(FUZZ_MAX_LEN_request);; \
	    attribute_json) max_len=$(FUZZ_MAX_LEN_attribute_json);; sigv4) max_len=$(FUZZ_MAX_LEN_sigv4);; esac; \
	  echo "fuzz: $$t ($(FUZZ_RUNS) runs)"; \
	  if ! build/fuzz/$${t}_fuzzer -runs=$(FUZZ_RUNS) -max_total_time=60 -timeout=10 -rss_limit_mb=4096 -max_len=$$max_len \
	    -print_final_stats=1 build/fuzz/corpus/$$t > build/fuzz/$$t.log 2>&1; then tail -80 build/fuzz/$$t.log; exit 1; fi; \
	  tail -3 build/fuzz/$$t.log; \
	done

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
