# Overblik / SundhedsCloud. The two commands that matter: `make demo` and `make test`.
SWIFT ?= swift
APT_PACKAGES := libncursesw5-dev libsqlite3-dev libcurl4-openssl-dev tmux python3 python3-venv postgresql curl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# SwiftPM plans a build anew (15-25 s even when nothing changed) whenever its environment differs from the last
# build's: make's own variables (MAKEFLAGS, MAKE_TERMOUT, ...) or `_`, which bash sets to the command's path.
# Without them `make demo` and a `swift build` typed in the shell share one plan.
SWIFT_BUILD = env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u MAKE_TERMOUT -u MAKE_TERMERR _=$(shell command -v $(SWIFT)) $(SWIFT) build

.PHONY: deps build demo sources cluster cohort test readme-check fuzz fuzz-ci release bench format format-check demo-data clean

## deps: install the system packages the build and tests need (only those missing)
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installerer:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	else echo "Alle systempakker er installeret."; fi

build: deps
	$(SWIFT_BUILD)

## demo: the TUI on the embedded demo (demo sources in the same process, synthetic patients); q quits
demo: build
	.build/debug/overblik --demo

## sources: only the demo source systems, as FHIR servers on 8101-8103 (Ctrl-C stops)
sources: build
	.build/debug/sundhedscloud serve --demo

## cluster: two platform nodes over a throwaway PostgreSQL, with the demo sources and the scenario (Ctrl-C stops)
cluster: build
	scripts/cluster

## cohort: the synthetic research cohort (100,000 citizens, about 2 million resources, 1.1 GB, under a minute) in
## $XDG_DATA_HOME/sundhedscloud/cohort, which `serve --demo` then serves through Bulk Data; PERSONS=N for another size
PERSONS ?= 100000
cohort: build
	.build/debug/sundhedscloud cohort --persons $(PERSONS)

## test: the whole test suite (Swift Testing), with a throwaway PostgreSQL for the storage and multi-node tests.
## Two rounds: everything else in parallel, then the PostgreSQL and multi-node suites, the hostile-input suite and
## the engine-restart test and the research suites (cohorts made and exported) one test at a time (they load both
## cores for seconds, which would starve the timing-sensitive tests beside them, or need their port back at once);
## then every command block of README.md as
## printed (`scripts/readme-check`: ports 8080, 8081, 8100-8106 must be free); then every fuzz target for FUZZ_CI_SECONDS
## (`make fuzz-ci`, in .build-fuzz: a second build of the dependencies the first time). The output is also kept in
## .build/test.log, and the failures are listed again at the end.
SERIAL_TESTS := ClusterTests|NodeFailoverTests|PostgresOutageTests|StorageSuiteTests|StorageStartupTests|HostileInputTests|StreamResilienceTests|DemoRestartTests|CohortTests|IngestTests|BulkExportTests|ProjectTests|aCitizenWhoOptsOutDisappears|aResearcherApplies
test: deps
	scripts/check-imports && scripts/check-imports --self-test
	$(SWIFT_BUILD) --build-tests
	scripts/python-env >/dev/null
	@pgdir=$$(mktemp -d /tmp/overblik-test-pg.XXXXXX); \
	url=$$(scripts/throwaway-postgres start $$pgdir --fast) || exit 1; \
	trap 'scripts/throwaway-postgres stop '$$pgdir'; rm -rf '$$pgdir EXIT; \
	echo "PostgreSQL til testene: $${url%%:overblik-throwaway@*}@..."; \
	export SUNDHEDSCLOUD_TEST_POSTGRES=$$url; log=.build/test.log; \
	{ $(SWIFT) test --skip-build --parallel --skip '$(SERIAL_TESTS)'; echo $$? > .build/test.rc; } 2>&1 | tee $$log; \
	rc=$$(cat .build/test.rc); \
	{ $(SWIFT) test --skip-build --no-parallel --filter '$(SERIAL_TESTS)'; echo $$? > .build/test.rc; } 2>&1 | tee -a $$log; \
	[ "$$rc" = 0 ] && rc=$$(cat .build/test.rc); \
	{ scripts/readme-check; echo $$? > .build/readme.rc; } 2>&1 | tee -a $$log; \
	readmerc=$$(cat .build/readme.rc); \
	{ scripts/fuzz --seconds $(FUZZ_CI_SECONDS); echo $$? > .build/fuzz.rc; } 2>&1 | tee -a $$log; \
	fuzzrc=$$(cat .build/fuzz.rc); \
	if [ "$$rc" != 0 ]; then \
		echo; echo "Testene fejlede (hele udskriften: $$log):"; \
		grep -E '✘ (Test|Suite) .* (recorded an issue|failed)' $$log | grep -v '✘ Suite .* failed' | head -60; \
	fi; \
	if [ "$$readmerc" != 0 ]; then \
		echo; echo "README'en holder ikke som skrevet (se ovenfor: scripts/readme-check)"; \
	fi; \
	if [ "$$fuzzrc" != 0 ]; then \
		echo; echo "Fuzzingen fandt fejl (se ovenfor og .build-fuzz/fuzz-logs/; inputtet i Tests/FuzzRegressions/)"; \
	fi; \
	[ "$$rc" = 0 ] && [ "$$readmerc" = 0 ] && [ "$$fuzzrc" = 0 ]

## readme-check: every command block of README.md run as printed (the HTML comment before a block says how: run,
## server, tmux or skip); needs the debug build and the README's ports (8080, 8081, 8100-8106) free
readme-check: build
	scripts/readme-check

## fuzz: every fuzz target (Sources/FuzzTargets) under libFuzzer + AddressSanitizer for FUZZ_SECONDS each (two at a
## time), built in .build-fuzz; finds go to Tests/FuzzRegressions/<target>/ (then a regression test in `make test`)
FUZZ_SECONDS ?= 180
fuzz:
	scripts/fuzz --seconds $(FUZZ_SECONDS)

## fuzz-ci: the same, FUZZ_CI_SECONDS (15) each: what `make test` runs after the tests, so a regression is caught
FUZZ_CI_SECONDS ?= 15
fuzz-ci:
	scripts/fuzz --seconds $(FUZZ_CI_SECONDS)

## release: the release build, in .build-release: the Swift runtime and Foundation linked in statically, and every
## function (ours and theirs) in a section of its own, so the link of `overblik` can put the ones a session runs
## together (linker/overblik.order, written by scripts/orderfile)
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-release \
		-Xswiftc -Xfrontend -Xswiftc -function-sections

## bench: release build, benchmarks printed as JSON (never run in CI); then the real TUI process in tmux: its memory
## with 50 patients opened, and its first screen in demo mode
bench: release
	.build-release/release/overblik-bench
	scripts/tui-memory .build-release/release
	scripts/tui-start .build-release/release

## demo-data: regenerate demo-data/ (deterministic; commit the result)
demo-data:
	python3 scripts/generate_demo_data.py

format:
	$(SWIFT) format --in-place --recursive --configuration .swift-format Sources Tests Assets Package.swift

format-check:
	$(SWIFT) format lint --strict --recursive --configuration .swift-format Sources Tests Assets Package.swift

clean:
	rm -rf .build
