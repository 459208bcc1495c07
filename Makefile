# rosa-foundation developer commands. `make setup` once, then `make test`; see README.
PYTHON ?= .venv/bin/python
STACK ?= dev
STACKS := $(sort $(patsubst stacks/Pulumi.%.yaml,%,$(wildcard stacks/Pulumi.*.yaml)))

.PHONY: setup test lint unit render render-all graph clean

setup:  ## create .venv with the pinned dependencies
	python3 -m venv .venv
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

test: lint unit render-all  ## everything CI checks

lint:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

unit:
	$(PYTHON) -m pytest -q

render:  ## offline render of one stack: build/$(STACK)/
	$(PYTHON) -m render $(STACK)

render-all:
	@for stack in $(STACKS); do $(PYTHON) -m render $$stack || exit 1; done

graph: render  ## Mermaid diagram of one stack: build/$(STACK)/graph.mmd
	$(PYTHON) -m render.graph $(STACK)

clean:
	rm -rf build
