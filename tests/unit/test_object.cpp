// SPDX-License-Identifier: GPL-3.0-or-later
// The object layer on a small program compiled here (tests/data/object_sample.c) read through
// a synthetic in-memory target: member paths, bit-fields, anonymous members, strings, list
// walks with container_of, the member-path cache, typed errors, and reads that fault in the
// middle of a struct (an excluded page) while the members around it stay readable.
#include <catch2/catch.hpp>


#include "kdive/list_walk.hpp"
#include "kdive/object.hpp"
#include "support/sample_session.hpp"

using namespace kdive;

namespace {

testing::SampleSession& sample() {
    static std::unique_ptr<testing::SampleSession> s = [] {
        std::string error;
        auto session = testing::compile_sample(KDIVE_TEST_DATA "/object_sample.c", "", "object", error);
        if (!session) FAIL(error);
        return session;
    }();
    return *s;
}

Object item(int i) {
    auto items = Object::variable(sample(), "items");
    REQUIRE(items);
    auto it = items->index(i);
    REQUIRE(it);
    return *it;
}

std::uint64_t u64(const Result<Object>& o) {
    REQUIRE(o);
    auto v = o->to_u64();
    if (!v) FAIL(v.error().message());
    return *v;
}

}  // namespace

TEST_CASE("objects read members by path, through anonymous members and arrays", "[object]") {
    const Object first = item(0), second = item(1);
    CHECK(u64(second.member("id")) == 20);
    CHECK(u64(first.member("flags")) == 5);  // unsigned bit-field
    auto delta = first.member("delta");
    REQUIRE(delta);
    CHECK(delta->to_s64().value_or(0) == -3);  // signed bit-field, sign-extended
    CHECK(item(2).member("delta")->to_s64().value_or(0) == -16);
    CHECK(static_cast<std::int64_t>(u64(first.member("y"))) == -1);  // in an anonymous struct
    CHECK(u64(first.member("in[1].a[2]")) == 7);
    CHECK(u64(first.member("kind")) == 1);
    CHECK(first.member("name")->c_string().value_or("") == "first");
    CHECK(second.member("label")->c_string().value_or("") == "two");  // through the pointer
    // `->` in a path reads the pointer; a pointer to a struct is followed by member() itself.
    CHECK(u64(second.member("self->id")) == 20);
    CHECK(u64(second.member("self")->member("node.next->prev->next->prev")) ==
          second.member("node")->address());
    auto addr = second.address_of();
    REQUIRE(addr);
    CHECK(addr->pointer().value_or(0) == second.address());
    CHECK(u64(addr->member("id")) == 20);
}

TEST_CASE("a list walk with container_of resolves each member path once", "[object]") {
    auto head = Object::variable(sample(), "item_list");
    REQUIRE(head);
    auto walk = [&] {
        std::vector<std::uint64_t> ids;
        auto next = head->member("next")->pointer();
        while (next && *next != head->address() && ids.size() < 10) {
            auto node = Object::at(sample(), head->type(), *next);
            auto it = node.container_of("struct item", "node");
            REQUIRE(it);
            ids.push_back(u64(it->member("id")));
            next = node.member("next").and_then([](const Object& o) { return o.pointer(); });
        }
        REQUIRE(next);
        return ids;
    };
    CHECK(walk() == std::vector<std::uint64_t>{10, 20, 30});
    const MemberPathStats before = member_path_stats(sample());
    CHECK(walk() == std::vector<std::uint64_t>{10, 20, 30});
    const MemberPathStats after = member_path_stats(sample());
    CHECK(after.resolved == before.resolved);  // nothing resolved again
    CHECK(after.reused > before.reused);
}

TEST_CASE("objects read only their own bytes", "[object]") {
    auto big = Object::variable(sample(), "big_one");
    REQUIRE(big);
    const std::size_t reads = sample().sample_target().reads();
    auto tail = big->member("tail");
    REQUIRE(tail);
    CHECK(sample().sample_target().reads() == reads);  // a member is a place, not a read
    CHECK(u64(tail) == 0x2222);
    CHECK(sample().sample_target().reads() == reads + 1);
}

TEST_CASE("a fault in the middle of a struct leaves the members around it readable", "[object]") {
    auto big = Object::variable(sample(), "big_one");
    REQUIRE(big);
    const std::uint64_t middle = big->address() + 4096;
    sample().sample_target().exclude(middle, middle + 4096);
    CHECK(u64(big->member("head")) == 0x1111);
    CHECK(u64(big->member("tail")) == 0x2222);
    CHECK(u64(big->member("pad[0]")) == 1);
    auto whole = big->bytes();
    REQUIRE_FALSE(whole);
    CHECK(whole.error().kind == ErrorKind::Fault);
    CHECK(whole.error().fault == FaultReason::Excluded);
    CHECK(whole.error().address == middle);
    auto inside = big->member("pad[5000]");
    REQUIRE(inside);
    auto v = inside->to_u64();
    REQUIRE_FALSE(v);
    CHECK(v.error().address == big->address() + 8 + 5000);
}

TEST_CASE("object errors say what kind they are", "[object]") {
    const Object first = item(0);
    auto missing = first.member("no_such_member");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == ErrorKind::Lookup);
    CHECK(missing.error().what == "struct item has no member named 'no_such_member'");
    auto not_struct = first.member("id.x");
    REQUIRE_FALSE(not_struct);
    CHECK(not_struct.error().kind == ErrorKind::Type);
    CHECK_FALSE(first.member("in[2]"));  // past the end of in[2]
    CHECK_FALSE(first.member("in[x]"));
    CHECK_FALSE(first.member(""));
    CHECK_FALSE(first.member("name."));
    auto deref = first.member("id")->deref();
    REQUIRE_FALSE(deref);
    CHECK(deref.error().kind == ErrorKind::Type);
    CHECK_FALSE(first.to_u64());  // a struct is not a number
    CHECK_FALSE(Object::variable(sample(), "no_such_variable"));
    // A pointer into nowhere faults when read, with the address.
    auto wild = Object::at(sample(), first.type(), 0x10).member("id").and_then([](const Object& o) { return o.to_u64(); });
    REQUIRE_FALSE(wild);
    CHECK(wild.error().kind == ErrorKind::Fault);
    CHECK(wild.error().address == 0x10);
}

TEST_CASE("casts, rvalues and the evaluator agree with the object layer", "[object]") {
    const Object first = item(0);
    auto c = first.member("delta")->cast("unsigned int");
    REQUIRE(c);
    CHECK(c->to_u64().value_or(0) == 0xfffffffd);
    auto bytes = first.bytes();
    REQUIRE(bytes);
    const Object copy = Object::from_bytes(sample(), first.type(), *bytes);
    CHECK(u64(copy.member("in[0].a[3]")) == 4);
    CHECK(copy.member("delta")->to_s64().value_or(0) == -3);  // bit-field of an rvalue
    CHECK_FALSE(copy.address_of());
    auto e = evaluate(sample(), "items[2].self->in[0].a[0] + ((struct item *)&items[1])->id");
    REQUIRE(e);
    CHECK(e->to_u64().value_or(0) == 20);
    auto lst = evaluate(sample(), "item_list.next->next->prev == &items[0].node");
    REQUIRE(lst);
    CHECK(lst->to_u64().value_or(0) == 1);
}

TEST_CASE("a list walk reads around nodes whose pages are not in the dump", "[object][list]") {
    auto head = Object::variable(sample(), "page_list");
    auto nodes = Object::variable(sample(), "page_nodes");
    REQUIRE(head);
    REQUIRE(nodes);
    auto node = [&](int i) { return nodes->index(i)->address(); };
    const ListWalk whole = list_walk(sample(), head->address());
    CHECK(whole.nodes == std::vector<std::uint64_t>{node(0), node(1), node(2), node(3), node(4)});
    CHECK_FALSE(whole.broken);

    // Node 1's page is gone: its neighbours still name it, and the walk comes round from the
    // other side, so every node is found.
    sample().sample_target().exclude(node(1), node(1) + 4096);
    const ListWalk one = list_walk(sample(), head->address());
    CHECK(one.nodes == whole.nodes);
    REQUIRE(one.broken);
    CHECK(one.broken->fault == FaultReason::Excluded);
    CHECK(one.gap_closed);
    CHECK(one.complete());

    // Nodes 1 to 3 gone: node 2 is named by no readable node; the others are found.
    sample().sample_target().exclude(node(2), node(4));
    const ListWalk three = list_walk(sample(), head->address());
    CHECK(three.nodes == std::vector<std::uint64_t>{node(0), node(1), node(3), node(4)});
    CHECK_FALSE(three.gap_closed);
    CHECK_FALSE(three.complete());
    const ListWalk entries = list_entries(sample(), head->address(), 0);
    CHECK(entries.nodes == three.nodes);
}

TEST_CASE("hlists and red-black trees are walked in order, and degrade", "[object][list]") {
    auto hhead = Object::variable(sample(), "hhead");
    auto hnodes = Object::variable(sample(), "hnodes");
    REQUIRE(hhead);
    REQUIRE(hnodes);
    const ListWalk h = hlist_walk(sample(), hhead->address());
    CHECK(h.nodes == std::vector<std::uint64_t>{hnodes->index(0)->address(), hnodes->index(1)->address(),
                                                hnodes->index(2)->address()});
    CHECK_FALSE(h.broken);

    auto root = Object::variable(sample(), "tree_root");
    auto items = Object::variable(sample(), "tree_items");
    REQUIRE(root);
    REQUIRE(items);
    auto keys = [&](const ListWalk& w) {
        std::vector<std::uint64_t> k;
        for (std::uint64_t n : w.nodes)
            k.push_back(u64(Object::at(sample(), items->index(0)->type(), n).member("key")));
        return k;
    };
    const ListWalk t = rbtree_walk(sample(), root->address());
    CHECK(keys(t) == std::vector<std::uint64_t>{10, 20, 30, 40, 50, 60, 70});
    CHECK_FALSE(t.broken);
    // 20's page gone: its children 10 and 30 cannot be reached; 20 itself is still named by 40.
    const std::uint64_t twenty = items->index(1)->address();
    sample().sample_target().exclude(twenty, twenty + 4096);
    const ListWalk cut = rbtree_walk(sample(), root->address());
    CHECK(cut.nodes.size() == 5);
    CHECK(cut.nodes.front() == twenty);
    REQUIRE(cut.broken);
    CHECK(cut.broken->address == twenty + 16);  // its rb_left
}
