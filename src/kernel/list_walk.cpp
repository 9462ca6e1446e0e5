// SPDX-License-Identifier: GPL-3.0-or-later
#include "kdive/list_walk.hpp"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "kdive/object.hpp"

namespace kdive {

namespace {

struct Links {
    std::uint64_t next = 0, prev = 8;  // offsets in struct list_head
};

Links links(Session& s) {
    Links l;
    if (auto n = member_offset(s, "struct list_head", "next")) l.next = *n;
    if (auto p = member_offset(s, "struct list_head", "prev")) l.prev = *p;
    return l;
}

Result<std::uint64_t> word(Session& s, std::uint64_t addr) {
    return s.target().read_value<std::uint64_t>(AddressSpace::KernelVirtual, addr);
}

}  // namespace

ListWalk list_walk(Session& s, std::uint64_t head, std::size_t max_nodes) {
    const Links l = links(s);
    ListWalk w;
    std::unordered_set<std::uint64_t> seen;
    auto next = word(s, head + l.next);
    while (next && *next != head) {
        if (w.nodes.size() >= max_nodes) {
            w.broken = fail(fmt::format("the list does not end after {} entries", max_nodes),
                            hex_address(head)).error;
            return w;
        }
        if (!seen.insert(*next).second) {
            w.broken = fail("the list loops back on itself", hex_address(*next)).error;
            return w;
        }
        w.nodes.push_back(*next);
        next = word(s, *next + l.next);
    }
    if (next) return w;
    w.broken = next.error();
    // Backwards from the head until a node the forward walk found: the entries after the
    // unreadable one, in reverse.
    std::vector<std::uint64_t> back;
    auto prev = word(s, head + l.prev);
    while (prev && *prev != head && back.size() + w.nodes.size() < max_nodes) {
        if (seen.contains(*prev)) {
            w.gap_closed = true;
            break;
        }
        seen.insert(*prev);
        back.push_back(*prev);
        prev = word(s, *prev + l.prev);
    }
    if (prev && *prev == head) w.gap_closed = true;  // every node was reached one way or the other
    w.nodes.insert(w.nodes.end(), back.rbegin(), back.rend());
    return w;
}

ListWalk list_entries(Session& s, std::uint64_t head, std::uint64_t member_offset,
                      std::size_t max_nodes) {
    ListWalk w = list_walk(s, head, max_nodes);
    for (auto& n : w.nodes) n -= member_offset;
    return w;
}

ListWalk hlist_walk(Session& s, std::uint64_t head, std::size_t max_nodes) {
    ListWalk w;
    const std::uint64_t first = member_offset(s, "struct hlist_head", "first").value_or(0);
    const std::uint64_t next_off = member_offset(s, "struct hlist_node", "next").value_or(0);
    std::unordered_set<std::uint64_t> seen;
    auto next = word(s, head + first);
    while (next && *next) {
        if (w.nodes.size() >= max_nodes || !seen.insert(*next).second) {
            w.broken = fail("the hlist loops back on itself or does not end", hex_address(*next)).error;
            return w;
        }
        w.nodes.push_back(*next);
        next = word(s, *next + next_off);
    }
    if (!next) w.broken = next.error();
    return w;
}

ListWalk rbtree_walk(Session& s, std::uint64_t root, std::size_t max_nodes) {
    ListWalk w;
    const std::uint64_t node_off = member_offset(s, "struct rb_root", "rb_node").value_or(0);
    const std::uint64_t left_off = member_offset(s, "struct rb_node", "rb_left").value_or(16);
    const std::uint64_t right_off = member_offset(s, "struct rb_node", "rb_right").value_or(8);
    auto top = word(s, root + node_off);
    if (!top) {
        w.broken = top.error();
        return w;
    }
    // In order with an explicit stack: a corrupt tree cannot overflow ours, and a node met
    // twice (a cycle) stops the walk.
    std::unordered_set<std::uint64_t> seen;
    std::vector<std::uint64_t> stack;
    std::uint64_t cur = *top;
    const auto lost = [&](const Error& e) {
        if (!w.broken) w.broken = e;
    };
    while (cur || !stack.empty()) {
        while (cur) {
            if (!seen.insert(cur).second || seen.size() > max_nodes) {
                lost(fail("the tree loops back on itself or is too large", hex_address(cur)).error);
                return w;
            }
            stack.push_back(cur);
            auto left = word(s, cur + left_off);
            if (!left) {
                lost(left.error());  // its left subtree is lost; the node itself is known
                break;
            }
            cur = *left;
        }
        cur = stack.back();
        stack.pop_back();
        w.nodes.push_back(cur);
        auto right = word(s, cur + right_off);
        if (!right) {
            lost(right.error());
            cur = 0;
            continue;
        }
        cur = *right;
    }
    return w;
}

}  // namespace kdive
