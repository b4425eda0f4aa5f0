#include "eas/sync/device_info.hpp"

namespace sb::eas {

namespace st = wbxml::cp::settings;

std::map<std::string, std::string> read_device_info(wbxml::Element set) {
    static const wbxml::Tag kTags[] = {st::Model,
                                       st::IMEI,
                                       st::FriendlyName,
                                       st::OS,
                                       st::OSLanguage,
                                       st::PhoneNumber,
                                       st::MobileOperator,
                                       st::UserAgent,
                                       st::EnableOutboundSMS};
    std::map<std::string, std::string> out;
    for (auto e : set.children())
        for (auto t : kTags)
            if (e.is(t)) out[std::string(e.name())] = std::string(e.value().substr(0, 256));
    return out;
}

}  // namespace sb::eas
