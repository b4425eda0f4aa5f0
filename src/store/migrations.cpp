#include "store/migrations.hpp"

#include <fmt/format.h>

#include "core/strings.hpp"

namespace sb::store {
namespace {

// Nodes of a cluster may start together against one PostgreSQL database: every migration
// transaction first takes this transaction-scoped advisory lock, so they migrate one at a time.
constexpr int64_t kMigrationLock = 0x53424d4947524154;  // "SBMIGRAT"

// The error of a migration another node recorded first (not a failure: it is applied).
constexpr std::string_view kAppliedElsewhere = "schema migration applied by another node";

Result<void> lock_migrations(Database& db, Tx& tx) {
    if (db.dialect() != "postgresql") return {};
    return tx.query("SELECT pg_advisory_xact_lock(?)", {kMigrationLock}).map([](Rows) {});
}

Result<void> create_version_table(Database& db) {
    return db.write([&](Tx& tx) -> Result<void> {
        SB_TRY(lock_migrations(db, tx));
        return tx.script(
            "CREATE TABLE IF NOT EXISTS schema_migrations (module TEXT NOT NULL, version INTEGER "
            "NOT NULL, "
            "name TEXT NOT NULL, applied_at BIGINT NOT NULL, PRIMARY KEY (module, version))");
    });
}

Result<int64_t> applied_version(Database& db, const std::string& module) {
    return db.read([&](Tx& tx) {
        return tx.scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE module = ?",
                         {module});
    });
}

// One migration in its own transaction; nothing when another node applied it meanwhile.
Result<void> apply(Database& db, const std::string& module, const Migration& m) {
    const bool own_script = db.dialect() == "postgresql" && !m.postgresql.empty();
    const std::string script = expand(own_script ? m.postgresql : m.script, db.dialect());
    auto r = db.write([&](Tx& tx) -> Result<void> {
        SB_TRY(lock_migrations(db, tx));
        // Another node may have applied it since the version was read.
        SB_TRY_ASSIGN(
            auto done,
            tx.scalar("SELECT COUNT(*) FROM schema_migrations WHERE module = ? AND version = ?",
                      {module, int64_t{m.version}}));
        if (done > 0) return {};
        // Recorded before the script runs, so a node whose snapshot predates another node's
        // commit of the same migration fails here (unique key) instead of in the script.
        auto recorded = tx.exec(
            "INSERT INTO schema_migrations (module, version, name, applied_at) VALUES (?, ?, "
            "?, ?)",
            {module, int64_t{m.version}, std::string(m.name), now_ms()});
        if (!recorded && recorded.error().code == Errc::already_exists)
            return fail(Errc::already_exists, std::string(kAppliedElsewhere));
        SB_TRY(std::move(recorded));
        SB_TRY(tx.script(script));
        if (m.convert) return m.convert(tx, db.dialect());
        return {};
    });
    if (r || r.error().message == kAppliedElsewhere) return {};
    return fail(r.error().code, fmt::format("schema migration {} {} ({}) failed: {}", module,
                                            m.version, m.name, r.error().message));
}

}  // namespace

std::string expand(std::string_view script, std::string_view dialect) {
    const bool postgresql = dialect == "postgresql";
    std::string out(script);
    for (const auto& w : kDialectWords) {
        const std::string_view with = postgresql ? w.postgresql : w.sqlite;
        for (size_t at = out.find(w.word); at != std::string::npos;
             at = out.find(w.word, at + with.size()))
            out.replace(at, w.word.size(), with);
    }
    return out;
}

Result<void> migrate(Database& db, const ModuleMigrations& module) {
    SB_TRY(create_version_table(db));
    if (module.list.empty()) return {};
    const std::string name(module.module);
    SB_TRY_ASSIGN(auto have, applied_version(db, name));
    if (have > module.list.back().version)
        return fail(
            Errc::unavailable,
            fmt::format(
                "the database has {} schema version {}, newer than this Switchboard knows ({}); "
                "run a newer Switchboard or restore a backup",
                name, have, module.list.back().version));
    for (const auto& m : module.list)
        if (m.version > have) SB_TRY(apply(db, name, m));
    return {};
}

Result<void> migrate(Database& db, std::span<const ModuleMigrations* const> registry) {
    for (const ModuleMigrations* module : registry)
        SB_TRY(migrate(db, *module));
    return {};
}

}  // namespace sb::store
