# SPDX-License-Identifier: MIT
# lx kernel tests and benchmark; run via `make -C kernel check|bench`.
# LX is the installed library directory (liblx.a + include/).
LX ?= $(abspath ../build/lx)
TK := $(abspath ../tests/kernel)
BIN := $(abspath ../build/kernel-tests)
CFLAGS_T := -std=gnu11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE \
	-I$(LX)/include -I$(TK) -I$(abspath ../tests/lib)
TESTS := $(BIN)/lx_fs_test $(BIN)/lx_halt_test $(BIN)/lx_cpu_test \
	$(BIN)/lx_blk_test $(BIN)/lx_halt_exit_test
BENCH := $(BIN)/lx_bench

.PHONY: check bench
check: $(TESTS)
	@bash $(TK)/run.sh $(BIN) $(LX)

bench: $(BENCH)
	@bash $(TK)/bench.sh $(BIN) $(LX)

$(BIN)/%: $(TK)/%.c $(TK)/lxt.h $(LX)/liblx.a
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS_T) $< -o $@ $(LX)/liblx.a -lpthread
