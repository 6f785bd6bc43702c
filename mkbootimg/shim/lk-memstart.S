/* lk-memstart.S - bootkit's entry shim for MediaTek's MT6572 LK.
 *
 * MT6572 LK (2013-14 code drops) loads the kernel section's payload at
 * 0x80108000 and reports memory from 0x80100000 (ATAG_MEM: DRAM at
 * 0x80000000, its first 1 MiB kept for the connectivity subsystem). A generic
 * ARM kernel (CONFIG_AUTO_ZRELADDR) cannot use memory that does not start on
 * a 2 MiB boundary: it hangs before its first console line. This shim runs
 * first: it rounds the start of every ATAG_MEM bank up to the boundary in its
 * header (2 MiB), shrinks the bank's size to match, leaves every other tag
 * and register as LK left them (r0 = 0, r1 = machine type, r2 = the ATAG
 * list) and jumps to the zImage that follows it. A bank smaller than what
 * rounding takes, or an r2 that does not point at ATAG_CORE (a DTB, say), is
 * left alone. Position independent; caches and MMU off, as LK leaves them.
 *
 * Its header (mkbootimg/shim.h reads it; little-endian words):
 *   0x00  b  entry              an ARM branch over the header
 *   0x04  "BKSHIM01"            magic
 *   0x0c  length                where the zImage starts (bytes from 0x00)
 *   0x10  alignment             what bank starts are rounded up to
 */
	.syntax	unified
	.arm
	.text
	.global	_start
_start:
	b	entry
	.ascii	"BKSHIM01"
	.word	zimage - _start
align:	.word	0x00200000

entry:	tst	r2, #3			@ not word aligned, or no list: not ATAGs
	bne	go
	cmp	r2, #0
	beq	go
	mov	r4, r2			@ r4: the tag being looked at
	ldr	r5, [r4, #4]
	ldr	r6, =0x54410001		@ ATAG_CORE must come first
	cmp	r5, r6
	bne	go
	ldr	r6, =0x54410002		@ ATAG_MEM: size (words) 4, tag, bytes, start
	ldr	r7, align
	sub	r7, r7, #1		@ r7: alignment - 1
	mov	r3, #64			@ tags looked at, at most
next:	ldr	r5, [r4]		@ this tag's size in words (ATAG_NONE: 0)
	cmp	r5, #2
	blo	go
	ldr	r8, [r4, #4]
	cmp	r8, r6
	cmpeq	r5, #4
	bne	skip
	ldr	r9, [r4, #8]		@ the bank's size
	ldr	r10, [r4, #12]		@ its start
	adds	r11, r10, r7
	bcs	skip			@ a start at the top of the address space
	bic	r11, r11, r7		@ r11: the start rounded up
	sub	r12, r11, r10		@ r12: the bytes given up
	cmp	r9, r12
	bls	skip			@ nothing would be left of the bank
	sub	r9, r9, r12
	str	r9, [r4, #8]
	str	r11, [r4, #12]
skip:	add	r4, r4, r5, lsl #2
	subs	r3, r3, #1
	bne	next
go:	adr	r4, zimage
	bx	r4
	.ltorg
	.balign	64			@ the zImage starts on a 64-byte boundary
zimage:
