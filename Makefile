# The two commands: `make run` and `make test`. Everything else is a step of theirs.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)
FORMAT_FILES = $(shell git ls-files '*.cc' '*.h')

.PHONY: all bootstrap configure build run test unit fuzz-smoke format format-check bench clean

all: build

bootstrap:
	@scripts/bootstrap

configure:
	@test -f $(BUILD_DIR)/build.ninja || cmake --preset $(PRESET)

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS)
	@ln -sfn $(PRESET)/src/cli/sluice build/sluice

run: bootstrap build
	@scripts/run-example

test: bootstrap build format-check unit fuzz-smoke

unit:
	@ctest --test-dir $(BUILD_DIR) -j $(JOBS) --output-on-failure

fuzz-smoke:
	@scripts/fuzz-smoke

format:
	@clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run -Werror $(FORMAT_FILES)

bench: build
	@bench/csv-load.sh

clean:
	rm -rf build
