# The two commands a fresh machine needs (see README):
#   make dev    set everything up, then run the local runtime with the examples
#   make test   set everything up, then run every check and test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SHARED ?= ../shared

.PHONY: setup dev test lint typecheck unit functional conformance bench clean layer package deploy remove e2e

NODE_STAMP := node_modules/.installed-stamp
STAGE  ?= dev
REGION ?= us-east-1
OSLS   := node_modules/.bin/osls
LAYER  := build/layer.zip
# make package never talks to AWS: fake credentials, no telemetry (osls packages offline)
OFFLINE := AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing \
	SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off

setup: $(STAMP) $(NODE_STAMP)

# osls (the Serverless Framework) exactly as package-lock.json pins it; never a global install
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# requirements.lock: what sdw needs at run time; requirements-dev.lock: tests, checks, benches.
$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

dev: setup
	$(BIN)/sdw dev

lint: setup
	$(BIN)/ruff check sdw tests bench admin_tools scripts functions flows
	$(BIN)/python scripts/check_layers.py

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest tests/unit

test: lint typecheck $(LAYER)
	$(BIN)/pytest -n 2 --dist loadgroup tests
	$(BIN)/python scripts/check_conformance.py --shared $(SHARED)

bench: setup
	$(BIN)/python bench/asl.py
	$(BIN)/python bench/gateway.py
	$(BIN)/python bench/features.py

# the Lambda runtime layer: layer/requirements.txt as Linux wheels (pip's cache makes it repeatable offline)
layer: $(LAYER)
$(LAYER): layer/requirements.txt scripts/build_layer.py | $(STAMP)
	$(BIN)/python scripts/build_layer.py --out $(LAYER)

# the CloudFormation templates of STAGE under .serverless/, then cfn-lint: no errors, no warnings
package: setup $(LAYER)
	$(OFFLINE) $(OSLS) package --stage $(STAGE) --region $(REGION)
	$(BIN)/cfn-lint .serverless/cloudformation-template-*.json

# real AWS, with your credentials (README "Deploy to AWS"); never run in CI
deploy: setup $(LAYER)
	SLS_TELEMETRY_DISABLED=1 $(OSLS) deploy --stage $(STAGE) --region $(REGION)

remove: setup
	SLS_TELEMETRY_DISABLED=1 $(OSLS) remove --stage $(STAGE) --region $(REGION)

# osls deploy of the examples to a moto server on a free loopback port, then boto3 checks
e2e: setup $(LAYER)
	$(BIN)/pytest -q tests/e2e

clean:
	rm -rf $(VENV) .sdw .pytest_cache .mypy_cache .ruff_cache node_modules .serverless build
