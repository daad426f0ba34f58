# Thin wrappers; the real work is in tools/ and CMakePresets.json.
.PHONY: run test bench format clean

run:
	bash tools/run-main.sh

test:
	bash tools/test.sh

bench:
	cmake --preset release -DMMHOST_BUILD_BENCH=ON
	cmake --build --preset release
	build/release/bin/mmhost_bench
	bash bench/backtest_e2e.sh

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.h')

clean:
	rm -rf build
