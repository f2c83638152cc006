# SPDX-License-Identifier: MIT
# Supervisor build rules. -include'd by the top-level Makefile, run from the
# repository root. Defines ./kbox and the supervisor's unit tests (appended
# to UNIT_TESTS; they never need the kernel library and always build with
# ASAN+UBSAN).

# Do not let our rules become the including Makefile's default goal.
KBOX_SAVED_GOAL := $(.DEFAULT_GOAL)

KBOX_CC      ?= $(CC)
KBOX_BUILD   := build/kbox
KBOX_UNIT    := build/unit
# Inside the top-level Makefile the kernel library comes from its `lx`
# target (order-only, so parallel builds are ordered); standalone, from
# an existing build/lx.
ifdef LX_OUT
KBOX_LX_DIR   := $(LX_OUT)
KBOX_LX_ORDER := lx
# Its time is read again after `lx` has run: read before, `make kbox`
# after a kernel change kept the old kbox.
$(LX_OUT)/liblx.a: lx ;
else
KBOX_LX_DIR   ?= build/lx
KBOX_LX_ORDER := $(KBOX_LX_DIR)/liblx.a
endif
KBOX_LX_LIB  := $(KBOX_LX_DIR)/liblx.a
# The top-level CFLAGS (std, warnings, -O2 or the MODE=debug sanitizers)
# when present, else the same defaults.
KBOX_BASE_CFLAGS := $(if $(filter -std=%,$(CFLAGS)),$(CFLAGS),\
                    -std=gnu11 -Wall -Wextra -Werror -O2 -g)
KBOX_CFLAGS  := $(KBOX_BASE_CFLAGS) -Wno-unused-parameter -Iinclude \
                -fno-strict-aliasing $(KBOX_EXTRA_CFLAGS)
KBOX_SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer \
                -fno-sanitize-recover=all

# Pure modules: no kernel library needed (unit tested).
KBOX_PURE_SRCS := \
	src/cli/cli.c \
	src/path/normalize.c \
	src/path/walk.c \
	src/abi/abi.c \
	src/tiers/seccomp/filter.c \
	src/exec/elf.c \
	src/exec/cache.c \
	src/exec/diskcache.c \
	src/fdtable/fdtable.c \
	src/dispatch/policy.c \
	src/dispatch/names.c

# Modules that talk to lx (need build/lx/include/lx/uapi.h).
KBOX_LX_SRCS := $(sort $(wildcard \
	src/main.c \
	src/abi/lx_check.c \
	src/image/*.c \
	src/guard/*.c \
	src/tiers/seccomp/notify.c \
	src/tiers/seccomp/pool.c \
	src/tiers/seccomp/serve.c \
	src/tiers/seccomp/settle.c \
	src/tiers/seccomp/sigchld.c \
	src/tiers/seccomp/wake.c \
	src/tiers/seccomp/mem.c \
	src/dispatch/*.c \
	src/exec/*.c \
	src/fdtable/*.c))

KBOX_LX_SRCS := $(filter-out $(KBOX_PURE_SRCS),$(KBOX_LX_SRCS))
KBOX_SRCS := $(KBOX_PURE_SRCS) $(KBOX_LX_SRCS)
KBOX_OBJS := $(patsubst src/%.c,$(KBOX_BUILD)/%.o,$(KBOX_SRCS))
KBOX_HDRS := $(wildcard include/kbox/*.h src/*/*.h src/*/*/*.h)

KBOX_LX_OBJS := $(patsubst src/%.c,$(KBOX_BUILD)/%.o,$(KBOX_LX_SRCS))

$(KBOX_BUILD)/%.o: src/%.c $(KBOX_HDRS) $(wildcard $(KBOX_LX_DIR)/include/lx/*.h)
	@mkdir -p $(dir $@)
	$(KBOX_CC) $(KBOX_CFLAGS) -I$(KBOX_LX_DIR)/include -c $< -o $@

# Sources that include <lx/uapi.h> need the kernel build's headers first.
$(KBOX_LX_OBJS): | $(KBOX_LX_ORDER)

kbox: $(KBOX_OBJS) $(wildcard $(KBOX_LX_LIB)) | $(KBOX_LX_ORDER)
	$(KBOX_CC) $(KBOX_CFLAGS) $(LDFLAGS) -o $@ $(KBOX_OBJS) $(KBOX_LX_LIB) \
		-lpthread

# ---- unit tests (ASAN+UBSAN, no kernel) ----
KBOX_UNIT_TESTS := \
	$(KBOX_UNIT)/src_cli \
	$(KBOX_UNIT)/src_path \
	$(KBOX_UNIT)/src_abi \
	$(KBOX_UNIT)/src_bpf \
	$(KBOX_UNIT)/src_elf \
	$(KBOX_UNIT)/src_seccomp \
	$(KBOX_UNIT)/src_cache \
	$(KBOX_UNIT)/src_fdtable

UNIT_TESTS += $(KBOX_UNIT_TESTS)

KBOX_UNIT_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
                    -O1 -g $(KBOX_SAN) -Iinclude -Itests/lib

$(KBOX_UNIT)/obj/%.o: src/%.c $(KBOX_HDRS)
	@mkdir -p $(dir $@)
	$(KBOX_CC) $(KBOX_UNIT_CFLAGS) -c $< -o $@

$(KBOX_UNIT)/src_%.o: tests/unit/src_%.c $(KBOX_HDRS) tests/lib/ktest.h
	@mkdir -p $(dir $@)
	$(KBOX_CC) $(KBOX_UNIT_CFLAGS) -c $< -o $@

$(KBOX_UNIT)/src_cli: $(KBOX_UNIT)/src_cli.o $(KBOX_UNIT)/obj/cli/cli.o \
		$(KBOX_UNIT)/obj/path/normalize.o
	$(KBOX_CC) $(KBOX_UNIT_CFLAGS) -o $@ $^

$(KBOX_UNIT)/src_path: $(KBOX_UNIT)/src_path.o $(KBOX_UNIT)/obj/path/normalize.o \
		$(KBOX_UNIT)/obj/path/walk.o
	$(KBOX_CC) $(KBOX_UNIT_CFLAGS) -o $@ $^

$(KBOX_UNIT)/src_abi: $(KBOX_UNIT)/src_abi.o $(KBOX_UNIT)/obj/abi/abi.o
	$(KBOX_CC) $(KBOX_UNIT_CFLAGS) -o $@ $^

$(KBOX_UNIT)/src_bpf: $(KBOX_UNIT)/src_bpf.o \
		$(KBOX_UNIT)/obj/tiers/seccomp/filter.o \
		$(KBOX_UNIT)/obj/dispatch/policy.o $(KBOX_UNIT)/obj/dispatch/names.o
	$(KBOX_CC) $(KBOX_UNIT_CFLAGS) -o $@ $^

$(KBOX_UNIT)/src_elf: $(KBOX_UNIT)/src_elf.o $(KBOX_UNIT)/obj/exec/elf.o
	$(KBOX_CC) $(KBOX_UNIT_CFLAGS) -o $@ $^

$(KBOX_UNIT)/src_seccomp: $(KBOX_UNIT)/src_seccomp.o \
		$(KBOX_UNIT)/obj/tiers/seccomp/notify.o \
		$(KBOX_UNIT)/obj/tiers/seccomp/pool.o \
		$(KBOX_UNIT)/obj/tiers/seccomp/serve.o \
		$(KBOX_UNIT)/obj/tiers/seccomp/settle.o \
		$(KBOX_UNIT)/obj/tiers/seccomp/sigchld.o \
		$(KBOX_UNIT)/obj/tiers/seccomp/wake.o \
		$(KBOX_UNIT)/obj/tiers/seccomp/mem.o \
		$(KBOX_UNIT)/obj/tiers/seccomp/filter.o \
		$(KBOX_UNIT)/obj/dispatch/policy.o $(KBOX_UNIT)/obj/dispatch/names.o \
		$(KBOX_UNIT)/obj/abi/abi.o
	$(KBOX_CC) $(KBOX_UNIT_CFLAGS) -o $@ $^ -lpthread

$(KBOX_UNIT)/src_cache: $(KBOX_UNIT)/src_cache.o $(KBOX_UNIT)/obj/exec/cache.o \
		$(KBOX_UNIT)/obj/exec/diskcache.o
	$(KBOX_CC) $(KBOX_UNIT_CFLAGS) -o $@ $^ -lpthread

$(KBOX_UNIT)/src_fdtable: $(KBOX_UNIT)/src_fdtable.o \
		$(KBOX_UNIT)/obj/fdtable/fdtable.o
	$(KBOX_CC) $(KBOX_UNIT_CFLAGS) -o $@ $^ -lpthread

.PHONY: kbox-unit
kbox-unit: $(KBOX_UNIT_TESTS)
	@set -e; for t in $(KBOX_UNIT_TESTS); do echo "== $$t"; $$t; done

.DEFAULT_GOAL := $(KBOX_SAVED_GOAL)
