# rosa-foundation developer commands. `make setup` once, then `make test`; see README.
PYTHON ?= .venv/bin/python
STACK ?= dev
BASE ?= origin/main
STACKS := $(sort $(patsubst stacks/Pulumi.%.yaml,%,$(wildcard stacks/Pulumi.*.yaml)))
# What a render is made from: a render older than any of these is made again (check-all), else checked as it is.
RENDER_INPUTS := __main__.py Pulumi.yaml requirements.txt $(shell find components foundation render stacks -type f -not -name '*.pyc')

.PHONY: setup test lint workflows unit render render-all check check-all graph diff benchmark clean adopt-report

setup:  ## create .venv with the pinned dependencies: pip installs the pinned uv, uv the rest (what pip would, faster)
	python3 -m venv .venv
	$(PYTHON) -m pip install --quiet --disable-pip-version-check $$(grep '^uv==' requirements-dev.txt)
	.venv/bin/uv pip install --quiet --python $(PYTHON) -r requirements-dev.txt

test: lint workflows unit check-all  ## everything CI checks

lint:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

workflows:  ## GitHub workflows: actionlint (with shellcheck) and GitHub's workflow schema
	PATH="$(CURDIR)/.venv/bin:$$PATH" actionlint
	$(PYTHON) -m check_jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(CURDIR)/.venv/bin/shellcheck .github/scripts/*.sh

unit:  ## pytest, a worker per core; each example is rendered once and written to build/ for check-all
	$(PYTHON) -m pytest -q -n auto --dist loadfile

render:  ## offline render of one stack: build/$(STACK)/
	$(PYTHON) -m render $(STACK)

render-all:
	@for stack in $(STACKS); do $(PYTHON) -m render $$stack || exit 1; done

check: render  ## guardrails and IAM lint over one stack's render
	$(PYTHON) -m policies.check $(STACK)
	$(PYTHON) -m policies.iam_lint $(STACK)

check-all: $(STACKS:%=build/%/resources.json)  ## guardrails and IAM lint over every stack's render, in one process each
	$(PYTHON) -m policies.check $(STACKS)
	$(PYTHON) -m policies.iam_lint $(STACKS)

build/%/resources.json: $(RENDER_INPUTS)
	$(PYTHON) -m render $*

graph: render  ## Mermaid diagram of one stack: build/$(STACK)/graph.mmd
	$(PYTHON) -m render.graph $(STACK)

diff:  ## IAM-aware diff of one stack against a git ref: build/diff/$(STACK).{md,json}
	$(PYTHON) -m render.diff $(STACK) --base $(BASE)

benchmark:  ## render 1, 10, 100 and 300 (split) fleet clusters against their floors: benchmarks/results.md
	$(PYTHON) -m benchmarks.render_benchmark

clean:
	rm -rf build

adopt-report: $(STACKS:%=build/%/resources.json)  ## read-only: what the account holds against what STACK declares and imports (README, "Adopting an account rosa already set up")
	$(PYTHON) -m tools.adopt_report $(STACK)
