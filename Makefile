# floe: the two commands of README.md are `make run` and `make test`.
SHELL := /bin/bash
RELEASE_DIR := build/release
DEBUG_DIR := build/debug
LISTEN ?= 127.0.0.1:8000
DATA_DIR ?= ./data
REGION ?= us-east-1
PYTHON ?= /usr/bin/python3

.PHONY: bootstrap build build-debug run test unit integration bench clean

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

run: build
	@mkdir -p $(DATA_DIR)
	@echo "floe: DynamoDB endpoint http://$(LISTEN) (region $(REGION), data in $(DATA_DIR))"
	@echo "try:  aws dynamodb list-tables --endpoint-url http://$(LISTEN) --region $(REGION)"
	exec $(RELEASE_DIR)/floe serve --listen $(LISTEN) --data-dir $(DATA_DIR) --region $(REGION)

unit: build-debug
	cd $(DEBUG_DIR) && ctest --output-on-failure

integration: build-debug
	FLOE_BIN=$(CURDIR)/$(DEBUG_DIR)/floe $(PYTHON) -m pytest -q tests/integration

test: unit integration

bench: build
	bench/run_kv_bench.sh

clean:
	rm -rf build
