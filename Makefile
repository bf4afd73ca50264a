# The two commands a newcomer needs: `make demo` and `make test`. Both install what they need.
CARGO ?= cargo
export R53_VENV ?= $(CURDIR)/.venv

.PHONY: all tools build test unit e2e lint docs docs-check demo bench fuzz release install clean

all: build

tools:
	./scripts/install-tools.sh

# One build shared by every test stage (debug profile: unit tests, e2e and demo use the same binaries).
build: tools
	$(CARGO) build --locked --workspace --all-targets

lint: tools
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

# The binaries the workspace build made, run as they are: `cargo run -p X` would resolve features
# for X alone and rebuild the AWS crates a second time.
docs: build
	./target/debug/r53-docs docs

docs-check: build
	./target/debug/r53-docs --check docs

unit: build
	$(CARGO) test --locked --workspace --exclude r53-tests

e2e: build
	$(CARGO) test --locked -p r53-tests --test e2e -- --test-threads=2

test: build lint docs-check
	$(CARGO) test --locked --workspace -- --test-threads=2

demo: build
	./target/debug/r53-lab demo

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

# `make release VERSION=x.y.z`: release binaries, then dist/ — this platform's provider zip and
# r53-migrate archive, the manifest, SHA256SUMS and its signature, the public key, the filesystem
# and network mirror trees and a static registry tree — checked by `r53-release verify`. Signs with
# the armored secret key in R53_SIGNING_KEY (passphrase: R53_SIGNING_KEY_PASSPHRASE), else with a
# throwaway key it says is one. Entries carry the commit's time, so the same binaries give the
# same archive bytes (a rebuild here from the same commit gave the same binaries; another
# toolchain or build path may not). Other platforms: `r53-release package` on such a machine, its files copied into
# the same dist/, then `r53-release finish` and `verify` once.
DIST ?= dist
release:
	@test -n '$(VERSION)' || { echo 'release: say which, e.g. make release VERSION=$(INSTALL_VERSION)' >&2; exit 1; }
	@test '$(VERSION)' = '$(INSTALL_VERSION)' || { echo 'release: VERSION=$(VERSION) but the workspace version in Cargo.toml is $(INSTALL_VERSION); the binaries report that one, so change it first' >&2; exit 1; }
	$(CARGO) build --locked --release -p terraform-provider-r53 -p r53-migrate -p r53-release
	SOURCE_DATE_EPOCH="$$(git log -1 --format=%ct 2>/dev/null)" ./target/release/r53-release package \
	  --version '$(VERSION)' --dist '$(DIST)' --provider target/release/terraform-provider-r53 \
	  --migrate target/release/r53-migrate --doc README.md --doc CHANGELOG.md
	./target/release/r53-release finish --version '$(VERSION)' --dist '$(DIST)'
	./target/release/r53-release verify --version '$(VERSION)' --dist '$(DIST)'

# `make install`: r53-migrate with its shell completions and man pages under PREFIX, and the
# provider in Terraform's implied local mirror (unpacked layout), where `terraform init` finds
# `source = "r53/r53"` with no .terraformrc. DESTDIR stages every path, the provider's too (a
# package would pass TF_PLUGIN_DIR=/usr/share/terraform/plugins, which Linux Terraform also reads).
# Plain `install -d` + `install -m`: GNU's `install -D` is another option in BSD/macOS install.
PREFIX ?= $(HOME)/.local
# Linux Terraform reads $XDG_DATA_HOME/terraform/plugins; macOS Terraform does not, ~/.terraform.d/plugins.
TF_PLUGIN_DIR ?= $(if $(filter Darwin,$(shell uname -s)),$(HOME)/.terraform.d/plugins,$(or $(XDG_DATA_HOME),$(HOME)/.local/share)/terraform/plugins)
# Named INSTALL_* so that no other target's VERSION or OS_ARCH changes what this one installs.
INSTALL_VERSION = $(shell awk -F'"' '/^\[/ { pkg = ($$0 == "[workspace.package]") } pkg && /^version *=/ { print $$2; exit }' Cargo.toml)
INSTALL_OS_ARCH = $(subst Linux,linux,$(subst Darwin,darwin,$(shell uname -s)))_$(subst x86_64,amd64,$(subst aarch64,arm64,$(shell uname -m)))
INSTALL_STAGE = target/install
install:
	@case '$(INSTALL_OS_ARCH)' in linux_amd64|linux_arm64|darwin_amd64|darwin_arm64) ;; \
	  *) echo "install: Terraform has no platform name for $$(uname -sm) ($(INSTALL_OS_ARCH))" >&2; exit 1 ;; esac
	@case '$(INSTALL_VERSION)' in [0-9]*) ;; \
	  *) echo 'install: no version = "..." under [workspace.package] in Cargo.toml' >&2; exit 1 ;; esac
	$(CARGO) build --locked --release -p r53-migrate -p terraform-provider-r53
	rm -rf $(INSTALL_STAGE) && mkdir -p $(INSTALL_STAGE)/man1
	for sh in bash zsh fish; do ./target/release/r53-migrate completions $$sh > $(INSTALL_STAGE)/r53-migrate.$$sh || exit 1; done
	./target/release/r53-migrate man --dir $(INSTALL_STAGE)/man1 > /dev/null
	@set -e; \
	bin='$(DESTDIR)$(PREFIX)/bin'; share='$(DESTDIR)$(PREFIX)/share'; \
	provider='$(DESTDIR)$(TF_PLUGIN_DIR)/registry.terraform.io/r53/r53/$(INSTALL_VERSION)/$(INSTALL_OS_ARCH)'; \
	install -d "$$bin" "$$share/bash-completion/completions" "$$share/zsh/site-functions" \
	  "$$share/fish/vendor_completions.d" "$$share/man/man1" "$$provider"; \
	install -m 0755 target/release/r53-migrate "$$bin/r53-migrate"; \
	install -m 0644 $(INSTALL_STAGE)/r53-migrate.bash "$$share/bash-completion/completions/r53-migrate"; \
	install -m 0644 $(INSTALL_STAGE)/r53-migrate.zsh "$$share/zsh/site-functions/_r53-migrate"; \
	install -m 0644 $(INSTALL_STAGE)/r53-migrate.fish "$$share/fish/vendor_completions.d/r53-migrate.fish"; \
	install -m 0644 $(INSTALL_STAGE)/man1/*.1 "$$share/man/man1/"; \
	install -m 0755 target/release/terraform-provider-r53 "$$provider/terraform-provider-r53_v$(INSTALL_VERSION)"; \
	echo "installed $$("$$bin/r53-migrate" --version)"; \
	echo "  $$bin/r53-migrate"; \
	echo "  $$share/bash-completion/completions/r53-migrate"; \
	echo "  $$share/zsh/site-functions/_r53-migrate"; \
	echo "  $$share/fish/vendor_completions.d/r53-migrate.fish"; \
	echo "  $$share/man/man1/: $$(cd $(INSTALL_STAGE)/man1 && echo *.1)"; \
	echo "installed terraform-provider-r53 $(INSTALL_VERSION) ($(INSTALL_OS_ARCH)) for source = \"r53/r53\""; \
	echo "  $$provider/terraform-provider-r53_v$(INSTALL_VERSION)"

clean:
	$(CARGO) clean
