// SPDX-License-Identifier: GPL-3.0-or-later
// bpf: the eBPF programs and maps of the dumped kernel — crash's command (same columns and
// detail lines), plus the contents of array, hash and per-CPU maps (typed by the map's BTF when
// it has one) and ring-buffer positions.
#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>
#include <memory>

#include <capstone/capstone.h>
#include <fmt/format.h>

#include "kdive/bpf.hpp"
#include "kdive/bpf_insn.hpp"
#include "kdive/btf.hpp"
#include "kdive/command.hpp"
#include "kdive/interrupt.hpp"
#include "kdive/modules.hpp"
#include "kdive/object.hpp"
#include "kdive/symbolizer.hpp"
#include "kdive/type.hpp"

namespace kdive {
namespace {

// crash's mkstring(CENTER|LJUST): the extra blank goes to the right.
std::string center(std::string_view s, std::size_t width) {
    if (s.size() >= width) return std::string(s);
    const std::size_t pad = width - s.size();
    return std::string(pad / 2, ' ') + std::string(s) + std::string(pad - pad / 2, ' ');
}

std::string hex_string(std::span<const std::byte> b) {
    std::string s;
    for (auto c : b) s += fmt::format("{:02x}", static_cast<unsigned>(c));
    return s;
}

// Names for addresses in JITed code: the session's symbolizer (BPF programs as kallsyms calls
// them, the vmlinux, modules) and the maps the verifier put in place of file descriptors.
class AddressNames {
public:
    AddressNames(Session& s, const std::vector<BpfMap>& maps) : maps_(maps) {
        if (auto sym = symbolizer(s)) names_ = *sym;
    }

    std::optional<std::string> name(std::uint64_t a) const {
        for (const auto& m : maps_)
            if (a == m.map) return fmt::format("map[id:{}]", m.id);
        if (!names_) return std::nullopt;
        auto h = names_->jited(a);
        if (!h || h->name.empty()) return std::nullopt;
        return h->offset ? fmt::format("{}+{}", h->name, h->offset) : std::string(h->name);
    }

private:
    const std::vector<BpfMap>& maps_;
    const Symbolizer* names_ = nullptr;
};

// capstone's handle and one instruction buffer, released with it.
class Disassembler {
public:
    Disassembler() {
        if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle_) != CS_ERR_OK) return;
        open_ = true;
        cs_option(handle_, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);  // what crash (gdb) shows
        insn_.reset(cs_malloc(handle_));
    }
    ~Disassembler() {
        insn_.reset();
        if (open_) cs_close(&handle_);
    }
    Disassembler(const Disassembler&) = delete;
    Disassembler& operator=(const Disassembler&) = delete;

    bool ok() const { return open_ && insn_; }
    // The next instruction at `code`; nullptr where capstone cannot decode.
    const cs_insn* next(const std::uint8_t*& code, std::size_t& size, std::uint64_t& addr) {
        return cs_disasm_iter(handle_, &code, &size, &addr, insn_.get()) ? insn_.get() : nullptr;
    }

private:
    struct Free {
        void operator()(cs_insn* i) const { cs_free(i, 1); }
    };
    csh handle_ = 0;
    bool open_ = false;
    std::unique_ptr<cs_insn, Free> insn_;
};

class BpfCommand final : public Command {
public:
    const CommandSpec& spec() const override {
        static const CommandSpec s{
            .name = "bpf",
            .summary = "eBPF programs and maps",
            .description =
                "Without options, lists every loaded eBPF program (ID, struct bpf_prog, struct\n"
                "bpf_prog_aux, type, tag and the IDs of the maps it uses) and every map (ID,\n"
                "struct bpf_map, type, flags), from the kernel's prog_idr and map_idr, as crash\n"
                "does. -p ID adds a program's details (sizes, load time, name, uid, BTF and\n"
                "attach information); -t its translated instructions in the kernel's own syntax\n"
                "(bpftool prog dump xlated), with helper and kernel function names and map IDs;\n"
                "-T the same with each instruction's bytes; -j its JITed x86-64 code with call\n"
                "targets named; -s its struct bpf_prog and bpf_prog_aux. -m ID shows a map's\n"
                "details and what the dump holds of it: the keys and values of array, hash and\n"
                "their per-CPU and LRU variants (hex bytes in memory order, as bpftool map dump\n"
                "prints them), or a ring buffer's consumer and producer positions; when the map\n"
                "has BTF, each key and value follows typed, as p prints it (-x/-d: integers in\n"
                "hex or decimal, here and with -s). -P and -M do the same for every program or map.",
            .options = with_radix_options({
                {.short_name = "p", .argument = "ID", .help = "one program's details", .kind = ValueKind::Number},
                {.short_name = "m", .argument = "ID", .help = "one map's details and contents", .kind = ValueKind::Number},
                {.short_name = "P", .help = "every program's details"},
                {.short_name = "M", .help = "every map's details and contents"},
                {.short_name = "t", .help = "translated eBPF instructions (with -p or -P)"},
                {.short_name = "T", .help = "translated instructions with their bytes (with -p or -P)"},
                {.short_name = "j", .help = "disassembled JITed code (with -p or -P)"},
                {.short_name = "s", .help = "the struct bpf_prog and bpf_prog_aux, or struct bpf_map"}
            }),
            .examples = {{.text = "Every program and map:", .command = "bpf"},
                         {.text = "A program's translated instructions:", .command = "bpf -p 1 -t"},
                         {.text = "A map's keys and values:", .command = "bpf -m 1"}},
        };
        return s;
    }

    Result<void> run(Session& session, const Arguments& args, Output& out) override {
        const bool prog_verbose = args.has("P"), map_verbose = args.has("M");
        const bool want_prog = args.has("p") || prog_verbose, want_map = args.has("m") || map_verbose;
        const bool xlated = args.has("t") || args.has("T"), jited = args.has("j"), structs = args.has("s");
        if ((xlated || jited) && !want_prog) return fail("-t, -T and -j need -p or -P");
        if (structs && !want_prog && !want_map) return fail("-s needs -p, -P, -m or -M");

        const std::optional<std::uint64_t> prog_id = args.number("p"), map_id = args.number("m");
        auto progs = bpf_programs(session);
        if (!progs) return progs.failure();
        auto maps = bpf_maps(session);
        if (!maps) return maps.failure();
        if (prog_id && std::none_of(progs->begin(), progs->end(), [&](const BpfProg& p) { return p.id == *prog_id; }))
            return fail(fmt::format("invalid program ID: {}", *prog_id));
        if (map_id && std::none_of(maps->begin(), maps->end(), [&](const BpfMap& m) { return m.id == *map_id; }))
            return fail(fmt::format("invalid map ID: {}", *map_id));

        Ctx ctx{session, out, *progs, *maps, bpf_type_widths(session)};
        ctx.radix = static_cast<int>(args.radix(out.radix()));
        const bool do_progs = want_prog || !want_map;
        const bool do_maps = want_map || !want_prog;

        if (do_progs) {
            int shown = 0;
            if (out.json()) begin_prog_table(out);
            for (const auto& p : *progs) {
                if (auto r = check_interrupted(); !r) return r;
                if (!prog_verbose && prog_id && p.id != *prog_id) continue;
                if (!out.json()) {
                    if (shown && prog_verbose) out.print("\n{}\n", prog_header(ctx));
                    if (shown == 0) out.print("{}\n", prog_header(ctx));
                }
                ++shown;
                prog_row(ctx, p);
                if (!want_prog) continue;
                if (auto r = prog_details(ctx, p); !r) return r;
                if (jited)
                    if (auto r = jit_listing(ctx, p); !r) return r;
                if (xlated)
                    if (auto r = xlated_listing(ctx, p, args.has("T")); !r) return r;
                if (structs) {
                    if (auto r = dump_struct(ctx, "struct bpf_prog", p.prog); !r) return r;
                    if (auto r = dump_struct(ctx, "struct bpf_prog_aux", p.aux); !r) return r;
                }
                if (out.json() && prog_verbose) begin_prog_table(out);
            }
            if (do_maps && !out.json()) out.print("\n");
        }
        if (do_maps) {
            int shown = 0;
            if (out.json()) begin_map_table(out);
            for (const auto& m : *maps) {
                if (auto r = check_interrupted(); !r) return r;
                if (!map_verbose && map_id && m.id != *map_id) continue;
                if (!out.json()) {
                    if (shown && map_verbose) out.print("\n{}\n", map_header(ctx));
                    if (shown == 0) out.print("{}\n", map_header(ctx));
                }
                ++shown;
                map_row(ctx, m);
                if (!want_map) continue;
                map_details(ctx, m);
                if (structs)
                    if (auto r = dump_struct(ctx, "struct bpf_map", m.map); !r) return r;
                if (auto r = map_contents(ctx, m); !r) return r;
                if (out.json() && map_verbose) begin_map_table(out);
            }
        }
        return {};
    }

private:
    struct Ctx {
        Session& s;
        Output& out;
        const std::vector<BpfProg>& progs;
        const std::vector<BpfMap>& maps;
        BpfTypeWidths widths;
        int radix = 10;
    };

    static std::string prog_header(const Ctx& c) {
        return fmt::format("{} {} {} {}       TAG        USED_MAPS", center("ID", 4), center("BPF_PROG", 16),
                           center("BPF_PROG_AUX", 16), center("BPF_PROG_TYPE", c.widths.prog));
    }
    static std::string map_header(const Ctx& c) {
        return fmt::format("{} {} {} MAP_FLAGS", center("ID", 4), center("BPF_MAP", 16),
                           center("BPF_MAP_TYPE", c.widths.map));
    }

    static void begin_prog_table(Output& out) {
        out.begin_table({{"id", "ID"}, {"bpf_prog", "BPF_PROG"}, {"bpf_prog_aux", "BPF_PROG_AUX"},
                         {"type", "BPF_PROG_TYPE"}, {"tag", "TAG"}, {"used_maps", "USED_MAPS"}});
    }
    static void begin_map_table(Output& out) {
        out.begin_table({{"id", "ID"}, {"bpf_map", "BPF_MAP"}, {"type", "BPF_MAP_TYPE"}, {"map_flags", "MAP_FLAGS"}});
    }

    // The IDs of the maps a program uses, as crash shows them: "2,3".
    static std::string used_map_ids(const Ctx& c, const BpfProg& p) {
        std::string s;
        for (std::uint64_t addr : p.used_maps)
            for (const auto& m : c.maps)
                if (m.map == addr) s += fmt::format("{}{}", s.empty() ? "" : ",", m.id);
        return s;
    }

    static void prog_row(const Ctx& c, const BpfProg& p) {
        const std::string used = used_map_ids(c, p);
        if (c.out.json()) {
            c.out.row({p.id, Hex{p.prog}, Hex{p.aux}, p.type_name, p.tag_hex(), used});
            return;
        }
        c.out.print("{} {:016x} {:016x} {} {} {} \n", center(std::to_string(p.id), 4), p.prog, p.aux,
                    center(p.type_name, c.widths.prog), p.tag_hex(), center(used, 9));
    }

    static void map_row(const Ctx& c, const BpfMap& m) {
        if (c.out.json()) {
            c.out.row({m.id, Hex{m.map}, m.type_name, Hex{m.map_flags}});
            return;
        }
        c.out.print("{} {:016x} {}  {:08x} \n", center(std::to_string(m.id), 4), m.map,
                    center(m.type_name, c.widths.map), m.map_flags);
    }

    static std::string load_time(const BpfProg& p) {
        if (!p.load_realtime_ns) return fmt::format("{} s after boot", p.load_time / 1'000'000'000);
        const std::time_t t = static_cast<std::time_t>(*p.load_realtime_ns / 1'000'000'000);
        std::tm tm{};
        if (!localtime_r(&t, &tm)) return "(unknown)";
        char buf[64];
        std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S %Y", &tm);
        return buf;
    }

    static std::vector<std::uint32_t> map_ids(const Ctx& c, const BpfProg& p) {
        std::vector<std::uint32_t> ids;
        for (std::uint64_t addr : p.used_maps)
            for (const auto& m : c.maps)
                if (m.map == addr) ids.push_back(m.id);
        return ids;
    }

    static Result<void> prog_details(const Ctx& c, const BpfProg& p) {
        const std::string gpl = p.gpl_compatible ? (*p.gpl_compatible ? "yes" : "no") : "(unknown)";
        const std::string name = p.name.empty() ? "(unused)" : fmt::format("\"{}\"", p.name);
        const std::string uid = p.uid ? std::to_string(*p.uid) : "(unknown)";
        const std::string btf = p.btf_id ? std::to_string(*p.btf_id) : "(none)";
        std::string attach;
        if (!p.attach_func_name.empty()) attach = p.attach_func_name;
        if (p.dst_prog_id) attach += fmt::format("{}prog {}", attach.empty() ? "" : " in ", *p.dst_prog_id);
        if (c.out.json()) {
            Record r;
            r.field("ID", p.id).field("TYPE", p.type_name).field("TAG", p.tag_hex());
            r.field("NAME", p.name).field("XLATED", p.len * 8u).field("JITED", p.jited_len);
            r.field("MEMLOCK", p.memlock).field("LOAD_TIME", load_time(p)).json_only("load_time_ns", p.load_time);
            r.field("GPL_COMPATIBLE", p.gpl_compatible ? Value(*p.gpl_compatible) : Value());
            r.field("UID", p.uid ? Value(*p.uid) : Value());
            std::string ids;
            for (auto id : map_ids(c, p)) ids += fmt::format("{}{}", ids.empty() ? "" : ",", id);
            r.field("MAP_IDS", ids).field("BTF_ID", p.btf_id ? Value(*p.btf_id) : Value());
            r.field("ATTACH_TYPE", p.attach_type_name).field("ATTACH_BTF_ID", p.attach_btf_id);
            r.field("ATTACH_TARGET", attach.empty() ? Value() : Value(attach));
            r.field("VERIFIED_INSNS", p.verified_insns ? Value(*p.verified_insns) : Value());
            r.field("STACK_DEPTH", p.stack_depth).field("BPF_FUNC", Hex{p.bpf_func});
            c.out.record(r);
            return {};
        }
        c.out.print("     XLATED: {}  JITED: {}  MEMLOCK: {}\n", p.len * 8u, p.jited_len, p.memlock);
        c.out.print("     LOAD_TIME: {}\n", load_time(p));
        c.out.print("     GPL_COMPATIBLE: {}  NAME: {}  UID: {}\n", gpl, name, uid);
        // Beyond crash: what bpftool prog show adds.
        c.out.print("     BTF_ID: {}  VERIFIED_INSNS: {}  STACK_DEPTH: {}  JITED_FUNC: {:#x}\n", btf,
                    p.verified_insns ? std::to_string(*p.verified_insns) : "(unknown)", p.stack_depth, p.bpf_func);
        c.out.print("     ATTACH_TYPE: {}  ATTACH_BTF_ID: {}  ATTACH_TARGET: {}\n", p.attach_type_name,
                    p.attach_btf_id, attach.empty() ? "(none)" : attach);
        return {};
    }

    static Result<void> xlated_listing(const Ctx& c, const BpfProg& p, bool bytes) {
        if (p.len > (1u << 20)) return fail(fmt::format("implausible program length {}", p.len), hex_address(p.prog));
        std::vector<std::byte> code(std::size_t{p.len} * 8);
        if (auto r = c.s.target().read(AddressSpace::KernelVirtual, p.insnsi, code); !r) return r;
        std::uint64_t call_base = c.s.symbol_address("__bpf_call_base").value_or(0);
        std::map<std::int32_t, std::optional<std::string>> helpers;
        bpf::Callbacks cb;
        cb.helper = [&](std::int32_t id) {
            auto it = helpers.find(id);
            if (it == helpers.end()) it = helpers.emplace(id, bpf_helper_name(c.s, id)).first;
            return it->second;
        };
        // A loaded program calls kernel functions at __bpf_call_base + imm (as bpftool and
        // crash resolve them: an exact symbol).
        cb.call = [&](const bpf::Insn& i) -> std::optional<std::string> {
            if (i.src != 0 || !call_base) return std::nullopt;
            auto names = symbolizer(c.s);
            if (!names) return std::nullopt;
            auto sym = (*names)->vmlinux(call_base + static_cast<std::int64_t>(i.imm));
            if (!sym || sym->offset) return std::nullopt;
            return std::string(sym->name);
        };
        // The verifier put map pointers in place of the file descriptors: show their IDs.
        cb.imm = [&](const bpf::Insn& i, std::uint64_t v) -> std::optional<std::string> {
            if (i.src != 0) return std::nullopt;
            for (const auto& m : c.maps) {
                if (m.map == v) return fmt::format("map[id:{}]", m.id);
                if (v >= m.value_start && v < m.value_end) return fmt::format("map[id:{}][0]+{}", m.id, v - m.value_start);
            }
            return std::nullopt;
        };
        if (!c.out.json()) c.out.print("\n");
        else c.out.begin_table({{"index", "INDEX"}, {"text", "INSN"}, {"bytes", "BYTES"}});
        for (const auto& line : bpf::disassemble(code, cb, true)) {
            const auto raw = std::span<const std::byte>(code).subspan(line.index * 8, line.slots * 8);
            if (c.out.json()) {
                c.out.row({line.index, line.text, hex_string(raw)});
                continue;
            }
            c.out.print("{:4}: {}\n", line.index, line.text);
            if (bytes) {
                std::string b = bpf::hex_bytes(raw.first(8));
                if (line.slots == 2) b += " " + bpf::hex_bytes(raw.subspan(8, 8));
                c.out.print("       {}\n", b);
            }
        }
        return {};
    }

    static Result<void> jit_listing(const Ctx& c, const BpfProg& p) {
        if (!c.out.json()) c.out.print("\n");
        if (!p.jited_len) {
            if (!c.out.json()) c.out.print("(program not jited)\n");
            return {};
        }
        if (p.jited_len > (1u << 24)) return fail(fmt::format("implausible JITed length {}", p.jited_len), hex_address(p.prog));
        std::vector<std::uint8_t> code(p.jited_len);
        if (auto r = c.s.target().read(AddressSpace::KernelVirtual, p.bpf_func, std::as_writable_bytes(std::span{code})); !r)
            return r;
        Disassembler dis;
        if (!dis.ok()) return fail("capstone cannot disassemble x86-64");
        AddressNames names(c.s, c.maps);
        if (c.out.json()) c.out.begin_table({{"address", "ADDRESS"}, {"insn", "INSN"}, {"target", "TARGET"}});
        const std::uint8_t* ptr = code.data();
        std::size_t size = code.size();
        std::uint64_t addr = p.bpf_func;
        while (size > 0) {
            const std::uint64_t at = addr;
            const cs_insn* insn = dis.next(ptr, size, addr);
            std::string text, target;
            if (!insn) {  // undecodable: show the byte and go on
                text = fmt::format("(bad) .byte {:#04x}", *ptr);
                ++ptr;
                --size;
                ++addr;
            } else {
                text = insn->op_str[0] ? fmt::format("{:<6} {}", insn->mnemonic, insn->op_str) : insn->mnemonic;
                if (auto t = operand_target(insn->op_str))
                    if (auto n = names.name(*t)) target = *n;
            }
            if (c.out.json()) c.out.row({Hex{at}, text, target.empty() ? Value() : Value(target)});
            else c.out.print("   {:#x}:\t{}{}\n", at, text, target.empty() ? "" : " <" + target + ">");
        }
        return {};
    }

    // The first operand that is a kernel address, as a jump target or an immediate
    // ("0xffffffff81000000", "$0xffff888003a1c000"): what crash names (it looks only at the
    // last; a map pointer loaded by movabs is the first).
    static std::optional<std::uint64_t> operand_target(std::string_view ops) {
        while (!ops.empty()) {
            const auto comma = ops.find(',');
            std::string_view op = ops.substr(0, comma);
            ops = comma == std::string_view::npos ? std::string_view{} : ops.substr(comma + 1);
            while (!op.empty() && (op.front() == ' ' || op.front() == '$' || op.front() == '*')) op.remove_prefix(1);
            if (!op.starts_with("0x")) continue;
            op.remove_prefix(2);
            std::uint64_t v = 0;
            auto [p, ec] = std::from_chars(op.data(), op.data() + op.size(), v, 16);
            if (ec != std::errc{} || p != op.data() + op.size()) continue;
            if (v >> 56 == 0xff) return v;  // kernel addresses only (4- and 5-level paging)
        }
        return std::nullopt;
    }

    static Result<void> dump_struct(const Ctx& c, const char* type, std::uint64_t addr) {
        auto di = c.s.debuginfo();
        if (!di) return di.failure();
        auto t = (*di)->find_type(type);
        if (!t) return t.failure();
        const Object obj = Object::at(c.s, (*di)->complete(*t), addr);
        if (c.out.json()) {
            auto j = format_object_json(c.s, obj);
            if (!j) return j.failure();
            c.out.raw_json(fmt::format("{{\"type\":{},\"address\":\"{:#x}\",\"value\":{}}}", json_quote(type), addr, *j));
            return {};
        }
        ObjectFormatOptions opt;
        opt.radix = c.radix;
        auto text = format_object(c.s, obj, opt);
        if (!text) return text.failure();
        c.out.print("\n{} {}\n", type, *text);
        return {};
    }

    static void map_details(const Ctx& c, const BpfMap& m) {
        const std::string btf = m.btf_id ? std::to_string(*m.btf_id) : "(none)";
        if (c.out.json()) {
            Record r;
            r.field("ID", m.id).field("TYPE", m.type_name).field("NAME", m.name);
            r.field("KEY_SIZE", m.key_size).field("VALUE_SIZE", m.value_size).field("MAX_ENTRIES", m.max_entries);
            r.field("MAP_FLAGS", Hex{m.map_flags}).field("MEMLOCK", m.memlock).field("FROZEN", m.frozen);
            r.field("BTF_ID", m.btf_id ? Value(*m.btf_id) : Value()).field("BTF_KEY_TYPE_ID", m.btf_key_type_id);
            r.field("BTF_VALUE_TYPE_ID", m.btf_value_type_id).field("BTF_VMLINUX_VALUE_TYPE_ID", m.btf_vmlinux_value_type_id);
            c.out.record(r);
            return;
        }
        c.out.print("     KEY_SIZE: {}  VALUE_SIZE: {}  MAX_ENTRIES: {}  MEMLOCK: {}\n", m.key_size, m.value_size,
                    m.max_entries, m.memlock);
        // 6.1 charges maps to memory cgroups, not users: no UID to show (crash says so too).
        c.out.print("     NAME: {}  UID: (unused)\n", m.name.empty() ? "(unused)" : fmt::format("\"{}\"", m.name));
        c.out.print("     FROZEN: {}  BTF_ID: {}  BTF_KEY_TYPE_ID: {}  BTF_VALUE_TYPE_ID: {}  BTF_VMLINUX_VALUE_TYPE_ID: {}\n",
                    m.frozen ? "yes" : "no", btf, m.btf_key_type_id, m.btf_value_type_id, m.btf_vmlinux_value_type_id);
    }

    // A map's key and value types from its BTF (nullptr: no type, shown in hex only).
    struct TypedMap {
        std::unique_ptr<BtfTypes> btf;
        const Type* key = nullptr;
        const Type* value = nullptr;
    };

    // More scalars than this in one value is a corrupt type, not something to print.
    static constexpr std::uint64_t kMaxTypedLeaves = 1u << 16;

    static Result<TypedMap> typed_map(const Ctx& c, const BpfMap& m) {
        auto btf = bpf_map_btf(c.s, m);
        if (!btf) return btf.failure();
        TypedMap t;
        t.btf = std::move(*btf);
        const Btf& raw = t.btf->btf();
        const std::string where = fmt::format("BTF {}", m.btf_id.value_or(0));
        // A type the kernel checked against the map's sizes (map_check_btf): a mismatch means
        // the dump's BTF is not what the map was created with.
        auto one = [&](std::uint32_t id, std::uint32_t size, const char* what) -> Result<const Type*> {
            if (!id) return static_cast<const Type*>(nullptr);
            auto ty = t.btf->get(id);
            if (!ty) return fail(ty.error().what, where);
            if (raw.size_of(id) != size)
                return fail(fmt::format("the {} type ({}) has {} bytes, the map's {} {}", what, id, raw.size_of(id), what, size),
                            where);
            if (raw.leaves_of(id) > kMaxTypedLeaves)
                return fail(fmt::format("the {} type ({}) is too large to print", what, id), where);
            return ty;
        };
        auto key = one(m.btf_key_type_id, m.key_size, "key");
        if (!key) return key.failure();
        auto value = one(m.btf_value_type_id, m.value_size, "value");
        if (!value) return value.failure();
        t.key = *key;
        t.value = *value;
        return t;
    }

    static Object typed_object(const Ctx& c, const Type* type, const std::vector<std::byte>& bytes) {
        return Object::from_bytes(c.s, type, bytes);
    }

    static std::string typed_text(const Ctx& c, const Type* type, const std::vector<std::byte>& bytes) {
        ObjectFormatOptions opt;
        opt.radix = c.radix;
        auto text = format_object(c.s, typed_object(c, type, bytes), opt);
        return text ? *text : fmt::format("<error: {}>", text.error().message());
    }

    static std::string typed_json(const Ctx& c, const Type* type, const std::vector<std::byte>& bytes) {
        if (!type) return "null";
        auto j = format_object_json(c.s, typed_object(c, type, bytes));
        return j ? *j : "null";
    }

    static Result<void> map_contents(const Ctx& c, const BpfMap& m) {
        auto contents = bpf_map_contents(c.s, m);
        if (!contents) {
            // Map types whose storage is not read are not an error of the command.
            if (!c.out.json()) c.out.print("\n({})\n", contents.error().what);
            return {};
        }
        Output& out = c.out;
        const bool entries = !contents->ringbuf;
        std::optional<TypedMap> typed;
        if (entries && m.btf && (m.btf_key_type_id || m.btf_value_type_id)) {
            auto t = typed_map(c, m);
            if (t) {
                typed = std::move(*t);
                if (out.json()) {
                    Record r;
                    r.field("KEY_TYPE", typed->key ? Value(type_name(typed->key)) : Value());
                    r.field("VALUE_TYPE", typed->value ? Value(type_name(typed->value)) : Value());
                    out.record(r);
                } else {
                    out.print("     KEY_TYPE: {}  VALUE_TYPE: {}\n", typed->key ? type_name(typed->key) : "(none)",
                              typed->value ? type_name(typed->value) : "(none)");
                }
            } else if (out.json()) {
                Record r;
                r.field("BTF_ERROR", t.error().message());
                out.record(r);
            } else {
                // The contents are still there, in hex.
                out.print("     BTF: ({})\n", t.error().message());
            }
        }
        if (contents->ringbuf) {
            const auto& r = *contents->ringbuf;
            const std::string pending = r.pending_pos ? std::to_string(*r.pending_pos) : "-";
            if (out.json()) {
                Record rec;
                rec.field("RINGBUF", Hex{r.rb}).field("SIZE", r.size).field("CONSUMER_POS", r.consumer_pos);
                rec.field("PRODUCER_POS", r.producer_pos).field("PENDING_POS", r.pending_pos ? Value(*r.pending_pos) : Value());
                rec.field("UNCONSUMED", r.producer_pos - r.consumer_pos);
                out.record(rec);
            } else {
                out.print("\n     RINGBUF: {:x}  SIZE: {}  CONSUMER_POS: {}  PRODUCER_POS: {}  PENDING_POS: {}\n", r.rb,
                          r.size, r.consumer_pos, r.producer_pos, pending);
                out.print("     UNCONSUMED: {} bytes\n", r.producer_pos - r.consumer_pos);
            }
            return {};
        }
        if (out.json()) {
            out.begin_table({{"key", "KEY"}, {"cpu", "CPU"}, {"value", "VALUE"}});
            for (const auto& e : contents->entries) {
                for (std::size_t i = 0; i < e.values.size(); ++i) {
                    const Value cpu = contents->per_cpu ? Value(contents->cpus.at(i)) : Value();
                    if (typed) {
                        // The table's cells plus the typed key and value (JSON of any shape).
                        out.raw_json(fmt::format("{{\"key\":{},\"cpu\":{},\"value\":{},\"key_typed\":{},\"value_typed\":{}}}",
                                                 json_quote(hex_string(e.key)), cpu.json(),
                                                 json_quote(hex_string(e.values[i])), typed_json(c, typed->key, e.key),
                                                 typed_json(c, typed->value, e.values[i])));
                        continue;
                    }
                    out.row({hex_string(e.key), cpu, hex_string(e.values[i])});
                }
            }
            return {};
        }
        out.print("\n");
        // bpftool map dump's plain layout (print_entry_plain).
        for (const auto& e : contents->entries) {
            if (!contents->per_cpu) {
                const bool break_names = m.key_size > 16 || m.value_size > 16;
                const bool single_line = m.key_size + m.value_size <= 24 && !break_names;
                std::string line;
                if (m.key_size)
                    line += fmt::format("key:{}{}{}", break_names ? '\n' : ' ', bpf::hex_bytes(e.key),
                                        single_line ? "  " : "\n");
                if (m.value_size)
                    line += fmt::format("value:{}{}", break_names ? '\n' : ' ', bpf::hex_bytes(e.values.at(0)));
                out.print("{}\n", line);
            } else {
                if (m.key_size) out.print("key:\n{}\n", bpf::hex_bytes(e.key));
                for (std::size_t i = 0; i < e.values.size(); ++i)
                    out.print("value (CPU {:02}):{}{}\n", contents->cpus.at(i), m.value_size > 16 ? '\n' : ' ',
                              bpf::hex_bytes(e.values[i]));
            }
            if (!typed) continue;
            // Beyond bpftool's hex: the same entry typed, as `p` prints a value of that type.
            if (typed->key) out.print("key = {}\n", typed_text(c, typed->key, e.key));
            if (typed->value) {
                if (!contents->per_cpu) out.print("value = {}\n", typed_text(c, typed->value, e.values.at(0)));
                else
                    for (std::size_t i = 0; i < e.values.size(); ++i)
                        out.print("value (CPU {:02}) = {}\n", contents->cpus.at(i), typed_text(c, typed->value, e.values[i]));
            }
        }
        out.print("Found {} element{}\n", contents->entries.size(), contents->entries.size() == 1 ? "" : "s");
        return {};
    }
};
KDIVE_REGISTER_COMMAND(BpfCommand);

}  // namespace
}  // namespace kdive
