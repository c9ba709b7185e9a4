# kg: `make run` builds the graph from the seeds; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
INPUT  ?= ../shared/seeds
OUT    ?= output
STORE  ?= $(OUT)/store
SIZES  ?= 5,200,1000,5000

.PHONY: run test install clean accuracy bench

$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(BIN)/kg

install: $(BIN)/kg

run: $(BIN)/kg
	$(BIN)/kg build $(INPUT) --store $(STORE) -o $(OUT)

test: $(BIN)/kg
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(OUT) .pytest_cache

accuracy: $(BIN)/kg
	$(BIN)/python bench/accuracy.py --seeds $(INPUT)

bench: $(BIN)/kg
	$(BIN)/python bench/bench.py --sizes $(SIZES) $(BENCH_ARGS)
