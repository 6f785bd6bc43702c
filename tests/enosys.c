/* enosys - run a program as if on Linux 3.0: every system call added later
 * answers ENOSYS (a seccomp filter), so the fallbacks the probe and the
 * minimal init keep for the phones' 3.0-3.10 kernels are what runs.
 *
 *   enosys PROGRAM [ARG]...
 *
 * A test helper, not a tool (tests/sh/t-oldkernel.sh; QEMU board 27 starts
 * the boot under it: rdinit=/sbin/enosys -- /init). The numbers are the last
 * system call of Linux 3.0's tables; an unsigned "greater than" covers every
 * later one, the ones to come included:
 *   x86-64  308 setns (unistd_64.h); x32 numbers (bit 30 set) too: x32 came
 *           in 3.4. i386 (int 0x80 from a 64-bit process): 346 setns.
 *   ARM     375 setns (EABI unistd.h); of the ARM-private calls at 0x0f0000,
 *           0x0f0001-0x0f0005 (breakpoint, cacheflush, usr26, usr32, set_tls)
 *           are 3.0's, get_tls (0x0f0006) came in 4.15.
 * qemu-user refuses a guest's seccomp filter, so the ARM filter is tried under
 * qemu-system with a real ARM kernel.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LAST_X86_64 308u
#define LAST_I386   346u
#define LAST_ARM    375u
#define ARM_PRIVATE 0x0f0000u
#define ARM_SET_TLS 0x0f0005u

#define LD(field)    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JGT(k, t, f) BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (k), (t), (f))
#define RET(k)	     BPF_STMT(BPF_RET | BPF_K, (k))
#define ALLOW	     RET(SECCOMP_RET_ALLOW)
#define NOSYS	     RET(SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA))

int main(int argc, char **argv)
{
	/* jumps count the instructions they skip */
	static struct sock_filter f[] = {
	    LD(arch),
	    JEQ(AUDIT_ARCH_X86_64, 3, 0),
	    JEQ(AUDIT_ARCH_I386, 6, 0),
	    JEQ(AUDIT_ARCH_ARM, 9, 0),
	    ALLOW, /* another architecture: not ours to judge */
	    /* x86-64 (x32 numbers, bit 30, are above 308 too) */
	    LD(nr),
	    JGT(LAST_X86_64, 0, 1),
	    NOSYS,
	    ALLOW,
	    /* i386 */
	    LD(nr),
	    JGT(LAST_I386, 0, 1),
	    NOSYS,
	    ALLOW,
	    /* ARM EABI */
	    LD(nr),
	    JGT(ARM_SET_TLS, 2, 0), /* past set_tls: a newer private call or none */
	    JGT(LAST_ARM, 0, 2),
	    JGT(ARM_PRIVATE, 1, 0), /* 0x0f0001-0x0f0005: 3.0's private calls */
	    NOSYS,
	    ALLOW,
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};

	if (argc < 2) {
		fputs("usage: enosys PROGRAM [ARG]...\n", stderr);
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
		fprintf(stderr, "enosys: seccomp filter: %s\n", strerror(errno));
		return 1;
	}
	/* said, and checked: a call 3.0 lacks fails, one it has works */
	char b;
	if (syscall(SYS_getrandom, &b, 1, 0) != -1 || errno != ENOSYS || syscall(SYS_getppid) < 0) {
		fputs("enosys: the filter does not hold (getrandom answered)\n", stderr);
		return 1;
	}
	fputs("enosys: Linux 3.0's system calls only (getrandom: ENOSYS)\n", stderr);
	execv(argv[1], argv + 1);
	fprintf(stderr, "enosys: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
