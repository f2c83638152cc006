# SPDX-License-Identifier: MIT
#
# kbox top-level build. GNU make.
#
#   make             build the kernel library (lx), ./kbox and the guest tests
#   make demo        install what is missing, build, make rootfs.ext4, run it
#   make check       build, then every test suite; last line "N passed, N failed"
#   make rootfs      the default root filesystem image (rootfs.ext4)
#   make MODE=debug  ASAN+UBSAN build of kbox
#   make MODE=tsan   ThreadSanitizer build of kbox (lx stays uninstrumented)
#
# Pieces owned elsewhere plug in here:
#   kernel/Makefile  builds $(LX_OUT)/liblx.a and $(LX_OUT)/include/lx/*.h
#                    (targets: default, check, bench; gets OUT= and KBOX_CACHE)
#   src/build.mk     defines the rule for ./kbox (it should depend on `| lx`
#                    so parallel builds are ordered) and adds the supervisor's
#                    unit-test binaries to UNIT_TESTS; it may use the
#                    variables below (CFLAGS, LDFLAGS, SAN_FLAGS, LX_*,
#                    KTEST_*, BUILD).

ifeq ($(origin CC),default)
CC := gcc
endif
MODE ?= release
KBOX_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kbox
export KBOX_CACHE

BUILD    := build
LX_OUT   := $(CURDIR)/$(BUILD)/lx
LX_LIB   := $(LX_OUT)/liblx.a
LX_INC   := $(LX_OUT)/include
ROOTFS   ?= rootfs.ext4

WARN_FLAGS := -Wall -Wextra -Werror
SAN_FLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=all
ifeq ($(MODE),release)
OPT_FLAGS := -O2 -g
else ifeq ($(MODE),debug)
OPT_FLAGS := -O1 -g $(SAN_FLAGS)
LDFLAGS   += $(SAN_FLAGS)
else ifeq ($(MODE),tsan)
OPT_FLAGS := -O1 -g -fsanitize=thread -fno-omit-frame-pointer -Wno-format-truncation
LDFLAGS   += -fsanitize=thread
else
$(error MODE must be release, debug or tsan, not '$(MODE)')
endif
CFLAGS ?=
override CFLAGS := -std=gnu11 $(WARN_FLAGS) $(OPT_FLAGS) $(CFLAGS)

# Unit tests always run under ASAN+UBSAN, whatever MODE says.
KTEST_DIR    := tests/lib
KTEST_CFLAGS := -std=gnu11 $(WARN_FLAGS) -O1 -g $(SAN_FLAGS) -I$(KTEST_DIR)
KTEST_LDFLAGS := $(SAN_FLAGS)

# the harness plus a default main(); src/build.mk links its unit tests with it
KTEST_OBJ := $(BUILD)/unit/ktest.o
UNIT_TESTS :=

.DEFAULT_GOAL := all
.PHONY: all lx guest-tests rootfs demo deps check check-format \
        check-unit check-kernel check-integration check-stress bench \
        bench-kernel bench-kbox format clean distclean

# ---- supervisor -------------------------------------------------------------
-include src/build.mk

ifeq ($(wildcard src/build.mk),)
.PHONY: kbox
kbox:
	@echo "kbox: supervisor not built yet (src/build.mk is missing)"
endif

all:
	+@$(MAKE) --no-print-directory lx
	+@$(MAKE) --no-print-directory kbox
	+@$(MAKE) --no-print-directory guest-tests

# ---- kernel library -----------------------------------------------------------
lx:
ifneq ($(wildcard kernel/Makefile),)
	+$(MAKE) -C kernel OUT=$(LX_OUT)
else
	@echo "lx: kernel/Makefile not present yet, skipping the kernel library"
endif

# ---- guest test programs ----------------------------------------------------
# Each tests/guest/*.c is one program, run inside the box from /opt/kbox-tests.
GUEST_SRCS := $(wildcard tests/guest/*.c)
GUEST_BINS := $(patsubst tests/guest/%.c,$(BUILD)/guest/%,$(GUEST_SRCS))
# each program may include any of the shared headers (uapi-compat.h is
# plain uapi, shared with the supervisor)
GUEST_HDRS := $(wildcard tests/guest/*.h) include/kbox/uapi-compat.h
GUEST_CFLAGS := -std=gnu11 $(WARN_FLAGS) -O2 -g -I$(KTEST_DIR) -Iinclude
# -static when the static libc is installed (probed once, only when needed)
GUEST_STATIC = $(eval GUEST_STATIC := $$(shell printf 'int main(void){return 0;}' | \
	$(CC) -static -x c - -o /dev/null >/dev/null 2>&1 && echo -static))$(GUEST_STATIC)

guest-tests: $(GUEST_BINS)

$(BUILD)/guest/%: tests/guest/%.c $(GUEST_HDRS) $(KTEST_DIR)/ktest.h | $(BUILD)/guest
	$(CC) $(GUEST_CFLAGS) $(GUEST_STATIC) -o $@ $<

$(BUILD)/guest $(BUILD)/unit:
	@mkdir -p $@

# ---- root filesystem image -------------------------------------------------
# kbox runs the image's ldconfig (/etc/ld.so.cache), as dpkg's trigger would
rootfs: guest-tests kbox
	bash scripts/mkrootfs.sh -o $(ROOTFS) --tests $(BUILD)/guest --kbox ./kbox

# ---- demo -------------------------------------------------------------------
deps:
	@bash scripts/deps.sh

demo: deps
	+@$(MAKE) --no-print-directory all
	+@$(MAKE) --no-print-directory rootfs
	@if [ -x ./kbox ]; then \
	    echo "+ ./kbox -S $(ROOTFS) -- /bin/sh -c 'cat /etc/os-release; uname -a'"; \
	    ./kbox -S $(ROOTFS) -- /bin/sh -c 'cat /etc/os-release; uname -a'; \
	elif [ -f src/build.mk ]; then \
	    echo "demo: ./kbox was not built" >&2; exit 1; \
	else \
	    echo "demo: the supervisor is not built yet (src/build.mk is missing); $(ROOTFS) is ready"; \
	fi

# ---- tests ------------------------------------------------------------------
# make all, then every suite; scripts/check.sh sums them (last line).
check:
	+@bash scripts/check.sh

# clang-format over our own C sources (kernel/ uses the kernel's style).
check-format:
	@bash scripts/check-format.sh

format:
	@bash scripts/check-format.sh --fix

# Each tests/unit/*.c is one test binary linked with the harness (ktest.o),
# except those src/build.mk builds itself (listed in UNIT_TESTS).
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(filter-out $(UNIT_TESTS),$(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS)))

$(KTEST_OBJ): $(KTEST_DIR)/ktest.c $(KTEST_DIR)/ktest.h | $(BUILD)/unit
	$(CC) $(KTEST_CFLAGS) -c -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(KTEST_OBJ) $(KTEST_DIR)/ktest.h | $(BUILD)/unit
	$(CC) $(KTEST_CFLAGS) -o $@ $< $(KTEST_OBJ) $(KTEST_LDFLAGS)

check-unit: $(UNIT_BINS) $(UNIT_TESTS)
	@bash scripts/run-unit.sh $(UNIT_BINS) $(UNIT_TESTS)

check-kernel:
ifneq ($(wildcard kernel/Makefile),)
	+$(MAKE) -C kernel check OUT=$(LX_OUT)
else
	@echo "check-kernel: kernel/Makefile not present yet"
	@echo "0 passed, 0 failed"
endif

check-integration: rootfs
	@KBOX_ROOTFS=$(CURDIR)/$(ROOTFS) bash tests/integration/run.sh

check-stress: guest-tests
	@bash tests/stress/run.sh

# ---- benchmarks -------------------------------------------------------------
bench: bench-kernel bench-kbox

bench-kernel:
ifneq ($(wildcard kernel/Makefile),)
	+$(MAKE) -C kernel bench OUT=$(LX_OUT)
else
	@echo "bench-kernel: kernel/Makefile not present yet, skipping"
endif

# proot too (the workloads are compared with it), then what the runs need
bench-kbox:
	@bash scripts/deps.sh bench
	+@$(MAKE) --no-print-directory all
	+@$(MAKE) --no-print-directory rootfs
	@bash tests/bench/run.sh

# ---- cleaning ---------------------------------------------------------------
clean:
	rm -rf $(BUILD) kbox $(ROOTFS) $(ROOTFS).*.tmp

distclean: clean
	rm -rf "$(KBOX_CACHE)"
