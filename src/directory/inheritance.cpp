#include "directory/inheritance.hpp"

namespace sb::directory {
namespace {

const std::vector<std::string>* values_in(const AttrMap& m, std::string_view name) {
    auto it = m.find(name);
    if (it == m.end() || it->second.empty()) return nullptr;
    return &it->second;
}

}  // namespace

std::string_view Resolved::first() const {
    if (values) return values->front();
    return builtin;
}

EffectiveValue Resolved::effective() const {
    EffectiveValue ev;
    if (values) ev.values = *values;
    switch (origin) {
        case Origin::none:
            break;
        case Origin::account:
            ev.source = "account";
            break;
        case Origin::cos:
            ev.source = "cos " + std::string(level);
            break;
        case Origin::domain:
            ev.source = "domain " + std::string(level);
            break;
        case Origin::global:
            ev.source = "global";
            break;
        case Origin::builtin:
            ev.values = {std::string(builtin)};
            ev.source = "default";
            break;
    }
    return ev;
}

void SettingLevels::add_domain(Level domain) {
    const int64_t id = domain.id;
    domains_.insert_or_assign(id, std::move(domain));
}

void SettingLevels::add_cos(Level cos) {
    const int64_t id = cos.id;
    cos_keys_.insert_or_assign(cos.name, id);
    cos_keys_.insert_or_assign(cos.uuid, id);
    cos_.insert_or_assign(id, std::move(cos));
}

void SettingLevels::add_account_ref(std::string uuid, int64_t account_id) {
    account_refs_.insert_or_assign(std::move(uuid), account_id);
}

std::optional<int64_t> SettingLevels::account_ref(std::string_view uuid) const {
    auto it = account_refs_.find(uuid);
    if (it == account_refs_.end()) return std::nullopt;
    return it->second;
}

const Level* SettingLevels::domain(int64_t id) const {
    auto it = domains_.find(id);
    return it == domains_.end() ? nullptr : &it->second;
}

std::string_view cos_key(const AttrMap& account, const AttrMap* domain) {
    if (auto v = values_in(account, "zimbraCOSId")) return v->front();
    if (domain)
        if (auto v = values_in(*domain, "zimbraDomainDefaultCOSId")) return v->front();
    return kDefaultCos;
}

const Level* SettingLevels::cos_of(const AttrMap& account, const Level* domain) const {
    auto key = cos_keys_.find(cos_key(account, domain ? &domain->attrs : nullptr));
    if (key == cos_keys_.end()) key = cos_keys_.find(kDefaultCos);
    if (key == cos_keys_.end()) return nullptr;
    auto it = cos_.find(key->second);
    return it == cos_.end() ? nullptr : &it->second;
}

Resolved SettingLevels::resolve(const AttrMap& account, int64_t domain_id,
                                const AttrDef& def) const {
    if (auto v = values_in(account, def.name)) return {Origin::account, v, {}, {}};
    if (!def.inherited) return {};
    const Level* domain = this->domain(domain_id);
    if (const Level* cos = cos_of(account, domain))
        if (auto v = values_in(cos->attrs, def.name)) return {Origin::cos, v, {}, cos->name};
    if (domain)
        if (auto v = values_in(domain->attrs, def.name))
            return {Origin::domain, v, {}, domain->name};
    if (auto v = values_in(global_, def.name)) return {Origin::global, v, {}, {}};
    if (!def.builtin.empty()) return {Origin::builtin, nullptr, def.builtin, {}};
    return {};
}

EffectiveValue account_value(const Account& a, const AttrDef& def) {
    EffectiveValue ev;
    ev.source = "account";
    if (def.storage == AttrStorage::status) {
        ev.values = {std::string(status_name(a.status))};
    } else if (def.name == "zimbraId") {
        ev.values = {a.uuid};
    } else if (def.name == "mail") {
        ev.values = {a.address};
    } else if (def.name == "zimbraMailAlias") {
        ev.values = a.aliases;
    } else if (def.name == "zimbraCreateTimestamp") {
        ev.values = {std::to_string(a.created_at)};
    }
    return ev;
}

}  // namespace sb::directory
