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

# The main job: train the ConvNet on Fashion-MNIST for 2 epochs, print the test accuracy.
run: build
	$(DATAOPT) train --data fashion-mnist --model convnet --epochs 2 --no-resume --out $(OUT)

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
