// opusim: the command-line front of the simulator. Dispatches to the registered subcommands.
#include <iostream>
#include <string>

#include "command.hpp"
#include "opusim/version.hpp"

namespace {

void print_overview(std::ostream& out) {
    out << "usage: opusim COMMAND [OPTIONS]   (opusim COMMAND --help for its options)\n\n"
           "A cycle-approximate simulator of an optical processing unit (OPU).\n\ncommands:\n";
    for (const auto& command : opusim::cli::registered_commands()) {
        out << "  " << command.name
            << std::string(12 - std::min<std::size_t>(11, command.name.size()), ' ')
            << command.summary << "\n";
    }
}

}  // namespace

int main(int argc, char** argv) {
    using opusim::cli::registered_commands;
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
    for (const auto& command : registered_commands()) {
        if (command.name != name) continue;
        const opusim::cli::Arguments args(argv + 2, argv + argc);
        try {
            return command.run(args);
        } catch (const opusim::cli::UsageError& error) {
            std::cerr << "opusim " << name << ": " << error.what() << "\n(see opusim " << name
                      << " --help)\n";
            return 2;
        } catch (const std::exception& error) {
            std::cerr << "opusim " << name << ": error: " << error.what() << "\n";
            return 1;
        }
    }
    std::cerr << "opusim: unknown command '" << name << "'\n\n";
    print_overview(std::cerr);
    return 2;
}
