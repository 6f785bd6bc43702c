/* cmd_bootimg.h - the verbs of the bootimg tool (cmd_bootimg.c dispatches), one file per area. */
#ifndef BOOTKIT_CMD_BOOTIMG_H
#define BOOTKIT_CMD_BOOTIMG_H

int cmd_info(int argc, char **argv);
int cmd_unpack(int argc, char **argv);
int cmd_repack(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_carve(int argc, char **argv);

#endif
