# dataopt: the two commands a user needs are `make run` and `make test`.
# Both install missing Debian packages first (scripts/setup.sh, idempotent).

BUILD ?= build
JOBS ?= 2
BUILD_TYPE ?= Release
OUT ?= runs/main
DATAOPT = $(BUILD)/bin/dataopt

.PHONY: all setup configure build run test test-all bench clean format

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

# The default suite: unit and CLI tests (data-set-scale checks carry the label "slow").
test: build
	cd $(BUILD) && ctest -L "unit|cli" --output-on-failure -j $(JOBS)

test-all: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/bench_train --out bench/results/train_throughput.json

format:
	@git ls-files '*.h' '*.cpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
