#include "register_file.hpp"

#include <stdexcept>
#include <string>

namespace opusim::model {
namespace {

// The contract's table indexed by word, built once: every access looks its register up here.
const contract::RegisterInfo* find(std::uint32_t offset) {
    static const auto by_word = [] {
        std::array<const contract::RegisterInfo*, RegisterFile::kWords> index{};
        for (const auto& info : contract::kRegisterTable) index[info.offset / 4] = &info;
        return index;
    }();
    if (offset % 4 != 0 || offset / 4 >= by_word.size()) return nullptr;
    return by_word[offset / 4];
}

}  // namespace

bool RegisterFile::mapped(std::uint32_t offset) {
    return find(offset) != nullptr;
}

contract::Access RegisterFile::access(std::uint32_t offset) {
    const auto* info = find(offset);
    return info ? info->access : contract::Access::ReadOnly;
}

void RegisterFile::bind(std::uint32_t offset, RegisterBehaviour behaviour) {
    const auto* info = find(offset);
    if (info == nullptr) {
        throw std::logic_error("RegisterFile::bind: offset " + std::to_string(offset) +
                               " is not in the register map");
    }
    if (static_cast<bool>(behaviour.reset) !=
        (info->reset_source == contract::ResetSource::Profile)) {
        throw std::logic_error(std::string("RegisterFile::bind: ") + info->name +
                               ": a profile reset must be bound exactly for the registers the "
                               "contract says reset from the profile");
    }
    behaviour_[offset / 4] = std::move(behaviour);
}

void RegisterFile::reset(const physics::DeviceProfile& profile) {
    for (const auto& info : contract::kRegisterTable) {
        const auto& behaviour = behaviour_[info.offset / 4];
        switch (info.reset_source) {
            case contract::ResetSource::Constant:
                set(info.offset, info.reset_value);
                break;
            case contract::ResetSource::Profile:
                if (!behaviour.reset) {
                    throw std::logic_error(std::string("RegisterFile::reset: ") + info.name +
                                           " resets from the profile but has no binding");
                }
                set(info.offset, behaviour.reset(profile));
                break;
            case contract::ResetSource::NotReset:
                break;
        }
    }
}

std::uint32_t RegisterFile::read(std::uint32_t offset, std::uint64_t at_ps) const {
    const auto* info = find(offset);
    if (info == nullptr || info->access == contract::Access::WriteOnly) return 0;
    const auto& behaviour = behaviour_[offset / 4];
    return behaviour.read ? behaviour.read(at_ps) : get(offset);
}

void RegisterFile::write(std::uint32_t offset, std::uint32_t value, const sc_core::sc_time& delay) {
    const auto* info = find(offset);
    if (info == nullptr) return;
    switch (info->access) {
        case contract::Access::ReadOnly:
            return;
        case contract::Access::ReadWrite1Clear:
            set(offset, get(offset) & ~value);
            break;
        case contract::Access::WriteOnly:
            break;  // nothing stored: the write is an action
        case contract::Access::ReadWrite:
            set(offset, value);
            break;
    }
    const auto& behaviour = behaviour_[offset / 4];
    if (behaviour.written) behaviour.written(value, delay);
}

}  // namespace opusim::model
