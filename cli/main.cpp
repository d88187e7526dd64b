// opusim: the command-line front of the simulator. Dispatches to the registered subcommands and
// reports their errors: as text, or as one JSON object on stderr when --json was asked for.
#include <algorithm>
#include <iostream>
#include <new>
#include <string>

#include "command.hpp"
#include "json_report.hpp"
#include "opusim/driver/errors.hpp"
#include "opusim/version.hpp"
#include "provenance.hpp"

namespace {

using opusim::cli::Arguments;
using opusim::cli::ErrorKind;

void print_overview(std::ostream& out) {
    out << "usage: opusim COMMAND [OPTIONS]   (opusim COMMAND --help for its options)\n\n"
           "A cycle-approximate simulator of an optical processing unit (OPU).\n\ncommands:\n";
    for (const auto& command : opusim::cli::registered_commands()) {
        out << "  " << command.name
            << std::string(12 - std::min<std::size_t>(11, command.name.size()), ' ')
            << command.summary << "\n";
    }
}

// --json anywhere among the arguments: the user reads errors as JSON too, even those found
// before (or while) the options are parsed.
bool wants_json(const Arguments& args) {
    return std::find(args.begin(), args.end(), "--json") != args.end();
}

// Prints the error of command NAME to stderr, as text or as one JSON object; returns the exit
// code (2 for usage errors, 1 for failures).
int report_error(ErrorKind kind, const std::string& message, const std::string& name, bool json) {
    if (json) {
        std::cerr << opusim::cli::error_report(kind, message, name)
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  << "\n";
    } else if (kind == ErrorKind::Usage) {
        std::cerr << "opusim " << name << ": " << message << "\n(see opusim " << name
                  << " --help)\n";
    } else {
        std::cerr << "opusim " << name << ": error: " << message << "\n";
    }
    return kind == ErrorKind::Usage ? 2 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    using opusim::cli::registered_commands;
    opusim::cli::record_command_line(argc, argv);
    if (argc < 2) {
        print_overview(std::cerr);
        return 2;
    }
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        print_overview(std::cout);
        return 0;
    }
    if (name == "--version" || name == "version") {
        std::cout << "opusim " << opusim::version() << "\n";
        return 0;
    }
    const Arguments args(argv + 2, argv + argc);
    const bool json = wants_json(args);
    for (const auto& command : registered_commands()) {
        if (command.name != name) continue;
        try {
            return command.run(args);
        } catch (const opusim::cli::UsageError& error) {
            return report_error(ErrorKind::Usage, error.what(), name, json);
        } catch (const opusim::driver::UriError& error) {
            // A bad --device (malformed, unknown option, a profile the device refuses) is a bad
            // argument whichever command opened it: exit 2, as docs/cli.md says.
            return report_error(ErrorKind::Usage, std::string("--device: ") + error.what(), name,
                                json);
        } catch (const std::bad_alloc&) {
            return report_error(ErrorKind::Runtime,
                                "out of memory (the request is larger than this machine holds)",
                                name, json);
        } catch (const std::exception& error) {
            return report_error(ErrorKind::Runtime, error.what(), name, json);
        } catch (...) {
            return report_error(ErrorKind::Runtime, "unknown failure", name, json);
        }
    }
    if (json) return report_error(ErrorKind::Usage, "unknown command '" + name + "'", name, true);
    std::cerr << "opusim: unknown command '" << name << "'\n\n";
    print_overview(std::cerr);
    return 2;
}
