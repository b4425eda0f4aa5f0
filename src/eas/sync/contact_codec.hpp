#pragma once
// Contacts between the mailbox's ContactFields and the EAS Contacts / Contacts2 code pages
// (MS-ASCNTC 2.2.2), with the notes as an AirSyncBase Body (MS-ASAIRS 2.2.2.9) from 12.0 on and
// as the legacy Contacts Body before.
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "core/error.hpp"
#include "eas/protocol.hpp"
#include "eas/sync/collection_options.hpp"
#include "eas/wbxml/wbxml.hpp"
#include "mailbox/contact_fields.hpp"

namespace sb::eas {

// Writes the children of <ApplicationData> for a contact.
void write_contact(wbxml::Encoder& enc, const mailbox::ContactFields& fields, Version version,
                   const std::optional<BodyPreference>& body);

// Reads a contact's <ApplicationData> from a device: only the fields EAS carries. Errors are
// Errc::invalid_argument (answered with item Status 6).
Result<mailbox::ContactFields> read_contact(wbxml::Element application_data);

// The contact fields a collection's <Supported> element names (MS-ASCMD 2.2.3.168): those the
// device manages, so that leaving one out of a Change deletes it.
std::set<std::string> supported_fields(wbxml::Element supported);

// Applies a device's Change to the server's fields (MS-ASCMD 2.2.3.168 "ghosting"): fields the
// Change carries replace the server's; an EAS field it leaves out is deleted when the device
// manages it (every EAS field when the device sent no Supported list); fields EAS cannot carry
// are kept.
mailbox::ContactFields merge_change(const mailbox::ContactFields& server,
                                    const mailbox::ContactFields& change,
                                    const std::optional<std::set<std::string>>& supported);

// Whether a field travels over EAS at all.
bool eas_carries(std::string_view field);

}  // namespace sb::eas
