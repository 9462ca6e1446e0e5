// SPDX-License-Identifier: GPL-3.0-or-later
// The kernel's linked structures walked in the dump: lists (struct list_head), hlists and
// red-black trees. Every walk degrades, returning what it could read and why it stopped. Lists: where a node's `next` cannot be read (its page is not in the dump), the walk
// goes on backwards from the head through `prev` until it meets what it has already seen, so
// one unreadable node costs that node, not the rest of the list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "kdive/result.hpp"
#include "kdive/session.hpp"

namespace kdive {

struct ListWalk {
    // The list_heads of the entries in list order (the head itself excluded). After a break,
    // the entries found backwards follow those found forwards, still in list order.
    std::vector<std::uint64_t> nodes;
    // Why the forward walk stopped before coming back to the head, if it did; the nodes found
    // then are still all that could be read, but entries between the break and the first
    // node found backwards are missing.
    std::optional<Error> broken;
    // Whether the backward walk closed the gap: it reached a node the forward walk had found.
    bool gap_closed = false;
    bool complete() const { return !broken || gap_closed; }
};

// Far more than any kernel list holds (PID_MAX_LIMIT is 4M); a longer walk is corruption.
constexpr std::size_t kMaxListNodes = 4'194'304;

// The list whose head (a struct list_head, or an hlist-free circular list of them) is at
// `head`. A list that loops back on itself, or is longer than `max_nodes`, stops with `broken`
// set and what was found before.
ListWalk list_walk(Session& session, std::uint64_t head, std::size_t max_nodes = kMaxListNodes);

// The same as entry addresses: each node minus `member_offset` (container_of).
ListWalk list_entries(Session& session, std::uint64_t head, std::uint64_t member_offset,
                      std::size_t max_nodes = kMaxListNodes);

// An hlist (struct hlist_head: `first`, then each node's `next`, NULL-terminated): the nodes in
// order. An hlist has no way back, so a node whose `next` cannot be read ends the walk with
// `broken` set (the nodes after it are lost).
ListWalk hlist_walk(Session& session, std::uint64_t head, std::size_t max_nodes = kMaxListNodes);

// The nodes of a red-black tree (struct rb_root at `root`) in order, from the leftmost. A node
// that cannot be read loses its subtrees (`broken` says where); the rest are still listed.
ListWalk rbtree_walk(Session& session, std::uint64_t root, std::size_t max_nodes = kMaxListNodes);

}  // namespace kdive
