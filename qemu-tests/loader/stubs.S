/* stubs.S - what a phone's bootloader does last, for QEMU's vexpress-a9
 * booted without -kernel (qemu-tests/lkboot.py, board directive "loader").
 *
 * entry (CPU 0): the jump into the kernel as MediaTek's LK makes it
 * (app/mt_boot: entry(0, machtype, tags)): r0 = 0, r1 = the machine type,
 * r2 = the ATAG list, pc = the kernel section's payload. lkboot.py fills the
 * three words after the code.
 *
 * pen (CPU 1): without -kernel QEMU starts every CPU at address 0 (flash,
 * empty) and writes no holding pen of its own; this one is QEMU's: enable
 * the GIC CPU interface, wait for an interrupt, and go where the kernel wrote
 * into the board's SYS_FLAGS register (Linux's vexpress SMP bring-up).
 */
	.syntax	unified
	.arm
	.text
	.global	entry
entry:	mov	r0, #0
	ldr	r1, machtype
	ldr	r2, tags
	ldr	pc, kernel
machtype: .word	0
tags:	.word	0
kernel:	.word	0

	.balign	64
	.global	pen
pen:	ldr	r2, =0x1e000100		@ GIC CPU interface
	mov	r1, #1
	str	r1, [r2]		@ GICC_CTLR: enable
	mov	r1, #0xff
	str	r1, [r2, #4]		@ GICC_PMR: every priority
	ldr	r2, =0x10000030		@ SYS_FLAGS
1:	dsb
	wfi
	ldr	r1, [r2]
	cmp	r1, #0
	beq	1b
	bx	r1
	.ltorg
