// SPDX-License-Identifier: GPL-3.0-or-later
#include "repl/options.hpp"

#include "repl/help_page.hpp"

namespace kdive {

const CommandSpec& startup_spec() {
    static const CommandSpec spec{
        .name = "kdive",
        .synopsis = "kdive [options] VMLINUX [VMCORE]",
        .summary = "interactive crash-analysis shell for Linux kernel dumps",
        .description =
            "Opens a Linux kernel crash dump (kdump-compressed or ELF) with its debug vmlinux\n"
            "and answers crash's commands about it. The two files may be given in either\n"
            "order: the vmlinux is told from the dump by content. With VMLINUX alone it opens\n"
            "the running kernel through /proc/kcore, read-only (as root).\n"
            "\n"
            "On a terminal kdive prints a banner and a `kdive> ' prompt with GNU readline\n"
            "editing, history in ~/.kdive_history and tab completion. With -i, or when\n"
            "standard input is not a terminal, it runs the commands it reads, one per line,\n"
            "and exits non-zero if any failed.",
        .options =
            {
                {.short_name = "i", .argument = "FILE", .help = "run the commands in FILE, then exit",
                 .kind = ValueKind::File},
                {.short_name = "s", .help = "silent: no banner"},
                {.long_name = "kaslr", .argument = "OFFSET",
                 .help = "the KASLR offset (hex), instead of finding it", .kind = ValueKind::Hex},
                {.long_name = "force",
                 .help = "go on when the vmlinux does not match the dump, or the dump is truncated"},
                {.short_name = "x", .long_name = "plugin", .argument = "FILE.so",
                 .help = "load a plugin before the first command (repeatable)", .kind = ValueKind::File},
                {.long_name = "json", .help = "every command's output as JSON lines"},
                {.long_name = "version", .help = "print the version and exit"},
                {.long_name = "man", .help = "print the man page (troff) and exit"},
                {.short_name = "h", .long_name = "help", .help = "print this help and exit"},
            },
        .arguments =
            {
                {.name = "VMLINUX", .help = "the kernel's debug image (with its symbol table)",
                 .kind = ValueKind::File, .optional = true},
                {.name = "VMCORE", .help = "the dump: kdump-compressed or ELF; none: the running kernel",
                 .kind = ValueKind::File,
                 .optional = true},
            },
    };
    return spec;
}

std::string usage() {
    const CommandSpec& s = startup_spec();
    std::string out = "usage: " + synopsis(s) + "\n\n" + s.description + "\n\noptions:\n";
    for (const auto& o : s.options) out += fmt::format("  {:<22} {}\n", option_form(o), o.help);
    return out;
}

Result<StartupOptions> parse_startup_options(int argc, char** argv) {
    std::vector<std::string> words(argv, argv + argc);
    if (words.empty()) words.push_back("kdive");
    auto args = Arguments::parse(startup_spec(), std::move(words));
    if (!args) return args.failure();
    StartupOptions o;
    o.files = args->positionals();
    o.input_file = args->value("i").value_or("");
    o.plugins = args->values("plugin");
    o.kaslr = args->number("kaslr");
    o.force = args->has("force");
    o.silent = args->has("s");
    o.json = args->has("json");
    o.help = args->has("help");
    o.version = args->has("version");
    o.man = args->has("man");
    return o;
}

}  // namespace kdive
