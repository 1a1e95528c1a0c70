# The two commands a newcomer needs: `make conformance` runs the suite,
# `make test` runs the project's own tests.
GO       ?= go
LINT_DIR := tools/lint
REDOCLY  := $(LINT_DIR)/node_modules/.bin/redocly

.PHONY: test explore-check conformance conformance-clean unit race vet fmt-check lint-contract binaries suite-binary selftest mutants bench bench-fresh report-screenshot release image ci-test

# make test runs these steps in order, stops at the first that fails, and
# prints each one's time as it ends and all of them at the close. Each
# program is compiled once (binaries) and reused by selftest and mutants;
# only race compiles the packages again, instrumented.
TEST_STEPS ?= fmt-check vet lint-contract binaries race selftest explore-check mutants ci-test
test:
	@sh tools/steps.sh $(MAKE) $(TEST_STEPS)

fmt-check:
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './tools/lint/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

vet:
	$(GO) vet ./...

# The contract must lint clean with a standard OpenAPI linter, pinned in tools/lint.
lint-contract: $(REDOCLY)
	cd $(LINT_DIR) && ./node_modules/.bin/redocly lint --config redocly.yaml ../../openapi.yaml

$(REDOCLY): $(LINT_DIR)/package.json $(LINT_DIR)/package-lock.json
	cd $(LINT_DIR) && npm ci --no-audit --no-fund
	@touch $@

unit:
	$(GO) test ./...

# The packages' tests under the race detector, the suite's own run against
# the embedded reference included. -race instruments every package, so this
# build shares nothing with bin/ and is the one second compile of make test.
# atexit_sleep_ms=0: a race-built program otherwise sleeps a second as it
# exits, for goroutines still running to race; the tests stop theirs, and
# the 24 sleeps were about a fifth of this step (a GORACE of yours comes after,
# and wins).
race:
	GORACE="atexit_sleep_ms=0 $$GORACE" $(GO) test -race $$($(GO) list ./... | grep -v /selftest)

# The programs the project's own tests run, compiled once into bin/: the
# suite as a test binary (selftest and the kill matrix run it), the
# reference, the latency proxy and callcases-conformance (selftest runs
# them; the last is the one make conformance builds).
binaries: suite-binary
	$(GO) build -o bin/ ./cmd/reference ./cmd/latencyproxy ./cmd/callcases-conformance

# selftest runs the programs of bin/ as subprocesses, whose sources Go's
# test cache does not see: it always runs afresh. Its tests run four at a
# time, each against targets of its own (many wait on a timeout, a signal
# or a slow answer); the one that runs make in the checkout runs alone.
SELFTEST_PARALLEL ?= 4
selftest: binaries
	SELFTEST_BIN=$(CURDIR)/bin $(GO) test -count=1 -parallel $(SELFTEST_PARALLEL) ./selftest/

# Exploration's searches over the reference, the liberal variant, each
# liberty alone and its mutants, on seeds drawn afresh each run (logged):
# without the race detector, which slows them tenfold (EXPLORE_SEEDS=100
# for the full check, about 50 times as long).
EXPLORE_SEEDS ?= 2
explore-check:
	$(GO) test -count=1 ./explore -explore.seeds=$(EXPLORE_SEEDS)

# Parallel processes for the suite; every process drives the same target.
# CONFORMANCE_FLAGS go to callcases-conformance (e.g. -label-filter=code:409, -v).
# PROCS 0: chosen from the target's round trip (speed.Procs), more on a slow network.
PROCS             ?= 0
CONFORMANCE_FLAGS ?=
export CONFORMANCE_REPORTS ?= $(CURDIR)/reports

# The suite, exactly as a vendor runs it: bin/callcases-conformance (built
# first) against CONFORMANCE_TARGET, or the embedded reference when it is
# unset; in parallel, with a line per condition as it finishes. Ctrl-C or
# SIGTERM at any moment, the build included, stops it cleanly.
conformance:
	@sh tools/run-conformance.sh $(GO) bin/callcases-conformance -procs $(PROCS) $(CONFORMANCE_FLAGS)

# The binary for every platform a vendor may run it on, into dist/ with
# SHA256SUMS: reproducible (-trimpath, no build id, no cgo), version stamped.
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null)
PLATFORMS ?= linux/amd64 linux/arm64 darwin/arm64 windows/amd64
DIST      ?= dist
STAMP     := -X github.com/callcases/conformance/report.stampedVersion=$(VERSION) -X github.com/callcases/conformance/report.stampedRevision=$(REVISION)
release:
	rm -rf $(DIST) && mkdir -p $(DIST)
	@for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ "$$os" = windows ] && ext=.exe; \
		out=$(DIST)/callcases-conformance-$(VERSION)-$$os-$$arch$$ext; echo "$$out"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -buildvcs=false \
			-ldflags "-s -w -buildid= $(STAMP)" -o "$$out" ./cmd/callcases-conformance || exit 1; \
	done
	cd $(DIST) && (sha256sum callcases-conformance-* 2>/dev/null || shasum -a 256 callcases-conformance-*) > SHA256SUMS
	@cat $(DIST)/SHA256SUMS

# The OCI image (linux/amd64 and linux/arm64) of the release binaries, from
# scratch: the binary as entrypoint, CA certificates, a non-root user, /work
# as working folder. Into $(DIST): an OCI layout of the index and, per
# platform, an archive for docker load / podman load. Built by tools/ci
# (go-containerregistry), no daemon; every timestamp is the commit's, so
# the same commit and Go version give the same digest.
IMAGE             ?= ghcr.io/callcases/conformance
IMAGE_SOURCE      ?= https://github.com/callcases/conformance
IMAGE_LICENSES    ?=
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
image: release
	cd tools/ci && $(GO) run . -dist $(abspath $(DIST)) -name $(IMAGE) -version $(VERSION) -revision '$(REVISION)' \
		-source '$(IMAGE_SOURCE)' -licenses '$(IMAGE_LICENSES)' -created $(SOURCE_DATE_EPOCH)

# tools/ci's own tests: the image read back and run from its files, the
# GitHub Action run against a local release, the README's CI examples. They
# build what they need once (make image into a temporary folder, linux only).
ci-test:
	cd tools/ci && $(GO) vet ./... && $(GO) test -count=1 ./...

# Remove the cases earlier runs left on CONFORMANCE_TARGET (a run killed
# before its cleanup), and nothing else; same settings as make conformance.
# It is callcases-conformance clean (built first, like make conformance).
# CLEAN_FLAGS: -dry-run lists them, -min-age 0 also takes recent ones.
CLEAN_FLAGS ?=
conformance-clean:
	@sh tools/run-conformance.sh $(GO) bin/callcases-conformance clean $(CLEAN_FLAGS)

# The suite compiled once; the kill matrix runs this binary against every mutant.
suite-binary:
	$(GO) test -c -o bin/conformance.test ./suites/conformance

# Every mutant must make the suite fail in the conditions it targets, every
# variant of the reference (the liberal one, each liberty alone) must pass
# every spec, and no failure's reason may be a matcher's bare line or a dump.
# A mutant's run holds the specs of the conditions it targets (MUTANT_FLAGS=-specs=all: every spec).
MUTANT_PARALLEL ?= 4
MUTANT_FLAGS    ?=
mutants: suite-binary
	$(GO) run ./cmd/mutants -suite bin/conformance.test -parallel $(MUTANT_PARALLEL) $(MUTANT_FLAGS)

# Time to verdict, as "bench: NAME VALUE UNIT" lines: compile time, one run of
# bin/conformance.test against the embedded reference, one through
# cmd/latencyproxy (BENCH_DELAY a round trip) in front of cmd/reference, and
# two runs through the proxy with no delay, without and with BENCH_CUT of
# requests cut (a flaky network), and the Go benchmarks of contract and reference.
# The same figures, with the targets they meet, go to BENCH_MARKDOWN as a
# Markdown page (docs/speed.md; BENCH_MARKDOWN=docs/bench.md renews the
# page of record).
BENCH_PROCS      ?= 2
BENCH_SLOW_PROCS ?= 0
BENCH_DELAY      ?= 50ms
BENCH_CUT        ?= 0.02
BENCH_FLAGS      ?=
BENCH_MARKDOWN   ?= $(CONFORMANCE_REPORTS)/bench.md
bench:
	$(GO) run ./cmd/bench -procs $(BENCH_PROCS) -slow-procs $(BENCH_SLOW_PROCS) -delay $(BENCH_DELAY) -cut $(BENCH_CUT) -markdown $(BENCH_MARKDOWN) $(BENCH_FLAGS)

# make bench on an empty module cache (tools/bench-fresh.sh), as CI runs it
# to prove that a fresh machine can: a short run, one format, no flaky runs
# and no Go benchmarks.
bench-fresh:
	@GO=$(GO) sh tools/bench-fresh.sh $(MAKE) BENCH_CUT=0 BENCH_FLAGS="-formats json -go-bench=false"

# A picture of the last run's report, to check its look (needs Chromium: apt-get install -y chromium).
report-screenshot:
	tools/screenshot.sh $(CONFORMANCE_REPORTS)/conformance.html
