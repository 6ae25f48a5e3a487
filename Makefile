# Builds both firmware images and the flash image, boots them in QEMU, runs every test.
# `make run` and `make test` are the two entry points; see README.md.

# The toolchain comes from PATH; SWIFT_BIN=<folder> puts another Swift toolchain first.
ifneq ($(SWIFT_BIN),)
export PATH := $(SWIFT_BIN):$(PATH)
endif
SWIFT_NEEDED := 6.3
SWIFT_FOUND := $(shell swiftc --version 2>/dev/null | sed -n 's/.*Swift version \([0-9]*\.[0-9]*\).*/\1/p' | head -1)
ifeq ($(SWIFT_FOUND),)
$(error swiftc not found: put Swift $(SWIFT_NEEDED) (with the Embedded stdlib) on PATH, or set SWIFT_BIN)
endif
ifneq ($(SWIFT_FOUND),$(SWIFT_NEEDED))
$(warning Swift $(SWIFT_FOUND) found; this project is built and tested with Swift $(SWIFT_NEEDED))
endif

B     := build
MODS  := $(B)/modules
OBJ   := $(B)/obj
PY    := python3

SWIFTC := swiftc
SWIFTFLAGS := -target aarch64-none-none-elf -enable-experimental-feature Embedded \
  -enable-experimental-feature Extern -wmo -parse-as-library -Osize \
  -Xcc -mgeneral-regs-only -Xcc -ffixed-x18 \
  -Xfrontend -disable-stack-protector -Xfrontend -function-sections -Xcc -fomit-frame-pointer \
  -Xfrontend -mergeable-traps -lto=llvm-full -warnings-as-errors \
  -I $(MODS) -Xcc -fmodule-map-file=Sources/Platform/Hardware/module.modulemap \
  -Xcc -ISources/Platform/Hardware -Xcc -fmodule-map-file=Sources/Board/include/module.modulemap
ASFLAGS := --target=aarch64-none-elf -Werror -ffreestanding -fno-builtin -nostdlib -mgeneral-regs-only \
  -mstrict-align -ffunction-sections -fdata-sections -IStartup -ISources/Platform/Hardware -ISources/Board/include
# -mstrict-align (an access the compiler cannot prove aligned becomes byte accesses) only for
# the modules whose code runs with the MMU off, where all memory is Device-nGnRnE and silicon
# faults on an unaligned access (docs/image-size.md, "Strict alignment"): the monitor before
# its boot map, and EarlyMap (Platform) with the tables it builds (MMU), which turns the MMU on
# in the normal world and the partition before they read the DTB or the boot information. The
# rest runs with the MMU on, where RAM is Normal memory and devices are reached only through
# hardware.h's volatile helpers. The entry code sets SCTLR_ELx.A until the MMU is on, so that
# every QEMU boot faults on an unaligned access there, as silicon would.
STRICT_ALIGN := Platform MMU Monitor EL3
# SINGLE_THREADED_RC: modules built with -assume-single-threaded, which names their refcount
# calls swift_nonatomic_retain/release; Startup/heap_free.S forwards those to the stdlib's atomic
# swift_retain/swift_release: the same operations, called rather than inlined at every site
# (docs/image-size.md, sixth pass). -disable-llvm-arc-opts goes with it: the Swift LLVM ARC pass
# knows those calls and sinks a retain past the inlined load of Embedded's isUniquelyReferenced,
# so `var b = a; b[i] = x` wrote into a's storage (tools/check_retain_order.py proves it gone).
SINGLE_THREADED_RC := ABI MM Crypto DeviceTree MMU Variables SPMC SecureMonitor EL3 PartitionBoot Platform Monitor MMPartition NormalWorld Driver UEFI Boot Cache
SINGLE_THREADED_FLAGS := -Xfrontend -assume-single-threaded -Xllvm -disable-llvm-arc-opts
module_flags = $(if $(filter $(1),$(STRICT_ALIGN)),-Xcc -mstrict-align) $(if $(filter $(1),$(SINGLE_THREADED_RC)),$(SINGLE_THREADED_FLAGS))
# An image links its strict modules first: LTO keeps the first of the weak copies of a function
# that several modules emit (Embedded Swift emits what a module uses from others, and stdlib
# specialisations, in each), so a function a strict module calls is its strict copy.
strict_first = $(filter $(STRICT_ALIGN),$(1)) $(filter-out $(STRICT_ALIGN),$(1))
# Swift objects are LLVM bitcode (-lto=llvm-full): each image is optimised whole at the link, so
# the stdlib specialisations every module emits are merged and code no image calls is dropped.
LDFLAGS := --gc-sections --orphan-handling=error -z noexecstack --lto-O2
# The monitor keeps straight-line code (its instruction counts are issue 12's figures); the
# partition is machine-outlined (-10 KB), its identical functions folded; the normal image is
# machine-outlined, placed by two links (link_normal below).
SECURE_LDFLAGS := -mllvm -enable-machine-outliner=never --icf=all
PARTITION_LDFLAGS := -mllvm -machine-outliner-reruns=3 --icf=all

# Anything built depends on $(FLAGS): it changes (and so rebuilds everything) when a flag does.
FLAGS := $(B)/flags
FLAGS_NOW := $(SWIFTC) $(SWIFTFLAGS) | strict: $(STRICT_ALIGN) | st: $(SINGLE_THREADED_RC) $(SINGLE_THREADED_FLAGS) | clang $(ASFLAGS) | ld.lld $(LDFLAGS) | $(SECURE_LDFLAGS) | $(PARTITION_LDFLAGS) | $(NORMAL_OUTLINE)
$(FLAGS): FORCE
	@mkdir -p $(B)
	@echo '$(FLAGS_NOW)' | cmp -s - $@ || echo '$(FLAGS_NOW)' > $@
# Likewise every link depends on the text of the link recipes: a changed recipe relinks.
LINK_RECIPES := $(B)/link-recipes
$(LINK_RECIPES): $(FLAGS) FORCE
	$(file >$@.now,$(value link_image)$(value link_normal)$(value link_partition)$(value link_monitor)$(value monitor_variant))
	@cmp -s $@.now $@ && rm -f $@.now || mv $@.now $@

# The module graph (Sources/modules.txt, which Package.swift reads too): DIR_<m>, DEPS_<m>
# (what <m> imports) and LINK_<m> (the Swift modules an image of <m> links).
include $(B)/modules.mk
$(B)/modules.mk: Sources/modules.txt tools/modules.awk
	@mkdir -p $(B)
	@awk -f tools/modules.awk Sources/modules.txt > $@

HEADERS := $(wildcard Sources/Platform/Hardware/*.h Sources/Platform/Hardware/*.modulemap \
  Sources/Board/include/*.h Sources/Board/include/*.modulemap)

swiftmodules = $(foreach d,$(filter-out $(C_MODULES),$(1)),$(MODS)/$(d).swiftmodule)
define swift_module
$(MODS)/$(1).swiftmodule $(OBJ)/$(1).o &: $(DIR_$(1)) $(wildcard $(DIR_$(1))/*.swift) $(call swiftmodules,$(DEPS_$(1))) $(HEADERS) $(FLAGS)
	@mkdir -p $(MODS) $(OBJ)
	@echo "  SWIFT   $(1)"
	@$(SWIFTC) $(SWIFTFLAGS) $(call module_flags,$(1)) -module-name $(1) -emit-module -emit-module-path $(MODS)/$(1).swiftmodule \
	  -c -o $(OBJ)/$(1).o $(wildcard $(DIR_$(1))/*.swift)
	@touch $(MODS)/$(1).swiftmodule $(OBJ)/$(1).o   # swiftc keeps an unchanged output's old time
endef
$(foreach m,$(SWIFT_MODULES),$(eval $(call swift_module,$(m))))

# Assembly: -MD records the headers each file includes (world_context.h, board.h, ...).
$(OBJ)/%.S.o: Startup/%.S $(FLAGS)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@clang $(ASFLAGS) -MD -MP -MF $@.d -c -o $@ $<
-include $(wildcard $(OBJ)/*.d $(OBJ)/*/*.d)

# Linker scripts take the board's addresses from board.h through the C preprocessor.
$(B)/ld/%.ld: Linker/%.ld $(FLAGS)
	@mkdir -p $(dir $@)
	@clang -E -P -undef -x c -ISources/Board/include -ISources/Platform/Hardware -MD -MP -MF $@.d -MT $@ -o $@ $<
-include $(wildcard $(B)/ld/*.d)

objs = $(foreach m,$(1),$(OBJ)/$(m).o)
MKFLASH := qemu/mkflash.py qemu/board.py Sources/Board/include/board.h
NORMAL_OBJS := $(call objs,$(call strict_first,$(LINK_NormalWorld))) \
  $(OBJ)/normal_entry.S.o $(OBJ)/boot_kernel.S.o $(OBJ)/heap_free.S.o $(OBJ)/probe.S.o $(OBJ)/smccc.S.o $(OBJ)/string.S.o $(OBJ)/efi_runtime_tables.S.o $(OBJ)/cache_setway.S.o $(OBJ)/cache_by_va.S.o
MONITOR_OBJS := $(call objs,$(call strict_first,$(LINK_Monitor))) \
  $(OBJ)/monitor_entry.S.o $(OBJ)/heap_free.S.o $(OBJ)/string.S.o $(OBJ)/cache_by_va.S.o
PARTITION_OBJS := $(call objs,$(call strict_first,$(LINK_MMPartition))) \
  $(OBJ)/partition_entry.S.o $(OBJ)/heap_free.S.o $(OBJ)/smccc.S.o $(OBJ)/string.S.o $(OBJ)/cache_by_va.S.o

# Link, then write the flat binary, the map and a demangled disassembly beside each image.
define link_image
	@echo "  LD      $@"
	@ld.lld $(LDFLAGS) -T $(1) -Map $(basename $@).map -o $@ $(2)
	@llvm-objdump -d --no-show-raw-insn $@ | swift-demangle --simplified > $(basename $@).dis
endef

# The normal image is position-independent (docs/boards.md): relative relocations only.
NORMAL_PIE := --emit-relocs -pie --no-dynamic-linker --pack-dyn-relocs=relr -z norelro --hash-style=gnu
# Linked twice: the first link (LTO) finds which OUTLINED_FUNCTION_<n> the runtime region and
# the runtime caller call and keeps its native object (--lto-obj-path); the second links that
# object, placing them there (normal.ld INCLUDEs the two fragments from <elf>.outlined/), the
# rest in .text; then the fragments are recomputed from the result and must not change.
NORMAL_OUTLINE := -mllvm -machine-outliner-reruns=3   # outline the outlined code again: ~600 B
# Identical functions folded in both links, so that both fold alike (-400 B).
NORMAL_ICF := --icf=all
# The string literals' alignment: LLVM gives a constant array over 16 bytes 16-byte alignment
# (4 below that) unless the front end sets one, which Swift does not, and lld aligns each merged
# string to its section's alignment: 2.4 KB of padding between the normal image's messages. Their
# sections are set to byte alignment in the LTO object, and the second link packs them. The
# normal image and the partition: all of their code that runs with the MMU off reads no strings
# (docs/image-size.md), and unaligned reads of Normal memory are allowed once the MMU is on. The
# monitor, which prints with its MMU off, after a check (link_monitor).
STRING_ALIGN := --set-section-alignment .rodata.str1.16=1 --set-section-alignment .rodata.str1.4=1
define link_normal
	@mkdir -p $@.outlined
	@: > $@.outlined/runtime_outlined.ld; : > $@.outlined/rtcaller_outlined.ld
	@ld.lld $(LDFLAGS) $(NORMAL_OUTLINE) $(NORMAL_ICF) -T $(B)/ld/normal.ld -L $@.outlined $(NORMAL_PIE) --lto-obj-path=$@.lto.o -o $@.pass1 $(1)
	@$(PY) tools/runtime_outlined.py $@.pass1 $@.outlined/runtime_outlined.ld $@.outlined/rtcaller_outlined.ld
	@rm -f $@.pass1
	@llvm-objcopy $(STRING_ALIGN) $@.lto.o
	$(call link_image,$(B)/ld/normal.ld,-L $@.outlined $(NORMAL_PIE) $(NORMAL_ICF) $@.lto.o $(filter %.S.o,$(1)))
	@$(PY) tools/runtime_outlined.py $@ $@.outlined/runtime.check $@.outlined/rtcaller.check
	@cmp -s $@.outlined/runtime.check $@.outlined/runtime_outlined.ld && cmp -s $@.outlined/rtcaller.check $@.outlined/rtcaller_outlined.ld \
	  || { echo "$@: the second link outlined differently"; rm -f $@; exit 1; }
endef
$(B)/normal.elf: $(NORMAL_OBJS) $(B)/ld/normal.ld tools/runtime_outlined.py $(FLAGS) $(LINK_RECIPES)
	$(call link_normal,$(NORMAL_OBJS))
# The monitor prints with its MMU off, where an access wider than a byte to a string LLVM
# believed aligned would fault once the strings are packed: its long strings (.rodata.str1.16)
# are packed only after tools/check_string_loads.py has followed every address of them through
# the LTO object and found byte accesses alone. .rodata.str1.4 keeps its alignment: DeviceTree
# copies the "mm-buffer" name with a word load (MMU on, so safe either way; 80 B of padding).
MONITOR_STRINGS := .rodata.str1.16
define link_monitor
	@ld.lld $(LDFLAGS) $(SECURE_LDFLAGS) -T $(B)/ld/monitor.ld --lto-obj-path=$@.lto.o -o $@.pass1 $(1)
	@rm -f $@.pass1
	@$(PY) tools/check_string_loads.py $(addprefix --section=,$(MONITOR_STRINGS)) $@.lto.o
	@llvm-objcopy $(foreach s,$(MONITOR_STRINGS),--set-section-alignment $(s)=1) $@.lto.o
	$(call link_image,$(B)/ld/monitor.ld,--icf=all $@.lto.o $(filter %.S.o,$(1)))
endef
$(B)/monitor.elf: $(MONITOR_OBJS) $(B)/ld/monitor.ld tools/check_string_loads.py $(FLAGS) $(LINK_RECIPES)
	$(call link_monitor,$(MONITOR_OBJS))
# The partition's strings packed as the normal image's (STRING_ALIGN): what it runs with the MMU
# off is its entry and the early map (Platform, MMU), which read no string.
define link_partition
	@ld.lld $(LDFLAGS) $(PARTITION_LDFLAGS) -T $(B)/ld/partition.ld --lto-obj-path=$@.lto.o -o $@.pass1 $(1)
	@rm -f $@.pass1
	@llvm-objcopy $(STRING_ALIGN) $@.lto.o
	$(call link_image,$(B)/ld/partition.ld,--icf=all $@.lto.o $(filter %.S.o,$(1)))
endef
$(B)/partition.elf: $(PARTITION_OBJS) $(B)/ld/partition.ld $(FLAGS) $(LINK_RECIPES)
	$(call link_partition,$(PARTITION_OBJS))

# Proof build (build/proof/, docs/build.md): the images the proof tests, `make bench` and
# `make soak` boot. Products never contain it.
# - normal.elf: the normal world's module compiled with Sources/Proof/NormalWorld (-D PROOF:
#   hostile world, bench, sysregs, irqtest, rxtx, set/way self-test) and Startup/proof/*.S;
# - monitor-bench.elf: MDCR_EL3.SPME set so `bench` can count the secure side;
# - monitor-trap.elf: SCXTNUM_ELx left trapped at EL3, so a normal-world read shows an unserved
#   trap coming back as UNDEFINED.
P := $(B)/proof
DIR_ProofNormalWorld := Sources/Proof/NormalWorld
PROOF_IMPORTS := Cache   # what the proof commands import beyond the normal world's imports
PROOF_NORMAL_SOURCES := $(wildcard $(DIR_NormalWorld)/*.swift) $(wildcard $(DIR_ProofNormalWorld)/*.swift)
PROOF_NORMAL_OBJS := $(subst $(OBJ)/NormalWorld.o,$(OBJ)/proof/NormalWorld.o,$(NORMAL_OBJS)) $(call objs,$(PROOF_IMPORTS)) \
  $(patsubst Startup/%.S,$(OBJ)/%.S.o,$(wildcard Startup/proof/*.S))
$(OBJ)/proof/NormalWorld.o: $(DIR_NormalWorld) $(DIR_ProofNormalWorld) $(PROOF_NORMAL_SOURCES) $(call swiftmodules,$(DEPS_NormalWorld) $(PROOF_IMPORTS)) $(HEADERS) $(FLAGS)
	@mkdir -p $(OBJ)/proof
	@echo "  SWIFT   NormalWorld (proof)"
	@$(SWIFTC) $(SWIFTFLAGS) $(call module_flags,NormalWorld) -D PROOF -module-name NormalWorld -c -o $@ $(PROOF_NORMAL_SOURCES)
	@touch $@
$(P)/normal.elf: $(PROOF_NORMAL_OBJS) $(B)/ld/normal.ld tools/runtime_outlined.py $(FLAGS) $(LINK_RECIPES)
	@mkdir -p $(P)
	$(call link_normal,$(PROOF_NORMAL_OBJS))

# A monitor variant: name, the -D flag it is compiled with, what it changes.
define monitor_variant
$(OBJ)/proof/Monitor-$(1).o: $(DIR_Monitor) $(wildcard $(DIR_Monitor)/*.swift) $(call swiftmodules,$(DEPS_Monitor)) $(HEADERS) $(FLAGS)
	@mkdir -p $(OBJ)/proof
	@echo "  SWIFT   Monitor ($(3))"
	@$(SWIFTC) $(SWIFTFLAGS) $(call module_flags,Monitor) -D $(2) -module-name Monitor -c -o $$@ $(wildcard $(DIR_Monitor)/*.swift)
	@touch $$@   # swiftc keeps an unchanged output's old time
$(P)/monitor-$(1).elf: $(subst $(OBJ)/Monitor.o,$(OBJ)/proof/Monitor-$(1).o,$(MONITOR_OBJS)) $(B)/ld/monitor.ld tools/check_string_loads.py $(FLAGS) $(LINK_RECIPES)
	@mkdir -p $(P)
	$$(call link_monitor,$(subst $(OBJ)/Monitor.o,$(OBJ)/proof/Monitor-$(1).o,$(MONITOR_OBJS)))
$(P)/secure-$(1).bin: $(P)/monitor-$(1).bin $(B)/partition.bin $(MKFLASH)
	@$(PY) qemu/mkflash.py secure --monitor $(P)/monitor-$(1).bin --partition $(B)/partition.bin -o $$@
endef
$(eval $(call monitor_variant,bench,PROOF_BENCH_SPME,bench: SPME set))
$(eval $(call monitor_variant,trap,PROOF_EL3_TRAP_SCXTNUM,proof: SCXTNUM trapped at EL3))

# Flash images: the proof normal world over the product secure world, the bench monitor, or the
# trapping monitor. Tests boot copies of them (qemu/harness.py), never these files.
$(P)/flash0.img: $(B)/secure.bin $(P)/normal.bin $(MKFLASH)
	@$(PY) qemu/mkflash.py flash --secure $(B)/secure.bin --bl33 $(P)/normal.bin -o $@
$(P)/flash0-%.img: $(P)/secure-%.bin $(P)/normal.bin $(MKFLASH)
	@$(PY) qemu/mkflash.py flash --secure $< --bl33 $(P)/normal.bin -o $@
PROOF_IMAGES := $(P)/normal.elf $(P)/flash0.img $(P)/flash0-bench.img $(P)/flash0-trap.img
proof: $(PROOF_IMAGES)

$(B)/%.bin: $(B)/%.elf
	@llvm-objcopy -O binary $< $@

# The secure image: the EL3 monitor and the MM partition at their flash offsets (board.h, docs/boot.md).
$(B)/secure.bin: $(B)/monitor.bin $(B)/partition.bin $(MKFLASH)
	@$(PY) qemu/mkflash.py secure --monitor $(B)/monitor.bin --partition $(B)/partition.bin -o $@

BL33 ?= $(B)/normal.bin
# The variable store of an existing flash image is kept: variables survive rebuilds.
$(B)/flash0.img: $(B)/secure.bin $(BL33) $(MKFLASH) FORCE
	@$(PY) qemu/mkflash.py flash --secure $(B)/secure.bin --bl33 $(BL33) -o $@

all: $(B)/secure.bin $(B)/normal.elf $(B)/normal.bin $(B)/flash0.img $(B)/runtime-checked $(B)/pie-checked $(B)/retains-checked

# `make` proves the runtime region closed on every link (tools/check_runtime.py).
$(B)/runtime-checked: $(B)/normal.elf tools/check_runtime.py
	@$(PY) tools/check_runtime.py --code-only $(B)/normal.elf
	@touch $@
# No retain of a SINGLE_THREADED_RC module follows a uniqueness check of its object.
RETAIN_CHECKED_OBJS := $(call objs,$(filter-out $(C_MODULES),$(SINGLE_THREADED_RC)))
$(B)/retains-checked: $(RETAIN_CHECKED_OBJS) tools/check_retain_order.py
	@$(PY) tools/check_retain_order.py $(RETAIN_CHECKED_OBJS)
	@touch $@
# normal.bin relocates itself: relative relocations only, and an arm64 Image header (docs/boards.md).
$(B)/pie-checked: $(B)/normal.elf $(B)/normal.bin tools/check_pie.py
	@$(PY) tools/check_pie.py $(B)/normal.elf $(B)/normal.bin
	@touch $@
.DEFAULT_GOAL := all

MODE ?= el2
# MACHINE=raspi3b|zcu102 boots the same build/normal.bin on that board (docs/boards.md).
MACHINE ?= virt
run: all
	@qemu/ensure-qemu.sh
ifeq ($(MACHINE),virt)
	@KERNEL="$(KERNEL)" INITRD="$(INITRD)" APPEND='$(APPEND)' qemu/run.sh $(MODE) $(B)/flash0.img $(B)/normal.elf
else
	@qemu/boards/fetch-dtbs.sh $(B)/boards $(B)/linux/debs
	@qemu/run.sh $(MACHINE) $(B)/flash0.img $(B)/normal.elf
endif

# The proof build's shell (hostile, bench, sysregs, irqtest, rxtx; MODE=setway: the set/way
# self-test) on build/proof/flash0.img; the product's build/flash0.img is not touched.
run-proof: all proof
	@qemu/ensure-qemu.sh
	@qemu/run.sh $(MODE) $(P)/flash0.img $(P)/normal.elf

size: all
	@$(PY) qemu/size.py $(B)/normal.elf $(B)/monitor.elf $(B)/partition.elf

# The runtime region may not branch to or take the address of code outside it.
check-runtime: $(B)/normal.elf
	@$(PY) tools/check_runtime.py --code-only $(B)/normal.elf
	@$(PY) tools/check_runtime.py --self-test | tail -1

# No retain sunk past a uniqueness check in the flagged modules (product and proof), and the
# check finds one when -assume-single-threaded comes without -disable-llvm-arc-opts (self-test).
check-retains: all proof
	@$(PY) tools/check_retain_order.py $(RETAIN_CHECKED_OBJS) $(OBJ)/proof/NormalWorld.o
	@$(PY) tools/check_retain_order.py --self-test

# The monitor's packed strings are read a byte at a time (checked at every monitor link), and the
# check finds a wide read of a string when there is one (its self-test).
check-strings: $(B)/monitor.elf
	@$(PY) tools/check_string_loads.py $(addprefix --section=,$(MONITOR_STRINGS)) $(B)/monitor.elf.lto.o
	@$(PY) tools/check_string_loads.py --self-test

# The product images hold no proof code, and the proof images show theirs (issue 11).
check-product: all proof
	@$(PY) tools/check_product.py $(B)
	@$(PY) tools/check_kept_el1.py $(B)

# The board is described once, in board.h (issue 11): no address spelt elsewhere, and TF-A's
# manifest of our partition built from it.
check-board:
	@$(PY) tools/check_board.py $(B)

# Continues each target's campaign in build/fuzz/<target>/corpus (docs/fuzzing.md).
# FUZZ_SECONDS per target; FUZZ_TARGETS=A,B for a subset.
FUZZ_SECONDS ?= 60
fuzz:
	@$(PY) tools/fuzz.py --seconds $(FUZZ_SECONDS) $(if $(FUZZ_TARGETS),--targets $(FUZZ_TARGETS))

soak: all
	@qemu/ensure-qemu.sh
	@$(PY) qemu/powercut.py --cuts 1000 --seed $(or $(SEED),1)

bench: all proof
	@qemu/ensure-qemu.sh
	@$(PY) qemu/bench.py

host-test:
	@tools/ensure-test-tools.sh
	swift build --build-tests
	swift test

qemu-test: all proof
	@qemu/ensure-qemu.sh
	@tools/ensure-test-tools.sh
	@$(PY) qemu/tests.py

test: all proof
	@qemu/ensure-qemu.sh
	@tools/ensure-test-tools.sh
	@$(PY) qemu/test_all.py

# Debian's arm64 kernel on our secure world (fetched with apt and cached in build/linux).
test-linux: all
	@qemu/ensure-qemu.sh
	@$(PY) qemu/linux_tests.py

# A stock U-Boot built outside this repository (docs/uboot.md) as BL33: its UEFI variable
# selftests against our MM partition. Skips when UBOOT_BIN is not given; UBOOT_MEM=2G etc.
uboot-conformance: all
	@qemu/ensure-qemu.sh
	@$(PY) qemu/uboot_conformance.py $(if $(UBOOT_BIN),--uboot $(UBOOT_BIN)) $(if $(UBOOT_MEM),--mem $(UBOOT_MEM))

# TF-A's EL3 SPMC hosting our MM partition as its secure partition (issue 16, docs/tfa.md).
# TFA_SRC = a TF-A checkout (never downloaded); BL33 = our normal.bin or another payload;
# TFA_DEBUG=1 builds TF-A with DEBUG=1 LOG_LEVEL=40. build/tfa/flash.bin keeps its store.
ifneq ($(filter tfa run-tfa,$(MAKECMDGOALS)),)
ifeq ($(TFA_SRC),)
$(error TFA_SRC is not set: make tfa TFA_SRC=<a checkout of TF-A> (docs/tfa.md); nothing is downloaded)
endif
endif
# TF-A's own FIP always holds normal.bin; another BL33 goes into a copy with fiptool.
tfa: $(B)/partition.bin $(B)/normal.bin $(BL33) tfa/mm_partition.dts Sources/Board/include/board.h tfa/build.py
	@$(PY) tfa/build.py --tfa-src "$(TFA_SRC)" --partition $(B)/partition.bin --manifest tfa/mm_partition.dts \
	  --bl33 $(B)/normal.bin $(if $(filter-out $(B)/normal.bin,$(BL33)),--swap-bl33 $(BL33)) \
	  $(if $(TFA_DEBUG),--debug) --out $(B)/tfa -o $(B)/tfa/flash.bin

run-tfa: tfa
	@qemu/ensure-qemu.sh
	@qemu/run.sh el2 $(B)/tfa/flash.bin $(B)/normal.elf

# The host tool `varstore` (docs/secure-boot.md): flash images' variable stores through the
# partition's own store code. Built with the host tests' SwiftPM build, so it comes almost free after them.
varstore: $(B)/varstore
$(B)/varstore: FORCE
	@mkdir -p $(B)
	@swift build --product varstore
	@cp "$$(swift build --show-bin-path)/varstore" $@

clean:
	rm -rf $(B)

help:
	@echo "make            build/secure.bin, build/normal.elf|.bin, build/flash0.img"
	@echo "make run        build, boot in QEMU, land in the shell (Ctrl-A X quits; MODE=el2|el1|hvc|plain|plain-el2, BL33=file)"
	@echo "make run KERNEL=Image [INITRD=file] [APPEND=\"...\"]  boot Linux from QEMU's -kernel (docs/linux.md)"
	@echo "make run MACHINE=raspi3b|zcu102  the same normal.bin on another QEMU board (docs/boards.md; MODE=kernel: virt -kernel)"
	@echo "make run-proof  the same with the proof build's shell (build/proof/; MODE=setway: set/way self-test)"
	@echo "make test       host tests, check-runtime, check-retains, check-product, check-board, short fuzz, QEMU tests (product and proof builds),"
	@echo "                100 power cuts; one SUMMARY line"
	@echo "make host-test  swift test only;  make qemu-test  QEMU tests only"
	@echo "make test-linux Debian's arm64 kernel and its FF-A driver module on our secure world, -m 1G and -m 4G (fetched and built once with apt)"
	@echo "make size       per-image sizes;  make check-runtime  runtime-region check"
	@echo "make check-product  no proof code (hostile, bench, probes, fuzz, RAM flash) in the product ELFs,"
	@echo "                    and no partition write to an EL1 register the monitor keeps across switches"
	@echo "make check-board  every board address from board.h (no number spelt elsewhere); TF-A's manifest built from it"
	@echo "make fuzz       continue the fuzz campaign (FUZZ_SECONDS=60 per target, FUZZ_TARGETS=A,B)"
	@echo "make soak       1000 power cuts (SEED=1);  make bench  instruction counts"
	@echo "make uboot-conformance UBOOT_BIN=u-boot.bin [UBOOT_MEM=2G]  stock U-Boot's variable selftests (docs/uboot.md)"
	@echo "make proof      build/proof/: normal world with the proof commands; flash0.img (product secure world),"
	@echo "                flash0-bench.img (monitor with SPME), flash0-trap.img (monitor with SCXTNUM trapped)"
	@echo "make tfa TFA_SRC=<TF-A checkout> [BL33=file] [TFA_DEBUG=1]  TF-A's EL3 SPMC + our partition: build/tfa/flash.bin"
	@echo "make run-tfa TFA_SRC=...  boot it (docs/tfa.md)"
	@echo "make varstore   build/varstore: list/get/set/delete/export/import/enroll on a flash or store image"
	@echo "make clean      remove build/ (the variable store in build/flash0.img with it)"

FORCE:
.PHONY: tfa run-tfa varstore proof all run run-proof size test test-linux host-test qemu-test uboot-conformance check-runtime check-retains check-strings check-product check-board fuzz soak bench clean help FORCE
