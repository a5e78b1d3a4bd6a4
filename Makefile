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

.PHONY: all build test unit blackbox deps install demo bench cross clean FORCE

all: build

build: $(BIN)
	@echo "$(BIN): $$(stat -c %s $(BIN)) bytes (budget 24576)"

$(BIN): FORCE
	cargo build --release --quiet --target $(TARGET) --bin ucontain

test: build deps
	cargo test --quiet --lib
	UCONTAIN_BIN=$(CURDIR)/$(BIN) cargo test --release --quiet --tests -- --test-threads=2

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
