// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin that counts guest instructions per translation block and writes the
 * counts out at markers the guest executes: `scripts/profile.sh` uses it to show where a
 * transfer's guest instructions go (which kernel functions, per transfer), for issue #16's
 * "find the cost with numbers".
 *
 * The marker is an unallocated hint instruction (a NOP to the CPU):
 *   AArch64 `hint #127` (0xd5032fff), A32 `hint #255` (0xe320f0ff), T32 `hint.w #255`
 *   (0xf3af 0x80ff).
 * Each time a marker runs, the counts since the previous marker are written to
 * OUT.N (N = 0, 1, ...) as lines "pc insns executions" and the counters restart.
 *
 * Arguments: out=PATH (prefix of the dump files).
 */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

typedef struct {
    uint64_t pc;
    uint64_t insns;
    struct qemu_plugin_scoreboard *count;
} Block;

static GMutex lock;
static GHashTable *blocks;
static const char *out = "insn-profile";
static unsigned int dumps;

static guint block_hash(gconstpointer v)
{
    const Block *b = v;
    return (guint)(b->pc ^ (b->pc >> 32) ^ b->insns);
}

static gboolean block_equal(gconstpointer a, gconstpointer b)
{
    const Block *x = a, *y = b;
    return x->pc == y->pc && x->insns == y->insns;
}

static void dump_one(gpointer key, gpointer value, gpointer user)
{
    Block *b = value;
    FILE *f = user;
    qemu_plugin_u64 c = qemu_plugin_scoreboard_u64(b->count);
    uint64_t n = qemu_plugin_u64_sum(c);
    if (n) {
        fprintf(f, "%" PRIx64 " %" PRIu64 " %" PRIu64 "\n", b->pc, b->insns, n);
    }
    for (int i = 0; i < qemu_plugin_num_vcpus(); i++) {
        qemu_plugin_u64_set(c, i, 0);
    }
}

static void dump(void)
{
    g_mutex_lock(&lock);
    g_autofree char *path = g_strdup_printf("%s.%u", out, dumps++);
    FILE *f = fopen(path, "w");
    if (f) {
        g_hash_table_foreach(blocks, dump_one, f);
        fclose(f);
    }
    g_mutex_unlock(&lock);
}

static void marker(unsigned int vcpu, void *udata)
{
    dump();
}

static bool is_marker(struct qemu_plugin_insn *insn)
{
    uint8_t d[4];
    if (qemu_plugin_insn_size(insn) != 4 || qemu_plugin_insn_data(insn, d, 4) != 4) {
        return false;
    }
    uint32_t le = d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24;
    /* AArch64, A32, and T32 (two little-endian halfwords). */
    return le == 0xd5032fff || le == 0xe320f0ff || le == 0x80fff3af;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    Block key = { .pc = qemu_plugin_tb_vaddr(tb), .insns = qemu_plugin_tb_n_insns(tb) };
    g_mutex_lock(&lock);
    Block *b = g_hash_table_lookup(blocks, &key);
    if (!b) {
        b = g_new0(Block, 1);
        *b = key;
        b->count = qemu_plugin_scoreboard_new(sizeof(uint64_t));
        g_hash_table_insert(blocks, b, b);
    }
    g_mutex_unlock(&lock);
    qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(
        tb, QEMU_PLUGIN_INLINE_ADD_U64, qemu_plugin_scoreboard_u64(b->count), 1);
    for (size_t i = 0; i < key.insns; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        if (is_marker(insn)) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, marker, QEMU_PLUGIN_CB_NO_REGS, NULL);
        }
    }
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
    dump();
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0) {
            out = g_strdup(argv[i] + 4);
        } else {
            fprintf(stderr, "insn-profile: unknown argument %s\n", argv[i]);
            return -1;
        }
    }
    blocks = g_hash_table_new(block_hash, block_equal);
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
