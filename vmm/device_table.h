/*
 * The device table: every device model isv can create, with its options and
 * help text. The command line (--device NAME[,OPTIONS]), --help and README's
 * "Adding a device" all follow it; adding a model is one file under devices/,
 * one entry here (device_table.c) and its tests.
 */
#ifndef ISV_VMM_DEVICE_TABLE_H
#define ISV_VMM_DEVICE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../devices/device.h"

struct config;

/* What a constructor may use and update while the board is put together. */
struct board_ctx {
    struct device_host *host;
    const struct config *cfg;
    unsigned virtio_slot; /* next free virtio-mmio slot */
    unsigned created[16]; /* per table entry: instances so far */
};

struct device_kind {
    const char *name;    /* "virtio-blk": what --device starts with */
    const char *options; /* ",file=PATH[,readonly]" for --help, "" for none */
    const char *help;    /* what it is, one line */
    bool board;          /* always present at its fixed address (not a --device) */
    unsigned max;        /* instances allowed (0: as many as fit) */
    /* Build one from `spec` (the whole --device text, or the name for a board
     * device). NULL with a one-line reason (without the spec) on failure. */
    struct device *(*create)(const char *spec, struct board_ctx *b, char *err, size_t errlen);
    bool console;        /* the VMM's console: flushed before its reports, /chosen/stdout-path */
};

extern const struct device_kind device_table[];
extern const size_t device_table_len;

/* The entry `spec` names (the text before its first comma), or NULL. */
const struct device_kind *device_kind_find(const char *spec);
/* Create a device from a --device spec: "--device SPEC: reason" on failure. */
struct device *device_table_create(const char *spec, struct board_ctx *b, char *err, size_t errlen);
/* The --help lines for the table. */
void device_table_help(FILE *out);

#endif
