# The two commands a newcomer needs: `make demo` and `make test`. Both install what they need.
CARGO ?= cargo
export R53_VENV ?= $(CURDIR)/.venv

.PHONY: all tools build test unit e2e lint docs docs-check demo bench fuzz clean

all: build

tools:
	./scripts/install-tools.sh

# One build shared by every test stage (debug profile: unit tests, e2e and demo use the same binaries).
build: tools
	$(CARGO) build --locked --workspace --all-targets

lint: tools
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

docs: build
	$(CARGO) run --locked -q -p terraform-provider-r53 --bin r53-docs -- docs

docs-check: build
	$(CARGO) run --locked -q -p terraform-provider-r53 --bin r53-docs -- --check docs

unit: build
	$(CARGO) test --locked --workspace --exclude r53-tests

e2e: build
	$(CARGO) test --locked -p r53-tests --test e2e -- --test-threads=2

test: build lint docs-check
	$(CARGO) test --locked --workspace -- --test-threads=2

demo: build
	$(CARGO) run --locked -q -p r53-lab --bin r53-lab -- demo

# Zone-scale benchmark against the lab (release provider): a table on stdout and in
# bench-results/bench.md. `make bench SIZES=100,1000,10000` for the large case; `SIZES=`,
# `MIGRATE_SIZES=`, `CUTOVER_SIZES=` or `COMPARE_SIZES=` skips that part.
SIZES ?= 100,1000
VARIANTS ?= records,batched,per-call
MAX_PER_RESOURCE ?= 1000
BENCH_STATE ?= s3
PARALLELISM ?= 10
# Zone sizes for the r53-migrate vs octodns import and the dnspython parse comparison (empty: skip).
MIGRATE_SIZES ?= 5000,50000
# Zone sizes for the cutover's equivalence check (every record set at 6 loopback name servers).
CUTOVER_SIZES ?= 1000,10000
# Zone sizes at which one r53_records apply and r53-migrate import of the same zone are compared,
# with the CPU time of Terraform core, the provider and the emulator (empty: skip).
COMPARE_SIZES ?= 10000
bench: tools
	./scripts/install-tools.sh bench
	$(CARGO) build --locked --release -p terraform-provider-r53 -p r53-migrate
	$(CARGO) build --locked --release -p r53-lab
	R53_PROVIDER_DIR=$(CURDIR)/target/release ./target/release/r53-lab bench --sizes '$(SIZES)' --variants $(VARIANTS) --max-per-resource $(MAX_PER_RESOURCE) --state $(BENCH_STATE) --parallelism $(PARALLELISM) $(if $(MIGRATE_SIZES),--migrate-sizes $(MIGRATE_SIZES),) $(if $(CUTOVER_SIZES),--cutover-sizes $(CUTOVER_SIZES),) $(if $(COMPARE_SIZES),--compare-sizes $(COMPARE_SIZES),) --profile release

# Every cargo-fuzz target (fuzz/) for FUZZ_SECONDS each, one after the other, from seed corpora
# built from the project's own test material; fails if any crashes. Needs the nightly toolchain
# (FUZZ_TOOLCHAIN); installs cargo-fuzz. `FUZZ_TARGETS="axfr tsig"` runs only those.
FUZZ_SECONDS ?= 600
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) CARGO=$(CARGO) ./scripts/fuzz.sh

clean:
	$(CARGO) clean
