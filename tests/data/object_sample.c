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

/* A list whose nodes each have a page of their own: a test drops some of the pages. */
struct page_node {
    struct list_head node;
    long value;
} __attribute__((aligned(4096)));

extern struct list_head page_list;
struct page_node page_nodes[5] = {
    {{&page_nodes[1].node, &page_list}, 0},
    {{&page_nodes[2].node, &page_nodes[0].node}, 1},
    {{&page_nodes[3].node, &page_nodes[1].node}, 2},
    {{&page_nodes[4].node, &page_nodes[2].node}, 3},
    {{&page_list, &page_nodes[3].node}, 4},
};
struct list_head page_list = {&page_nodes[0].node, &page_nodes[4].node};

/* A red-black tree as the kernel lays it out (colours do not matter to a walk): 40 at the
 * root, 20 (10, 30) left, 60 (50, 70) right; each in a page of its own. */
struct rb_node {
    unsigned long __rb_parent_color;
    struct rb_node *rb_right;
    struct rb_node *rb_left;
} __attribute__((aligned(8)));
struct rb_root {
    struct rb_node *rb_node;
};
struct tree_item {
    struct rb_node rb;
    long key;
} __attribute__((aligned(4096)));

struct tree_item tree_items[7] = {
    {{0, 0, 0}, 10},
    {{0, &tree_items[2].rb, &tree_items[0].rb}, 20},
    {{0, 0, 0}, 30},
    {{0, &tree_items[5].rb, &tree_items[1].rb}, 40},
    {{0, 0, 0}, 50},
    {{0, &tree_items[6].rb, &tree_items[4].rb}, 60},
    {{0, 0, 0}, 70},
};
struct rb_root tree_root = {&tree_items[3].rb};

struct hlist_node {
    struct hlist_node *next, **pprev;
};
struct hlist_head {
    struct hlist_node *first;
};
struct hlist_node hnodes[3] = {{&hnodes[1], 0}, {&hnodes[2], 0}, {0, 0}};
struct hlist_head hhead = {&hnodes[0]};

int main(void) { return items[0].id + big_one.pad[0]; }
