# rosa-foundation developer commands. `make setup` once, then `make test`; see README.
PYTHON ?= .venv/bin/python
STACK ?= dev
BASE ?= origin/main
STACKS := $(sort $(patsubst stacks/Pulumi.%.yaml,%,$(wildcard stacks/Pulumi.*.yaml)))

.PHONY: setup test lint workflows unit render render-all check check-all graph diff benchmark clean adopt-report

setup:  ## create .venv with the pinned dependencies
	python3 -m venv .venv
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

test: lint workflows unit check-all  ## everything CI checks

lint:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

workflows:  ## GitHub workflows: actionlint (with shellcheck) and GitHub's workflow schema
	PATH="$(CURDIR)/.venv/bin:$$PATH" actionlint
	$(PYTHON) -m check_jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(CURDIR)/.venv/bin/shellcheck .github/scripts/*.sh

unit:
	$(PYTHON) -m pytest -q

render:  ## offline render of one stack: build/$(STACK)/
	$(PYTHON) -m render $(STACK)

render-all:
	@for stack in $(STACKS); do $(PYTHON) -m render $$stack || exit 1; done

check: render  ## guardrails and IAM lint over one stack's render
	$(PYTHON) -m policies.check $(STACK)
	$(PYTHON) -m policies.iam_lint $(STACK)

check-all:
	@for stack in $(STACKS); do $(MAKE) --no-print-directory check STACK=$$stack || exit 1; done

graph: render  ## Mermaid diagram of one stack: build/$(STACK)/graph.mmd
	$(PYTHON) -m render.graph $(STACK)

diff:  ## IAM-aware diff of one stack against a git ref: build/diff/$(STACK).{md,json}
	$(PYTHON) -m render.diff $(STACK) --base $(BASE)

benchmark:  ## render 1, 10 and 100 fleet clusters against their floors: benchmarks/results.md
	$(PYTHON) -m benchmarks.render_benchmark

clean:
	rm -rf build

adopt-report: render-all  ## read-only: what the account holds against what STACK declares and imports (README, "Adopting an account rosa already set up")
	$(PYTHON) -m tools.adopt_report $(STACK)
