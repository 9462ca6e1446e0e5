// SPDX-License-Identifier: GPL-3.0-or-later
// Output: the same calls rendered as crash-style text and as JSON lines.
#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>

#include "kdive/output.hpp"

namespace {

// Collects what an Output writes.
class Capture {
public:
    Capture() : f_(open_memstream(&buf_, &len_)) {}
    ~Capture() {
        if (f_) std::fclose(f_);
        std::free(buf_);
    }
    std::FILE* file() { return f_; }
    std::string text() {
        std::fflush(f_);
        return std::string(buf_, len_);
    }

private:
    char* buf_ = nullptr;
    std::size_t len_ = 0;
    std::FILE* f_;
};

void sample(kdive::Output& out) {
    kdive::Record r;
    r.field("KERNEL", "/v").field("KASLR OFFSET", kdive::Hex{0x3000000}, "0x3000000 (VMCOREINFO)");
    r.json_only("kaslr_source", "VMCOREINFO").field("CPUS", 2).field("PANIC", nullptr);
    out.record(r);
    out.begin_table({{"pid", "PID", 5}, {"comm", "COMM", 8, true}, {"on", "ON", 0, true}});
    out.row({1, "init", true});
    out.row({-1, "a \"q\"", kdive::Value()});
    out.print("free {}\ntext", 1);
    out.finish();
}

}  // namespace

TEST_CASE("text: records as right-aligned labels, tables with headers", "[repl][output]") {
    Capture c;
    kdive::Output out(c.file());
    sample(out);
    CHECK(c.text() ==
          "      KERNEL: /v\n"
          "KASLR OFFSET: 0x3000000 (VMCOREINFO)\n"
          "        CPUS: 2\n"
          "       PANIC: -\n"
          "  PID COMM     ON\n"
          "    1 init     yes\n"
          "   -1 a \"q\"    -\n"
          "free 1\ntext");
}

TEST_CASE("json: one object per record and row, text lines wrapped", "[repl][output]") {
    Capture c;
    kdive::Output out(c.file(), kdive::Output::Format::Json);
    sample(out);
    CHECK(c.text() ==
          "{\"kernel\":\"/v\",\"kaslr_offset\":\"0x3000000\",\"kaslr_source\":\"VMCOREINFO\","
          "\"cpus\":2,\"panic\":null}\n"
          "{\"pid\":1,\"comm\":\"init\",\"on\":true}\n"
          "{\"pid\":-1,\"comm\":\"a \\\"q\\\"\",\"on\":null}\n"
          "{\"text\":\"free 1\"}\n"
          "{\"text\":\"text\"}\n");
}

TEST_CASE("json strings escape what JSON requires", "[repl][output]") {
    CHECK(kdive::json_quote("a\\b\"c\td\x01") == "\"a\\\\b\\\"c\\td\\u0001\"");
    // UTF-8 passes through; bytes that are not UTF-8 (a binary tag) become \u00XX.
    CHECK(kdive::json_quote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
    CHECK(kdive::json_quote("\xab\xcd\xc3") == "\"\\u00ab\\u00cd\\u00c3\"");
    CHECK(kdive::json_quote("\xed\xa0\x80") == "\"\\u00ed\\u00a0\\u0080\"");  // a surrogate
    CHECK(kdive::Value(std::uint64_t{18446744073709551615ull}).json() == "18446744073709551615");
    CHECK(kdive::Value(kdive::Hex{0xffffffff81000000}).json() == "\"0xffffffff81000000\"");
}
