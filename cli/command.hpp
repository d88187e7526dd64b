// The `opusim` command: one subcommand per file, each registering itself with a CommandRegistrar.
// A subcommand gets its arguments (without "opusim NAME"), returns the exit code, throws
// UsageError for bad arguments (exit 2, message names the argument) and any other exception for
// failures (exit 1). Every subcommand parses with boost::program_options through parse_options().
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace opusim::cli {

class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

using Arguments = std::vector<std::string>;

struct Command {
    std::string name;      // e.g. "medium"
    std::string synopsis;  // e.g. "opusim medium --seed S --pixels A:B --mirrors C:D --out F.npy"
    std::string summary;   // one line for `opusim --help`
    std::function<int(const Arguments&)> run;
};

struct CommandRegistrar {
    explicit CommandRegistrar(Command command);
};

const std::vector<Command>& registered_commands();

// Positional arguments: the names in POSITIONAL are options of HIDDEN, which are parsed but never
// shown (the user types values, not those names; the synopsis describes them). The command checks
// their presence itself, so no message names them.
struct Positionals {
    boost::program_options::options_description hidden;
    boost::program_options::positional_options_description positional;
};

// Parses ARGS against OPTIONS (and POSITIONALS, if any), plus --help and --quiet, which every
// command accepts. Returns nullopt when --help was asked for, after printing the synopsis and
// options to stdout. Throws UsageError naming the argument for unknown options, missing required
// options or malformed values.
std::optional<boost::program_options::variables_map> parse_options(
    const Command& command, const Arguments& args,
    boost::program_options::options_description options, const Positionals& positionals = {});

// Whether --quiet was given: no progress display.
bool quiet(const boost::program_options::variables_map& values);

// "A:B" with 0 <= A < B, as used by --pixels and --mirrors. OPTION names the flag in errors.
std::pair<std::uint64_t, std::uint64_t> parse_range(const std::string& option,
                                                    const std::string& text);

}  // namespace opusim::cli
