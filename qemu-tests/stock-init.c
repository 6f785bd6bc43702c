/* stock-init.c - stands in for a phone's stock /init on the injection board
 * (qemu-tests/boards/11-inject.board): a static program that says it was
 * reached, as PID 1, and powers the machine off. The real thing would be
 * Android's init; what the board checks is that our init hands over to it. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/reboot.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char msg[128];
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	int n = snprintf(msg, sizeof(msg), "<6>stock-init: reached as pid %d, argv[0]=%s\n",
			 (int)getpid(), argc > 0 ? argv[0] : "?");

	if (fd >= 0 && n > 0 && write(fd, msg, (size_t)n) < 0)
		return 1;
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
