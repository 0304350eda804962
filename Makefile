SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

VENV_PYTHON ?= python3
PYTHON ?=
FUNCTION ?=
EVENT ?=
VENV ?= .venv
CHECKOV_VENV ?= .venv-checkov
ACTIONLINT_VERSION ?= v1.7.12
LAYERS_DIR ?= layers
FUNCTIONS_DIR ?= functions
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
UPGRADE ?=
LAYERS ?=
REGIONS ?=
REGION ?=
PYTEST_ARGS ?=
PYTEST_WORKERS ?= auto
CHECK_MARKERS ?= not terraform and not local_aws and not network
TF ?= $(shell command -v terraform >/dev/null 2>&1 && echo terraform || echo tofu)
ENDPOINT ?=
LOCAL_AWS ?=
AUTO_APPROVE ?=
PORT ?= 5000
KEEP ?= 3
YES ?=
INCLUDE_SHARED ?=
PRUNE_LAYERS ?=
REGIONS ?=
REGION ?=
ADVISORIES ?=
BACKEND ?=

# In the build's own recipe, so an up-to-date `make layers` still says "Nothing to be done".
NEED_JOBS = [[ "$(JOBS)" =~ ^[0-9]+$$ ]] && (( 10\#$(JOBS) >= 1 )) || \
  { echo "error: JOBS=$(JOBS): at least 1 artifact must be built at a time; set JOBS=1 or more" >&2; exit 2; }
VENV_STAMP := $(VENV)/.installed
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
# The version is in the path, so a version bump installs a new file.
ACTIONLINT := .tools/actionlint-$(ACTIONLINT_VERSION)/actionlint
LAYERKIT := PYTHONPATH=scripts $(VENV)/bin/python -m layerkit --layers-dir $(LAYERS_DIR) --functions-dir $(FUNCTIONS_DIR)
# Folders are listed too: deleting a file changes its folder's mtime.
LAYER_INPUTS := $(shell find $(LAYERS_DIR)/. $(wildcard $(FUNCTIONS_DIR)/.) -not -name '*.pyc' -not -path '*/__pycache__*' 2>/dev/null) \
  $(wildcard $(dir $(LAYERS_DIR))regions.toml)
# The manifest's schema too: every reader checks the manifest against it, so a new schema needs a new manifest.
LAYERKIT_SOURCES := $(shell find scripts/layerkit -name "*.py") schemas/manifest.schema.json

##@ Main job

.PHONY: demo
demo: $(BUILD_DIR)/manifest.json ## Build, apply to a local AWS (no account needed), show the layers, and plan again: no changes
	$(LAYERKIT) demo --build-dir $(BUILD_DIR) --tf $(TF)

.PHONY: lock
lock: $(VENV_STAMP) ## Resolve each layer's requirements.in for its runtimes and architectures (LAYERS="a b" for some; UPGRADE=1 to take new versions)
	$(LAYERKIT) lock $(LAYERS) --build-dir $(BUILD_DIR) $(if $(UPGRADE),--upgrade)

.PHONY: layers
layers: $(BUILD_DIR)/manifest.json ## Build every layer zip, function zip and build/manifest.json (only what changed)

# A failed build leaves the previous manifest as it was; it must not be deleted.
.PRECIOUS: $(BUILD_DIR)/manifest.json
$(BUILD_DIR)/manifest.json: $(LAYER_INPUTS) $(LAYERKIT_SOURCES) $(VENV_STAMP)
	@$(NEED_JOBS)
	$(LAYERKIT) build --build-dir $(BUILD_DIR) --jobs $(JOBS)

.PHONY: init
init: $(VENV_STAMP) ## Initialise the root configuration: local state, or state in S3 with BACKEND=<file> (docs/terraform.md, "Remote state")
	$(LAYERKIT) init --tf $(TF) $(if $(BACKEND),--backend $(BACKEND))

# Each declared region (REGIONS="a b" for some), JOBS regions at a time.
REGION_OPTIONS = $(strip $(foreach region,$(REGIONS),--region $(region)) --jobs $(JOBS))

.PHONY: plan
plan: $(BUILD_DIR)/manifest.json ## Build, then show what Terraform would change in each region (REGIONS="a b" for some; ENDPOINT=<url> for a local AWS)
	$(LAYERKIT) plan --build-dir $(BUILD_DIR) --tf $(TF) $(if $(ENDPOINT),--endpoint $(ENDPOINT)) $(REGION_OPTIONS)

.PHONY: apply
apply: $(BUILD_DIR)/manifest.json ## Build, then apply in each region; asks first unless AUTO_APPROVE=1 (REGIONS, ENDPOINT as for plan)
	$(LAYERKIT) apply --build-dir $(BUILD_DIR) --tf $(TF) $(if $(ENDPOINT),--endpoint $(ENDPOINT)) $(REGION_OPTIONS) \
	  $(if $(AUTO_APPROVE),--auto-approve)

.PHONY: move-state
move-state: need-region $(BUILD_DIR)/manifest.json ## Once regions are declared: move the one region's old state (default workspace) into REGION's own
	$(LAYERKIT) move-state --build-dir $(BUILD_DIR) --tf $(TF) --region $(REGION) $(if $(ENDPOINT),--endpoint $(ENDPOINT))

.PHONY: prune
prune: need-keep $(VENV_STAMP) ## List layer versions nothing uses, per region (KEEP=3 newest kept); YES=1 deletes them, INCLUDE_SHARED=1 shared ones too
	$(LAYERKIT) prune --build-dir $(BUILD_DIR) --tf $(TF) --keep $(KEEP) $(if $(ENDPOINT),--endpoint $(ENDPOINT)) \
	  $(foreach region,$(REGIONS),--region $(region)) \
	  $(if $(YES),--yes) $(if $(INCLUDE_SHARED),--include-shared) $(foreach layer,$(PRUNE_LAYERS),--layer $(layer))

.PHONY: local-aws
local-aws: need-port $(VENV_STAMP) ## Run a local AWS (moto) on 127.0.0.1:PORT (default 5000) until Ctrl-C
	$(LAYERKIT) local-aws --port $(PORT)

.PHONY: report
report: $(BUILD_DIR)/manifest.json ## Show each function's layers, sizes against 250 MB, shadowed paths and findings (rewrites build/report.json)
	$(LAYERKIT) report --build-dir $(BUILD_DIR)

.PHONY: audit
audit: need-advisories $(BUILD_DIR)/manifest.json ## Which layers and functions ship a version an OSV advisory names; ADVISORIES=<folder or OSV zip> (writes build/audit.json)
	$(LAYERKIT) audit --advisories $(ADVISORIES) --build-dir $(BUILD_DIR)

INVOKE_OPTIONS = $(strip $(if $(EVENT),--event $(EVENT)) $(if $(PYTHON),--python $(PYTHON)) \
  $(if $(LOCAL_AWS),--local-aws) $(if $(ENDPOINT),--endpoint $(ENDPOINT)))

.PHONY: invoke
invoke: need-function $(BUILD_DIR)/manifest.json ## Run FUNCTION locally with its layers, no Docker; LOCAL_AWS=1 (or ENDPOINT=<url>) as its own role, IAM enforced
	$(LAYERKIT) invoke $(FUNCTION) --build-dir $(BUILD_DIR) $(INVOKE_OPTIONS)

# A variable a target cannot do without, or one that must be a number, is checked before its
# prerequisites build anything, and named as Make spells it (the CLI names its own flags).
.PHONY: need-advisories need-function need-keep need-port need-region
need-advisories:
	@test -n "$(ADVISORIES)" || { echo "error: name the advisory database: make $(firstword $(MAKECMDGOALS)) ADVISORIES=<folder of OSV files, or an OSV export zip>" >&2; exit 2; }

need-function:
	@test -n "$(FUNCTION)" || { echo "error: name the function: make invoke FUNCTION=<name>" >&2; exit 2; }

need-region:
	@test -n "$(REGION)" || { echo "error: name the region the old state is in: make move-state REGION=<region>" >&2; exit 2; }

need-keep:
	@[[ "$(KEEP)" =~ ^[0-9]+$$ ]] || \
	  { echo "error: KEEP=$(KEEP): not a number of versions to keep; set KEEP=0 or more" >&2; exit 2; }

need-port:
	@[[ "$(PORT)" =~ ^[0-9]+$$ ]] && (( 10#$(PORT) < 65536 )) || \
	  { echo "error: PORT=$(PORT): not a TCP port; choose one from 1 to 65535, or 0 for any free one" >&2; exit 2; }

##@ Development

.PHONY: check
check: lint-python ## The inner loop, under a minute: ruff, mypy --strict, and every test that needs no Terraform CLI, local AWS or package index
	$(VENV)/bin/python -m pytest -q -m "$(CHECK_MARKERS)" $(PYTEST_ARGS)

.PHONY: test
test: $(VENV_STAMP) ## Run linters and every test but the corpus, in parallel (PYTEST_WORKERS=auto), with the 10 slowest listed
	@echo "make test, 1 of 2: lint (ruff, mypy --strict, checkov, actionlint): under a minute once their tools exist"
	@$(MAKE) --no-print-directory lint
	@echo "make test, 2 of 2: pytest on $(PYTEST_WORKERS) workers, about 12 minutes on 2 cores: a dot per test, then the 10 slowest"
	$(VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) --durations=10 --ignore=tests/test_corpus.py $(PYTEST_ARGS)

.PHONY: test-corpus
test-corpus: $(VENV_STAMP) ## Build, report and invoke the corpus of real PyPI packages from its committed lockfiles (tests/corpus; network)
	$(VENV)/bin/python -m pytest --durations=5 tests/test_corpus.py $(PYTEST_ARGS)

.PHONY: fuzz
fuzz: $(VENV_STAMP) ## Fuzz the readers of wheel metadata with 10,000 examples per test (make test runs 200)
	HYPOTHESIS_PROFILE=fuzz $(VENV)/bin/python -m pytest -p no:cacheprovider -q --hypothesis-show-statistics \
	  tests/test_metadata_fuzz.py

.PHONY: lint
lint: lint-python checkov actionlint ## ruff, mypy --strict, checkov on the Terraform, actionlint on the CI example

.PHONY: lint-python
lint-python: $(VENV_STAMP) ## ruff (lint and format check) and mypy --strict
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy scripts tests layers/aws_helpers/python functions/hub/src

.PHONY: checkov
checkov: $(CHECKOV_STAMP) ## checkov on every Terraform file (each skip says why, beside it)
	$(CHECKOV_VENV)/bin/checkov --directory . --framework terraform --quiet --compact --skip-download \
	  --skip-path $(VENV) --skip-path $(CHECKOV_VENV) --skip-path $(BUILD_DIR) --skip-path tests

.PHONY: actionlint
actionlint: $(ACTIONLINT) ## actionlint on the GitHub Actions example (examples/ci)
	$(ACTIONLINT) examples/ci/*.yml

$(CHECKOV_STAMP): requirements-checkov.txt
	@echo "creating $(CHECKOV_VENV) from requirements-checkov.txt for checkov (on the first run, and when that file changes; about a minute)"
	rm -rf $(CHECKOV_VENV)
	$(VENV_PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --require-hashes --no-deps -r requirements-checkov.txt
	touch $@

$(ACTIONLINT):
	GOBIN=$(abspath $(dir $@)) go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

.PHONY: bench
bench: $(VENV_STAMP) ## Measure a cold layer build against plain uv + zip, and a warm no-op build
	PYTHONPATH=scripts $(VENV)/bin/python tests/bench/bench_build.py

.PHONY: bench-bytecode
bench-bytecode: $(VENV_STAMP) ## Measure boto3's cold import from a read-only /opt with and without shipped bytecode
	PYTHONPATH=scripts $(VENV)/bin/python tests/bench/bench_bytecode.py

.PHONY: bench-invoke
bench-invoke: $(VENV_STAMP) ## Measure what running as the function's own role (LOCAL_AWS=1) adds to make invoke
	PYTHONPATH=scripts $(VENV)/bin/python tests/bench/bench_invoke_role.py

.PHONY: bench-terraform
bench-terraform: $(VENV_STAMP) ## Time a no-change make plan (shipped and 20x20 trees), a warm init and make demo, on a local AWS
	PYTHONPATH=scripts TF=$(TF) $(VENV)/bin/python tests/bench/bench_terraform.py

.PHONY: bench-team
bench-team: $(VENV_STAMP) ## Time a no-change plan with state in S3 beside local state, and make prune over 100 versions
	PYTHONPATH=scripts TF=$(TF) $(VENV)/bin/python tests/bench/bench_team.py

.PHONY: bench-audit
bench-audit: need-advisories $(VENV_STAMP) ## Time a warm make audit against ADVISORIES=<folder or OSV zip>, for the shipped tree and 20 layers
	PYTHONPATH=scripts ADVISORIES=$(ADVISORIES) $(VENV)/bin/python tests/bench/bench_audit.py

.PHONY: venv
venv: $(VENV_STAMP) ## Create the virtualenv from the pinned requirements-dev.txt

$(VENV_STAMP): requirements-dev.txt
	@echo "creating $(VENV) from requirements-dev.txt (on the first run, and when that file changes; about a minute)"
	rm -rf $(VENV)
	$(VENV_PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes --no-deps -r requirements-dev.txt
	touch $@

.PHONY: lock-dev
lock-dev: $(VENV_STAMP) ## Re-pin the build and test toolchain (requirements-dev.txt) with pip-compile
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --output-file requirements-dev.txt requirements-dev.in

.PHONY: lock-checkov
lock-checkov: $(VENV_STAMP) ## Re-pin checkov's own toolchain (requirements-checkov.txt)
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --output-file requirements-checkov.txt requirements-checkov.in

.PHONY: clean
clean: ## Delete build output (keeps the virtualenv)
	rm -rf $(BUILD_DIR)

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target> [VAR=value]\n"} \
	  /^[a-zA-Z_-]+:.*?##/ {printf "  %-15s %s\n", $$1, $$2} \
	  /^##@/ {printf "\n%s\n", substr($$0, 5)}' $(MAKEFILE_LIST)
