#include "device_server.hpp"

#include <cstring>
#include <exception>
#include <vector>

#include "opusim/physics/profile.hpp"
#include "opusim/physics/profile_overrides.hpp"

namespace opusim::server {

using contract::wire::Message;
using contract::wire::MessageType;

DeviceServer::DeviceServer(int link_fd) : link_(link_fd) {}

int DeviceServer::run(const ServerOptions& options) {
    try {
        if (!start(options)) return 1;
        for (;;) {
            const Message request = link_.receive();
            if (!serve(request)) return 0;
        }
    } catch (const contract::wire::LinkError&) {
        return 0;  // the host went away: nobody is left to serve
    }
}

bool DeviceServer::start(const ServerOptions& options) {
    try {
        std::vector<physics::ProfileOverride> overrides;
        for (const auto& text : options.overrides) {
            overrides.push_back(physics::parse_profile_override(text));
        }
        const auto profile =
            physics::with_overrides(physics::DeviceProfile::load(options.profile), overrides);
        model::SimulatedDeviceOptions device_options;
        device_options.vcd_path = options.vcd_path;
        device_options.fault_rates = options.fault_rates;
        device_options.fault_seed = options.fault_seed;
        device_ = std::make_unique<model::SimulatedDevice>(profile, device_options);
        device_->attach_host_memory(&memory_);
    } catch (const std::exception& error) {
        link_.send(MessageType::Failed, error.what(), std::char_traits<char>::length(error.what()));
        return false;
    }
    const contract::wire::ReadyMessage ready{contract::wire::kProtocolVersion, 0, device_->now_s()};
    link_.send_value(MessageType::Ready, ready);
    return true;
}

void DeviceServer::reply(MessageType type, std::uint32_t value) {
    const contract::wire::Reply message{device_->now_s(), value, 0};
    link_.send_value(type, message);
}

void DeviceServer::read_registers(const Message& request) {
    if (request.payload.size() % sizeof(std::uint32_t) != 0) {
        throw contract::wire::LinkError("device link: ReadRegisters of a partial offset");
    }
    const std::size_t count = request.payload.size() / sizeof(std::uint32_t);
    std::vector<std::uint32_t> values(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::uint32_t offset = 0;
        std::memcpy(&offset, request.payload.data() + i * sizeof offset, sizeof offset);
        values[i] = device_->read_register(offset);
    }
    const contract::wire::Reply reply{device_->now_s(), static_cast<std::uint32_t>(count), 0};
    link_.send(MessageType::RegisterValues, &reply, sizeof reply, values.data(),
               values.size() * sizeof(std::uint32_t));
}

void DeviceServer::refuse(const std::string& what) {
    link_.send(MessageType::Refused, what.data(), what.size());
}

void DeviceServer::fail(const std::string& what) {
    if (failure_.empty()) failure_ = what;
    link_.send(MessageType::Failed, failure_.data(), failure_.size());
}

bool DeviceServer::serve(const Message& request) {
    switch (request.type) {
        case MessageType::MapRegion:
            try {
                memory_.map(request.as<contract::wire::RegionMessage>(), request.fd);
            } catch (const std::exception& error) {
                fail(error.what());  // heard by the host at its next request
            }
            return true;
        case MessageType::UnmapRegion:
            memory_.unmap(request.as<contract::wire::RegionMessage>().address);
            return true;
        case MessageType::SetOwnership: {
            const auto region = request.as<contract::wire::RegionMessage>();
            memory_.set_ownership(region.address, region.flags);
            return true;
        }
        case MessageType::Shutdown:
            return false;
        default:
            break;
    }
    if (!failure_.empty()) {
        fail(failure_);
        return true;
    }
    // Anything the model throws (a SystemC error, an allocation failure) ends this device, not
    // the host: the host hears Failed and the process stays up only to say so.
    try {
        switch (request.type) {
            case MessageType::ReadRegister:
                reply(MessageType::RegisterValue,
                      device_->read_register(request.as<contract::wire::RegisterAccess>().offset));
                return true;
            case MessageType::WriteRegister: {
                const auto access = request.as<contract::wire::RegisterAccess>();
                device_->write_register(access.offset, access.value);
                reply(MessageType::Done);
                return true;
            }
            case MessageType::ReadRegisters: {
                read_registers(request);
                return true;
            }
            case MessageType::WaitInterrupt: {
                const auto wait = request.as<contract::wire::WaitRequest>();
                reply(MessageType::InterruptState,
                      device_->run_until_interrupt(wait.timeout_s) ? 1 : 0);
                return true;
            }
            default:
                fail("device link: unexpected request " +
                     std::to_string(static_cast<unsigned>(request.type)));
                return true;
        }
    } catch (const contract::wire::LinkError&) {
        throw;
    } catch (const std::invalid_argument& error) {
        refuse(error.what());  // a bad request (a timeout out of range): the device is unchanged
        return true;
    } catch (const std::out_of_range& error) {
        refuse(error.what());  // a register offset outside the window
        return true;
    } catch (const std::exception& error) {
        fail(std::string("the simulated device failed: ") + error.what());
        return true;
    }
}

}  // namespace opusim::server
