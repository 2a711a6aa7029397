# labs-ts: every command a student or instructor types. Each target installs what it needs.
# Test settings: SEED=n RUN=regex COUNT=n PARALLEL=n TRACE=file DEBUG=topics REALTIME=1 VIS=fail|always|off REF=1
# Hunt settings: TIME=s RUNS=n KEEP=i,j SHRINK=0 (and SEED, PARALLEL, VIS)
SHELL := /bin/bash
.DEFAULT_GOAL := help
export SEED RUN COUNT PARALLEL TRACE DEBUG REALTIME VIS REF
NPM_STAMP := node_modules/.installed
# Lab parts, from the manifest: labs-test/tools/parts-mk.ts writes PARTS, SIMULATED_PARTS
# (all but MapReduce, whose tests run real processes) and HUNT_PARTS (the parts
# labs-test/hunt/parts.ts can search) from labs-test/labs.ts into this file, which make
# remakes (and then rereads) whenever those change. A part added to the manifest gets its
# targets here with no edit.
PARTS_MK := .labs-runs/parts.mk
-include $(PARTS_MK)
TESTS := $(addprefix test-,$(PARTS))
# Many-seeds sweeps and watches: the simulated parts.
SWEEPS := $(addprefix sweep-,$(SIMULATED_PARTS))
WATCHES := $(addprefix watch-,$(SIMULATED_PARTS))
# Schedule searches.
HUNTS := $(addprefix hunt-,$(HUNT_PARTS))

# The runner, bundled by esbuild into one plain JavaScript file on every call (about 0.05
# CPU s), so that Node loads it and its libraries without tsx's loader: on Node 20 its
# hooks run on another thread and make each module of a large package several times
# slower to import (vitest/node: 0.4 CPU s plain, 1.9 s under the hooks). Each call writes
# its own file and renames it over the last: runs started together never read half a file.
RUNNER_JS := .labs-runs/runner/run.mjs
RUNNER = mkdir -p $(dir $(RUNNER_JS)) && node_modules/.bin/esbuild labs-test/tools/run.ts --bundle --platform=node --format=esm --packages=external --log-level=warning --outfile=$(RUNNER_JS).$$$$ && mv -f $(RUNNER_JS).$$$$ $(RUNNER_JS) && node $(RUNNER_JS)

# Reinstall only when the lockfile changes: npm ci empties node_modules first, so an edit to
# package.json's scripts must not pull the tree out from under tests already running. The
# student code the runner transpiled with the old TypeScript goes (labs-test/sandbox/prepared.ts).
# A linked node_modules (a scratch copy or handout beside a checkout) is used as it is: npm ci
# removes the link's contents, the other tree's packages.
$(NPM_STAMP): package-lock.json
	@command -v node >/dev/null || { echo "error: Node.js 20 or newer is required (https://nodejs.org)"; exit 1; }
	@node -e 'if (+process.versions.node.split(".")[0] < 20) { console.error("error: Node.js 20 or newer is required, found " + process.version); process.exit(1) }'
	@if [ -L node_modules ]; then \
	  if [ ! -x node_modules/.bin/tsx ]; then echo "error: node_modules is a link to $$(readlink -f node_modules), which holds no installed packages: run npm ci there, or remove the link and run make again"; exit 1; fi; \
	  echo "note: node_modules is a link to $$(readlink -f node_modules): using the packages there as they are (npm ci through a link would empty the linked tree; run it there if package-lock.json changed)"; \
	else \
	  npm ci --no-audit --no-fund && rm -rf .labs-runs/prepared && touch $@; \
	fi

# Made with the packages as installed, never installing them: make remakes an included file
# even under -n, and an npm ci there would empty node_modules for a mere make -n or help.
$(PARTS_MK): labs-test/labs.ts labs-test/hunt/parts.ts labs-test/tools/parts-mk.ts
	@test -x node_modules/.bin/tsx && node_modules/.bin/tsx labs-test/tools/parts-mk.ts --out $@

ifeq ($(PARTS),)
ifeq ($(LABS_PARTS_AGAIN),)
# Not installed yet, so the parts are not known: install, then make the target once more
# (once: LABS_PARTS_AGAIN stops a loop when the parts still cannot be read).
test-% watch-% sweep-% hunt-%: $(NPM_STAMP)
	@$(MAKE) --no-print-directory $@ LABS_PARTS_AGAIN=1
endif
endif

.PHONY: vis help setup wc build-mr corpus test typecheck bench $(TESTS) $(SWEEPS) $(WATCHES) $(HUNTS)
# INSTRUCTOR BEGIN
# Instructor sections (between these marker lines) name tools the student tree does not
# have: make handout leaves them out of its Makefile (labs-test/tools/handout-tree.ts).
.PHONY: handout grade grade-merge grade-class gradebook autograder benchmarks playground playground-serve
# INSTRUCTOR END

help:
	@echo "make wc            run the MapReduce word count (sets everything up first)"
	@echo "make wc INPUT='books/*.txt' WORKERS=n OUT=dir    word count on any files"
	@echo "make corpus MB=n   generate an English-like test corpus"
	@echo "make test          run every test"
	@echo "make test-XX       one lab part: $(or $(PARTS),(make setup first to list them))"
	@echo "                   options: SEED=n RUN=regex COUNT=n PARALLEL=n TRACE=file DEBUG=topics REALTIME=1 VIS=fail|always|off"
	@echo "make watch-XX      one part's tests again each time you save one of its files: $(SIMULATED_PARTS)"
	@echo "make bench         labrpc RPCs per second"
	@echo "make sweep-XX SEEDS=a..b [SHARD=i/n] [OUT=dir]   many seeds in long-lived workers (COUNT=n on test-XX too); XX: $(patsubst sweep-%,%,$(SWEEPS))"
	@echo "make hunt-XX [TIME=s | RUNS=n] [SEED=n] [PARALLEL=n] [KEEP=i,j]   search random fault schedules: $(patsubst hunt-%,%,$(HUNTS))"
	@echo "make vis TRACE=file.jsonl OUT=page.html [FORMAT=perfetto]   draw a trace as a timeline page"
# INSTRUCTOR BEGIN
	@echo "instructors:"
	@echo "make grade SUBMISSION=dir|.tar.gz|.zip PARTS=2A,2B COUNT=n OUT=dir [SEED=n SHARD=i/n PARALLEL=n]"
	@echo "                   limits: TEST_WALL_S=s (per run, 120) TOTAL_WALL_S=s (3600) STALL_S=s (5); PROFILE=course|strict; TYPECHECK=0 skips the type check"
	@echo "make grade-merge IN='shards/*/runs.json' OUT=dir   join shard results into one results.json/junit.xml"
	@echo "make grade-class SUBMISSIONS=dir OUT=dir PARTS=… COUNT=n [SEED=n SHARD=i/n PROFILE=…]   a class at once: OUT/gradebook.csv"
	@echo "make gradebook IN='out/class-shard-*' OUT=dir   join grade-class shards into one gradebook"
	@echo "make autograder [OUT=dir] [PARTS=…] [COUNT=n]   Gradescope autograder zip"
	@echo "make handout OUT=dir   the student tree"
	@echo "make playground [REFERENCE=1] [OUT=dir]   the labs in a browser tab (static site); make playground-serve [PORT=n]"
	@echo "make benchmarks [ONLY='labrpc raft …'] [MD_ONLY=1]   measure again; BENCHMARKS.md's tables from docs/benchmarks/"
# INSTRUCTOR END

setup: $(NPM_STAMP)

# make wc [INPUT='books/*.txt'] [WORKERS=n] [OUT=dir] [MB=n]
wc: $(NPM_STAMP)
	@node_modules/.bin/tsx mr/main/wc-job.ts $(if $(INPUT),--input '$(INPUT)') $(if $(WORKERS),--workers $(WORKERS)) $(if $(OUT),--out '$(OUT)') $(if $(MB),--mb $(MB))

build-mr: $(NPM_STAMP)
	node_modules/.bin/tsc -p tsconfig.mr.json

# make corpus [MB=n] [FILES=k] [OUT=dir]
corpus: $(NPM_STAMP)
	@node_modules/.bin/tsx mr/main/mkcorpus.ts --mb $(or $(MB),3) --files $(or $(FILES),8) --out '$(or $(OUT),out/corpus)'

typecheck: $(NPM_STAMP)
	node_modules/.bin/tsc -p tsconfig.json --noEmit
# INSTRUCTOR BEGIN
# The playground's own program (DOM types); the handout has no playground/.
	node_modules/.bin/tsc -p playground/tsconfig.json
# INSTRUCTOR END

test: $(NPM_STAMP)
	@$(RUNNER) all

$(TESTS): $(NPM_STAMP)
	@$(RUNNER) $(patsubst test-%,%,$@)

$(WATCHES): $(NPM_STAMP)
	@$(RUNNER) --watch $(patsubst watch-%,%,$@)

bench: $(NPM_STAMP)
	node_modules/.bin/tsx labrpc/bench.ts

# make sweep-2C SEEDS=1..500 [SHARD=i/n] [OUT=dir] [RUN=regex] [PARALLEL=n]
$(SWEEPS): $(NPM_STAMP)
	@SEEDS='$(SEEDS)' SHARD='$(SHARD)' OUT='$(OUT)' node_modules/.bin/tsx labs-test/tools/sweep-cli.ts $(patsubst sweep-%,%,$@)

# make hunt-2C [TIME=s | RUNS=n] [SEED=n] [PARALLEL=n] [KEEP=i,j] [SHRINK=0]: random fault schedules until the budget (TIME=60 by default) or a failure
$(HUNTS): $(NPM_STAMP)
	@TIME='$(TIME)' RUNS='$(RUNS)' KEEP='$(KEEP)' SHRINK='$(SHRINK)' node_modules/.bin/tsx labs-test/hunt/hunt-cli.ts $(patsubst hunt-%,%,$@)

# INSTRUCTOR BEGIN
# Limits and the profile, shared by grade and grade-class.
GRADE_OPTS = $(if $(filter 0,$(TYPECHECK)),--no-typecheck) $(if $(PARALLEL),--workers '$(PARALLEL)') $(if $(TEST_WALL_S),--test-wall-s '$(TEST_WALL_S)') $(if $(TOTAL_WALL_S),--total-wall-s '$(TOTAL_WALL_S)') $(if $(STALL_S),--stall-cpu-s '$(STALL_S)') $(if $(PROFILE),--profile '$(PROFILE)')

grade: $(NPM_STAMP)
	@node --import tsx labs-test/tools/grade/grade-cli.ts --submission '$(SUBMISSION)' --parts '$(PARTS)' --count '$(or $(COUNT),1)' --out '$(or $(OUT),out/grade)' $(if $(SEED),--seed '$(SEED)') $(if $(SHARD),--shard '$(SHARD)') $(GRADE_OPTS)

# make grade-class SUBMISSIONS=dir OUT=dir PARTS=… COUNT=n [SEED=n] [SHARD=i/n] and the limits above
grade-class: $(NPM_STAMP)
	@node --import tsx labs-test/tools/grade/grade-class-cli.ts --submissions '$(SUBMISSIONS)' --out '$(or $(OUT),out/class)' --parts '$(PARTS)' --count '$(or $(COUNT),1)' $(if $(SEED),--seed '$(SEED)') $(if $(SHARD),--shard '$(SHARD)') $(GRADE_OPTS)

gradebook: $(NPM_STAMP)
	@test -n "$(IN)" || { echo "usage: make gradebook IN='out/class-shard-*' OUT=dir"; exit 2; }
	@node --import tsx labs-test/tools/grade/gradebook-cli.ts --out '$(or $(OUT),out/class)' $(IN)

grade-merge: $(NPM_STAMP)
	@node_modules/.bin/tsx labs-test/tools/grade/merge-cli.ts --out '$(or $(OUT),out/grade)' $(IN)

autograder: $(NPM_STAMP)
	@node_modules/.bin/tsx labs-test/tools/grade/autograder-cli.ts --out '$(or $(OUT),out)' --parts '$(or $(PARTS),2A,2B,2C,2D,3A,3B)' --count '$(or $(COUNT),3)'

# make benchmarks [ONLY='labrpc raft …'] [MD_ONLY=1]: run the bench scripts (each merges its
# table into docs/benchmarks/<id>.json), then generate BENCHMARKS.md's tables from them
benchmarks: $(NPM_STAMP)
	@node_modules/.bin/tsx labs-test/tools/benchmarks.ts $(if $(ONLY),--only '$(ONLY)') $(if $(MD_ONLY),--md-only)

# make handout OUT=dir: the student tree (solution regions stubbed, reference tests left out)
handout: $(NPM_STAMP)
	@test -n "$(OUT)" || { echo "usage: make handout OUT=dir (a new or empty directory)"; exit 2; }
	@node_modules/.bin/tsx labs-test/tools/handout.ts --out '$(OUT)'
# INSTRUCTOR END

# INSTRUCTOR BEGIN
# make playground [REFERENCE=1] [OUT=dir]: the labs in a browser tab, one static folder (playground/)
# to host for a class or open from disk; REFERENCE=1 puts our solution in it (lectures only)
playground: $(NPM_STAMP)
	@node_modules/.bin/tsx playground/build.ts --out '$(or $(OUT),build/playground)' $(if $(filter 1,$(REFERENCE)),--reference)

# make playground-serve [PORT=n]: the built site on http://127.0.0.1:PORT (no server logic)
playground-serve: playground
	@node_modules/.bin/tsx playground/serve.ts --dir '$(or $(OUT),build/playground)' --port '$(or $(PORT),8824)'
# INSTRUCTOR END

# make vis TRACE=file.jsonl [OUT=page.html] [FORMAT=html|perfetto]
vis: $(NPM_STAMP)
	@test -n "$(TRACE)" || { echo "usage: make vis TRACE=file.jsonl [OUT=page.html] [FORMAT=perfetto]"; exit 2; }
	@node_modules/.bin/tsx labs-test/tools/vis.ts --trace '$(TRACE)' $(if $(OUT),--out '$(OUT)') $(if $(FORMAT),--format '$(FORMAT)')
