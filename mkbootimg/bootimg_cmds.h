/* bootimg_cmds.h - the verbs of the bootimg tool, one file per area. */
#ifndef BOOTKIT_BOOTIMG_CMDS_H
#define BOOTKIT_BOOTIMG_CMDS_H

int cmd_info(int argc, char **argv);
int cmd_unpack(int argc, char **argv);
int cmd_repack(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_carve(int argc, char **argv);

#endif
