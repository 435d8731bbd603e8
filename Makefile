# dataopt: the two commands a user needs are `make run` and `make test`.
# Both install missing Debian packages first (scripts/setup.sh, idempotent).

BUILD ?= build
JOBS ?= 2
BUILD_TYPE ?= Release
OUT ?= runs/main
DATAOPT = $(BUILD)/bin/dataopt

.PHONY: all setup configure build run test test-all bench clean format web-deps

all: build

setup:
	@bash scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# The main job: the data-optimization pipeline (train, audit, clean, retrain,
# condense, mix) on 20,000 Fashion-MNIST images with 10% injected symmetric
# label noise, about 15 minutes on 2 cores; prints the path of the report.
# Rerunning continues (or reuses) what OUT holds.
PIPELINE_FLAGS ?= --train-size 20000 --width 32 --epochs 5 --seeds 2 --eval-epochs 60 \
	--budget-minutes 15
run: build
	$(DATAOPT) pipeline --data fashion-mnist --noise-rate 0.1 $(PIPELINE_FLAGS) --out $(OUT)

# playwright-core for the viewer's browser test (only where chromium and npm are).
web-deps:
	@if [ -x /usr/bin/chromium ] && command -v npm >/dev/null 2>&1 && \
	    [ ! -d tests/web/node_modules/playwright-core ]; then \
	  cd tests/web && npm ci --no-audit --no-fund; fi

# The default suite: unit and CLI tests (data-set-scale checks carry the label "slow";
# the browser test of `dataopt view` is a "cli" test, skipped without chromium).
test: build web-deps
	cd $(BUILD) && ctest -L "unit|cli" --output-on-failure -j $(JOBS)

test-all: build web-deps
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/bench_train --out bench/results/train_throughput.json

format:
	@git ls-files '*.h' '*.cpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
