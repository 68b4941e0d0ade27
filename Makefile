# rmcast: top-level Makefile. `make help` lists the targets.
#
# Kernel module: built by kbuild from ./Kbuild (`make -C $(KDIR) M=$(CURDIR)`).
# Userspace:     userspace/Makefile.   Selftests: selftests/Makefile.
# Everything slow or machine-wide (extracted linux-source, debug kernel) lives in
# $(RMCAST_CACHE), outside the work tree; build products of this tree go to build/.

SHELL := /bin/bash
.SUFFIXES:
.DELETE_ON_ERROR:

export RMCAST_CACHE ?= $(HOME)/.cache/rmcast
export RMCAST_BUILD := $(CURDIR)/build
ENV := $(CURDIR)/scripts/env.sh

# All of these are expanded when a recipe runs (`=`), i.e. after `make deps`.
KSRC = $(shell $(ENV) KSRC)
TEST_KDIR = $(shell $(ENV) TEST_KDIR)
COMPAT_KDIR = $(shell $(ENV) COMPAT_KDIR)
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
# Kernel to build rmcast.ko against for `make`/`make module` (override: make KDIR=...).
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),$(TEST_KDIR))

# make check T=name runs one test (or several: T="a b").
T ?=

.PHONY: all deps module userspace selftests compat lint check check-debug \
	vm-shell vm-shell-debug demo debug-kernel clean help

all: module userspace selftests

help:
	@echo 'make deps         install Debian packages, extract linux-source (idempotent)'
	@echo 'make              build rmcast.ko (KDIR=$(KDIR)), userspace, selftests'
	@echo 'make check        build, then run the selftests in a QEMU VM (T=name: one test)'
	@echo 'make check-debug  same on a KASAN/lockdep/kmemleak/UBSAN debug kernel'
	@echo 'make demo         boot the VM, load rmcast.ko, run scripts/demo-guest.sh'
	@echo 'make vm-shell     boot the VM with rmcast.ko loaded, interactive shell (vm-shell-debug)'
	@echo 'make compat       build rmcast.ko against Debian 12 6.1 cloud headers'
	@echo 'make lint         checkpatch.pl --strict on module/ and uapi/'
	@echo 'make clean'

deps:
	@scripts/deps.sh

module:
	scripts/kbuild.sh $(KDIR)

userspace:
	$(MAKE) -C userspace

selftests: userspace
	$(MAKE) -C selftests KSRC=$(KSRC) OUTPUT=$(RMCAST_BUILD)/selftests

compat: deps
	@[ -n "$(COMPAT_KDIR)" ] || { echo "compat: no linux-headers-6.1.*-cloud-amd64 (make deps)" >&2; exit 1; }
	scripts/kbuild.sh $(COMPAT_KDIR) $(RMCAST_BUILD)/compat
	@echo "compat: built $(RMCAST_BUILD)/compat/rmcast.ko against $(COMPAT_KDIR)"

lint: deps
	scripts/lint.sh

# --- VM harness (scripts/vm.sh) ---------------------------------------------------
# The module for the stock VM kernel is the in-tree one when KDIR is the test kernel's
# headers, otherwise a separate copy built under build/.
VM_KO = $(if $(filter $(TEST_KDIR),$(KDIR)),$(CURDIR)/rmcast.ko,$(RMCAST_BUILD)/vm-stock/rmcast.ko)

vm-stock-module: all
	@if [ "$(VM_KO)" != "$(CURDIR)/rmcast.ko" ]; then scripts/kbuild.sh $(TEST_KDIR) $(RMCAST_BUILD)/vm-stock; fi

debug-kernel:
	scripts/debug-kernel.sh >/dev/null

vm-debug-module: debug-kernel userspace selftests
	scripts/kbuild.sh $(shell $(ENV) DEBUG_KDIR) $(RMCAST_BUILD)/vm-debug

check: deps
	@$(MAKE) --no-print-directory vm-stock-module
	scripts/vm.sh --kernel stock --ko $(VM_KO) --mode check --only "$(T)"

check-debug: deps
	@$(MAKE) --no-print-directory vm-debug-module
	scripts/vm.sh --kernel debug --ko $(RMCAST_BUILD)/vm-debug/rmcast.ko --mode check --only "$(T)"

demo: deps
	@$(MAKE) --no-print-directory vm-stock-module
	scripts/vm.sh --kernel stock --ko $(VM_KO) --mode demo

vm-shell: deps
	@$(MAKE) --no-print-directory vm-stock-module
	scripts/vm.sh --kernel stock --ko $(VM_KO) --mode shell

vm-shell-debug: deps
	@$(MAKE) --no-print-directory vm-debug-module
	scripts/vm.sh --kernel debug --ko $(RMCAST_BUILD)/vm-debug/rmcast.ko --mode shell

clean:
	-[ -f $(KDIR)/Makefile ] && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C userspace clean
	-$(MAKE) -C selftests clean OUTPUT=$(RMCAST_BUILD)/selftests
	rm -rf build
