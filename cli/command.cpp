#include "command.hpp"

#include <algorithm>
#include <iostream>

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

std::vector<Command>& command_table() {
    static std::vector<Command> table;
    return table;
}

}  // namespace

CommandRegistrar::CommandRegistrar(Command command) {
    auto& table = command_table();
    table.push_back(std::move(command));
    std::sort(table.begin(), table.end(),
              [](const Command& a, const Command& b) { return a.name < b.name; });
}

const std::vector<Command>& registered_commands() {
    return command_table();
}

std::optional<po::variables_map> parse_options(const Command& command, const Arguments& args,
                                               po::options_description options,
                                               const Positionals& positionals) {
    options.add_options()("quiet", "no progress display on stderr")("help,h",
                                                                    "show this help and exit");
    po::options_description all;
    all.add(options).add(positionals.hidden);
    po::variables_map values;
    try {
        po::store(
            po::command_line_parser(args).options(all).positional(positionals.positional).run(),
            values);
        if (values.count("help")) {
            std::cout << "usage: " << command.synopsis << "\n\n"
                      << command.summary << "\n\n"
                      << options << "\n";
            return std::nullopt;
        }
        po::notify(values);
    } catch (const po::error& error) {
        throw UsageError(error.what());
    }
    return values;
}

bool quiet(const po::variables_map& values) {
    return values.count("quiet") > 0;
}

std::pair<std::uint64_t, std::uint64_t> parse_range(const std::string& option,
                                                    const std::string& text) {
    const auto malformed = [&] {
        return UsageError("--" + option + ": expected A:B with whole numbers 0 <= A < B, got '" +
                          text + "'");
    };
    const std::size_t colon = text.find(':');
    if (colon == std::string::npos) throw malformed();
    const auto whole = [&](const std::string& part) {
        if (part.empty() || part.size() > 19 ||
            !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            throw malformed();
        }
        return std::stoull(part);
    };
    const auto begin = whole(text.substr(0, colon));
    const auto end = whole(text.substr(colon + 1));
    if (begin >= end) {
        throw UsageError("--" + option + ": expected A < B in A:B, got '" + text + "'");
    }
    return {begin, end};
}

}  // namespace opusim::cli
