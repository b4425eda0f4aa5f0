#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "eas/wbxml/code_pages.hpp"
#include "eas/wbxml/document.hpp"
#include "eas/wbxml/encoder.hpp"

namespace sb::wbxml {
namespace {

TEST(WbxmlCodePages, EveryTagRoundTripsBetweenNameAndToken) {
    size_t total = 0;
    for (uint8_t page = 0; page < kPageCount; ++page) {
        for (const TagInfo& info : page_tags(page)) {
            SCOPED_TRACE(std::string(page_name(page)) + ":" + std::string(info.name));
            EXPECT_EQ(info.tag.page, page);
            EXPECT_EQ(tag_info(info.tag), &info);
            EXPECT_EQ(tag_name(info.tag), info.name);
            EXPECT_EQ(tag_by_name(page, info.name), info.tag);
            EXPECT_TRUE(is_known(info.tag));
            ++total;
        }
    }
    EXPECT_EQ(total, all_tags().size());
    EXPECT_EQ(total, 644u);
}

TEST(WbxmlCodePages, EachPageHasItsTableSize) {
    const std::vector<size_t> expected = {37, 58, 59, 19, 48, 8,  10, 20, 13, 34, 25, 6,  10,
                                          9,  55, 29, 14, 40, 38, 8,  21, 18, 18, 5,  20, 22};
    for (uint8_t page = 0; page < kPageCount; ++page)
        EXPECT_EQ(page_tags(page).size(), expected[page]) << page_name(page);
    EXPECT_TRUE(page_tags(kPageCount).empty());
}

TEST(WbxmlCodePages, PagesHaveTheirNamespaces) {
    const std::vector<std::string> names = {"AirSync",
                                            "Contacts",
                                            "Email",
                                            "AirNotify",
                                            "Calendar",
                                            "Move",
                                            "GetItemEstimate",
                                            "FolderHierarchy",
                                            "MeetingResponse",
                                            "Tasks",
                                            "ResolveRecipients",
                                            "ValidateCert",
                                            "Contacts2",
                                            "Ping",
                                            "Provision",
                                            "Search",
                                            "GAL",
                                            "AirSyncBase",
                                            "Settings",
                                            "DocumentLibrary",
                                            "ItemOperations",
                                            "ComposeMail",
                                            "Email2",
                                            "Notes",
                                            "RightsManagement",
                                            "Find"};
    for (uint8_t page = 0; page < kPageCount; ++page) {
        EXPECT_EQ(page_name(page), names[page]);
        EXPECT_EQ(page_by_namespace(names[page]), page);
        EXPECT_EQ(page_by_namespace(names[page] + ":"), page);
        if (page != cp::gal::kPage) {
            EXPECT_EQ(page_namespace(page), names[page] + ":");
        }
    }
    EXPECT_EQ(page_namespace(cp::gal::kPage), "Gal:");
    EXPECT_EQ(page_by_namespace("Gal:"), cp::gal::kPage);
    EXPECT_EQ(page_by_namespace("airsync:"), std::nullopt);
    EXPECT_EQ(page_by_namespace("Foo:"), std::nullopt);
    EXPECT_EQ(page_name(26), "");
    EXPECT_EQ(page_namespace(26), "");
}

// Tokens straight from the MS-ASWBXML tables, a few per page, including the 16.x additions.
TEST(WbxmlCodePages, ConstantsCarryTheSpecifiedTokens) {
    struct Expect {
        Tag tag;
        uint8_t page, token;
        const char* name;
    };
    const std::vector<Expect> cases = {
        {cp::airsync::Sync, 0, 0x05, "Sync"},
        {cp::airsync::ApplicationData, 0, 0x1D, "ApplicationData"},
        {cp::airsync::HeartbeatInterval, 0, 0x29, "HeartbeatInterval"},
        {cp::contacts::AssistantTelephoneNumber, 1, 0x07, "AssistantTelephoneNumber"},
        {cp::contacts::Picture, 1, 0x3C, "Picture"},
        {cp::contacts::WeightedRank, 1, 0x3E, "WeightedRank"},
        {cp::email::DateReceived, 2, 0x0F, "DateReceived"},
        {cp::email::Recurrence_MonthOfYear, 2, 0x30, "Recurrence_MonthOfYear"},
        {cp::email::DisallowNewTimeProposal, 2, 0x3F, "DisallowNewTimeProposal"},
        {cp::airnotify::DeviceFriendlyName, 3, 0x17, "DeviceFriendlyName"},
        {cp::calendar::Attendee_Email, 4, 0x09, "Attendee_Email"},
        {cp::calendar::DisallowNewTimeProposal, 4, 0x33, "DisallowNewTimeProposal"},
        {cp::calendar::ClientUid, 4, 0x3C, "ClientUid"},
        {cp::move::DstMsgId, 5, 0x0C, "DstMsgId"},
        {cp::getitemestimate::Estimate, 6, 0x0C, "Estimate"},
        {cp::folderhierarchy::FolderSync, 7, 0x16, "FolderSync"},
        {cp::folderhierarchy::Count, 7, 0x17, "Count"},
        {cp::meetingresponse::InstanceId, 8, 0x0E, "InstanceId"},
        {cp::meetingresponse::SendResponse, 8, 0x12, "SendResponse"},
        {cp::tasks::FirstDayOfWeek, 9, 0x26, "FirstDayOfWeek"},
        {cp::resolverecipients::MaxPictures, 10, 0x1D, "MaxPictures"},
        {cp::validatecert::Status, 11, 0x0A, "Status"},
        {cp::contacts2::MMS, 12, 0x0E, "MMS"},
        {cp::ping::MaxFolders, 13, 0x0D, "MaxFolders"},
        {cp::provision::EASProvisionDoc, 14, 0x0D, "EASProvisionDoc"},
        {cp::provision::AccountOnlyRemoteWipe, 14, 0x3B, "AccountOnlyRemoteWipe"},
        {cp::search::DeepTraversal, 15, 0x17, "DeepTraversal"},
        {cp::search::MaxPictures, 15, 0x23, "MaxPictures"},
        {cp::gal::Data, 16, 0x12, "Data"},
        {cp::airsyncbase::Body, 17, 0x0A, "Body"},
        {cp::airsyncbase::InstanceId, 17, 0x2D, "InstanceId"},
        {cp::settings::DeviceInformation, 18, 0x16, "DeviceInformation"},
        {cp::settings::RightsManagementInformation, 18, 0x2B, "RightsManagementInformation"},
        {cp::documentlibrary::ContentType, 19, 0x0C, "ContentType"},
        {cp::itemoperations::MoveAlways, 20, 0x19, "MoveAlways"},
        {cp::composemail::MIME, 21, 0x10, "MIME"},
        {cp::composemail::ForwardeeEmail, 21, 0x18, "ForwardeeEmail"},
        {cp::email2::Send, 22, 0x17, "Send"},
        {cp::notes::Category, 23, 0x09, "Category"},
        {cp::rightsmanagement::RemoveRightsManagementDistribution, 24, 0x18,
         "RemoveRightsManagementDistribution"},
        {cp::find::DeepTraversal, 25, 0x0E, "DeepTraversal"},
        {cp::find::GalSearchCriterion, 25, 0x19, "GalSearchCriterion"},
        {cp::find::Picture, 25, 0x22, "Picture"},
    };
    for (const Expect& e : cases) {
        SCOPED_TRACE(e.name);
        EXPECT_EQ(e.tag, (Tag{e.page, e.token}));
        EXPECT_EQ(tag_name(e.tag), e.name);
    }
}

TEST(WbxmlCodePages, UnassignedTokensAreUnknown) {
    for (uint8_t page = 0; page < kPageCount; ++page)
        for (uint8_t token = 0; token < 5; ++token)
            EXPECT_FALSE(is_known(Tag{page, token})) << int(page) << " " << int(token);
    EXPECT_FALSE(is_known(Tag{cp::search::kPage, 0x06}));
    EXPECT_FALSE(is_known(Tag{cp::search::kPage, 0x16}));
    EXPECT_FALSE(is_known(Tag{cp::find::kPage, 0x0F}));
    EXPECT_FALSE(is_known(Tag{cp::find::kPage, 0x1A}));
    EXPECT_FALSE(is_known(Tag{cp::airsyncbase::kPage, 0x09}));
    EXPECT_FALSE(is_known(Tag{cp::settings::kPage, 0x2A}));
    EXPECT_FALSE(is_known(Tag{26, 0x05}));
    EXPECT_FALSE(is_known(Tag{0, 0x40}));
    EXPECT_EQ(tag_name(Tag{cp::move::kPage, 0x0D}), "");
    EXPECT_EQ(tag_by_name(cp::airsync::kPage, "Nope"), std::nullopt);
    EXPECT_EQ(tag_by_name(cp::airsync::kPage, "sync"), std::nullopt);  // names are case-sensitive
    EXPECT_EQ(tag_by_name(26, "Sync"), std::nullopt);
}

TEST(WbxmlCodePages, AcceptsLibwbxmlSpellingsOnInputOnly) {
    EXPECT_EQ(tag_by_name(cp::email::kPage, "Reply-To"), cp::email::ReplyTo);
    EXPECT_EQ(tag_by_name(cp::email::kPage, "AttOId"), cp::email::Att0Id);
    EXPECT_EQ(tag_by_name(cp::provision::kPage, "DeviceEncryptionEnabled"),
              cp::provision::RequireStorageCardEncryption);
    EXPECT_EQ(tag_by_name(cp::settings::kPage, "ihsManagementInformation"),
              cp::settings::RightsManagementInformation);
    EXPECT_EQ(tag_name(cp::email::ReplyTo), "ReplyTo");
    EXPECT_EQ(tag_by_name(cp::contacts::kPage, "Reply-To"), std::nullopt);
}

TEST(WbxmlCodePages, FlagsMarkLegacyAndByteArrayTags) {
    std::set<std::string> binary;
    size_t legacy = 0;
    for (const TagInfo& t : all_tags()) {
        if (t.flags & kBinary)
            binary.insert(std::string(page_name(t.tag.page)) + ":" + std::string(t.name));
        if (t.flags & kLegacy) ++legacy;
    }
    // MS-ASCMD types these as byte arrays; libwbxml treats the same eight as binary.
    EXPECT_EQ(binary, (std::set<std::string>{"AirSyncBase:Content", "ComposeMail:MIME",
                                             "Email2:ConversationId", "Email2:ConversationIndex",
                                             "GAL:Data", "ItemOperations:ConversationId",
                                             "ResolveRecipients:Data", "Search:ConversationId"}));
    EXPECT_EQ(legacy, 60u);
    EXPECT_TRUE(tag_info(cp::email::Body)->flags & kLegacy);
    EXPECT_FALSE(tag_info(cp::airsyncbase::Body)->flags & kLegacy);
}

// Every token of every page survives the codec: encoded as an empty element, decoded by token.
TEST(WbxmlCodePages, EveryTokenEncodesAndDecodes) {
    for (uint8_t page = 0; page < kPageCount; ++page) {
        const auto tags = page_tags(page);
        std::string body;
        Encoder enc(body);
        enc.start(tags.front().tag);
        for (const TagInfo& t : tags)
            enc.empty(t.tag);
        enc.end();
        ASSERT_TRUE(enc.finish());
        auto doc = decode(body);
        ASSERT_TRUE(doc) << doc.error().message;
        size_t i = 0;
        for (Element e : doc->root().children()) {
            ASSERT_LT(i, tags.size());
            EXPECT_EQ(e.tag(), tags[i].tag);
            EXPECT_EQ(e.name(), tags[i].name);
            ++i;
        }
        EXPECT_EQ(i, tags.size());
    }
}

}  // namespace
}  // namespace sb::wbxml
