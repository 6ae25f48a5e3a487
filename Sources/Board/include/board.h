/* The QEMU `virt` board (secure=on, virtualization=on), as this firmware uses it: every address
   and size, in one place (docs/memory.md draws the map).

   Plain `#define NAME value` lines only, so that every consumer reads the same file:
   Swift imports them (module Board: UInt64(BOARD_...)), the linker scripts and TF-A's manifest of
   our partition (tfa/mm_partition.dts) are run through the C preprocessor (Makefile,
   tfa/build.py), and the Python tools parse them (qemu/board.py; shell scripts ask it). A value
   may be a number or a sum of names defined above it; nothing else. */
#ifndef BOARD_H
#define BOARD_H

/* Secure flash0 (64 MiB, CFI, 256 KiB erase blocks): the boot image, then BL33, then the
   variable store in the last MiB. */
#define BOARD_FLASH_BASE              0x00000000
#define BOARD_FLASH_SIZE              0x04000000
#define BOARD_FLASH_BLOCK_SIZE        0x00040000
#define BOARD_MONITOR_FLASH_OFFSET    0x00000000    /* the EL3 monitor's flat binary */
#define BOARD_MONITOR_FLASH_SLOT      0x00080000
#define BOARD_PARTITION_FLASH_OFFSET  0x00080000    /* the MM partition's flat binary */
#define BOARD_PARTITION_FLASH_SLOT    0x00080000
#define BOARD_PARTITION_MAGIC         0x50534D4D4D495753    /* "SWIMMMSP": the partition image's header */
#define BOARD_BL33_HEADER_OFFSET      0x00100000    /* "SWIMBL33" magic and payload length */
#define BOARD_BL33_PAYLOAD_OFFSET     0x00101000
#define BOARD_BL33_MAGIC              0x33334C424D495753
#define BOARD_VARSTORE_OFFSET         0x03F00000    /* the variable store: the last MiB */
#define BOARD_VARSTORE_SIZE           0x00100000
#define BOARD_BL33_FLASH_SLOT         (BOARD_VARSTORE_OFFSET - BOARD_BL33_PAYLOAD_OFFSET)

/* Devices. */
#define BOARD_GIC_DISTRIBUTOR         0x08000000
#define BOARD_GIC_CPU_INTERFACE       0x08010000    /* GICv2 */
#define BOARD_GIC_REDISTRIBUTORS      0x080A0000    /* GICv3 */
#define BOARD_UART0                   0x09000000    /* PL011, the normal world's console */
#define BOARD_FW_CFG                  0x09020000    /* QEMU's fw_cfg (when no DTB says) */
#define BOARD_UART1                   0x09040000    /* PL011, secure: the secure world's console */
#define BOARD_SECURE_GPIO             0x090B0000    /* PL061: pin 0 power-off, pin 1 reset */
#define BOARD_DEVICE_PAGE             0x00001000    /* what each device above is mapped with */

/* Secure SRAM (16 MiB): the monitor's slot, then the MM partition's. */
#define BOARD_SECURE_SRAM_BASE        0x0E000000
#define BOARD_SECURE_SRAM_SIZE        0x01000000
#define BOARD_MONITOR_BASE            0x0E000000
#define BOARD_MONITOR_SIZE            0x00100000
#define BOARD_PARTITION_BASE          0x0E100000
#define BOARD_PARTITION_SIZE          0x00500000

/* Non-secure RAM from 0x4000_0000 (1 GiB unless QEMU's -m says otherwise; the DTB tells). */
#define BOARD_RAM_BASE                0x40000000
#define BOARD_RAM_DEFAULT_SIZE        0x40000000    /* assumed when no DTB says */
#define BOARD_DTB_BASE                0x40000000    /* QEMU puts its DTB at the start of RAM */
#define BOARD_DTB_SIZE                0x00100000
#define BOARD_MM_BUFFER_BASE          0x40100000    /* the MM communication buffer */
#define BOARD_MM_BUFFER_SIZE          0x00010000
#define BOARD_KERNEL_LOAD             0x40400000    /* U-Boot's kernel_addr_r on qemu-arm64 */
#define BOARD_INITRD_LOAD             0x44000000    /* U-Boot's ramdisk_addr_r */
#define BOARD_BL33_BASE               0x60000000    /* where the monitor copies BL33 and enters it */

#endif
