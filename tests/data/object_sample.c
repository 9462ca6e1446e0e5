/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The object layer's unit tests read this program's data through its DWARF (built -no-pie so
 * pointers in .data are final): a circular list threaded through an array as the kernel
 * threads list_heads, bit-fields, nested and anonymous members, arrays of structs, strings,
 * and a struct spanning several pages whose middle page a test excludes. */
struct list_head {
    struct list_head *next, *prev;
};

enum item_kind { KIND_A = 1, KIND_B = 2 };

struct inner {
    short a[4];
};

struct item {
    int id;
    unsigned int flags : 3;
    int delta : 5;
    char name[16];
    struct {
        long x;
        long y;
    };
    struct list_head node;
    const char *label;
    struct inner in[2];
    enum item_kind kind;
    struct item *self;
};

extern struct list_head item_list;

struct item items[3] = {
    {.id = 10, .flags = 5, .delta = -3, .name = "first", .x = 1, .y = -1,
     .node = {&items[1].node, &item_list}, .label = "one", .in = {{{1, 2, 3, 4}}, {{5, 6, 7, 8}}},
     .kind = KIND_A, .self = &items[0]},
    {.id = 20, .flags = 2, .delta = 7, .name = "second", .x = 2, .y = -2,
     .node = {&items[2].node, &items[0].node}, .label = "two", .kind = KIND_B, .self = &items[1]},
    {.id = 30, .flags = 7, .delta = -16, .name = "third", .x = 3, .y = -3,
     .node = {&item_list, &items[1].node}, .label = "three", .kind = KIND_A, .self = &items[2]},
};

struct list_head item_list = {&items[0].node, &items[2].node};

/* Three pages: a test excludes the middle one. */
struct big {
    long head;
    char pad[2 * 4096];
    long tail;
} __attribute__((aligned(4096)));

struct big big_one = {.head = 0x1111, .pad = {1}, .tail = 0x2222};

int main(void) { return items[0].id + big_one.pad[0]; }
