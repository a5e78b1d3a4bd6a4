# ucontain: one static, libc-free binary.  `make` builds it, `make test`
# runs every test, `make demo` shows a container, `make bench` measures.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DESTDIR ?=
APPLETS := contain inject isolate pivot pseudo seal

HOST_TARGET := $(shell rustc -vV | sed -n 's/^host: //p')
MUSL_TARGET := x86_64-unknown-linux-musl
# Build for musl where rustup can provide the target; otherwise the same
# no-libc code builds for the host target (see README).
TARGET := $(shell (rustup target list --installed 2>/dev/null | grep -qx $(MUSL_TARGET) \
	|| rustup target add $(MUSL_TARGET) >/dev/null 2>&1) && echo $(MUSL_TARGET) || echo $(HOST_TARGET))
BIN := target/$(TARGET)/release/ucontain

.PHONY: all build test deps install demo bench cross clean FORCE

all: build

build: $(BIN)
	@echo "$(BIN): $$(stat -c %s $(BIN)) bytes (budget 24576)"

$(BIN): FORCE
	cargo build --release --quiet --target $(TARGET) --bin ucontain

test: build cross deps
	cargo test --quiet --lib
	UCONTAIN_BIN=$(CURDIR)/$(BIN) cargo test --release --quiet --tests -- --test-threads=2

# Other architectures, linked by rust-lld with no cross C toolchain:
# aarch64 with the stable toolchain, riscv64 and armv7 with nightly
# building core from source (rustup has no prebuilt musl core for them here).
CROSS_STABLE := aarch64-unknown-linux-musl
CROSS_NIGHTLY := riscv64gc-unknown-linux-musl armv7-unknown-linux-musleabihf
cross:
	@for t in $(CROSS_STABLE); do rustup target list --installed | grep -qx $$t || rustup target add $$t; done
	@rustup run nightly rustc --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal
	@rustup component list --toolchain nightly --installed | grep -q '^rust-src' || rustup component add rust-src --toolchain nightly
	for t in $(CROSS_STABLE); do cargo build --release --quiet --target $$t --bin ucontain || exit 1; done
	for t in $(CROSS_NIGHTLY); do cargo +nightly build --release --quiet --target $$t -Zbuild-std=core --bin ucontain || exit 1; done
	@for t in $(CROSS_STABLE) $(CROSS_NIGHTLY); do echo "target/$$t/release/ucontain: $$(stat -c %s target/$$t/release/ucontain) bytes"; done

deps:
	@sh tests/deps.sh

install: build
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/ucontain
	for a in $(APPLETS); do ln -sf ucontain $(DESTDIR)$(BINDIR)/$$a; done

demo: build deps
	@sh tests/demo.sh $(CURDIR)/$(BIN)

bench: build deps
	@sh bench/run.sh $(CURDIR)/$(BIN)

clean:
	cargo clean
