#pragma once
// Settings DeviceInformation (MS-ASCMD 2.2.3.52) as a map: Model, IMEI, FriendlyName, OS,
// OSLanguage, PhoneNumber, MobileOperator, UserAgent, EnableOutboundSMS.
#include <map>
#include <string>

#include "eas/wbxml/wbxml.hpp"

namespace sb::eas {

// Reads the children of a DeviceInformation <Set> (values cut at 256 bytes).
std::map<std::string, std::string> read_device_info(wbxml::Element set);

}  // namespace sb::eas
