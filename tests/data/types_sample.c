/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Type shapes the DWARF reader must get right, compiled with -g by the unit tests and checked
 * against pahole reading the same binary. */
#include <stddef.h>

typedef unsigned long my_ulong;
typedef my_ulong my_ulong2;

enum signed_enum { NEG_TWO = -2, ZERO = 0, BIG = 0x7fffffff };
enum { ANON_CONST = 42 };

struct bits {
    unsigned int a : 3;
    unsigned int b : 5;
    signed int c : 7;
    unsigned long long d : 40;
    unsigned char e;
};

struct inner {
    int x;
    char name[12];
};

struct outer {
    struct inner in;
    union {
        long l;
        struct {
            short lo;
            short hi;
        };
    };
    struct inner many[3][2];
    void (*callback)(struct outer *, int, ...);
    const char *const label;
    volatile my_ulong2 counter;
    enum signed_enum e;
    struct outer *next;
    int flex[];
};

struct bits sample_bits = {5, 17, -9, 0x123456789aULL, 200};
struct outer sample_outer = {.in = {7, "hello"}, .l = 0x1234, .label = "lbl", .counter = 99, .e = NEG_TWO};
int anon_user = ANON_CONST;

int main(void) { return (int)sizeof(struct outer) + sample_bits.a + anon_user; }
