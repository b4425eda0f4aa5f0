#pragma once
// The cluster backend: any number of Switchboard nodes share one PostgreSQL database.
//
// - write() runs fn in a SERIALIZABLE transaction. Repositories are written as if they were
//   alone (read, decide, write), as they are with SQLite's single writer; SERIALIZABLE keeps that
//   true across nodes: PostgreSQL aborts a transaction whose outcome would differ from some
//   serial order (SQLSTATE 40001, or 40P01 for a deadlock) and write() then runs fn again on a
//   fresh snapshot, up to write_attempts times with a short random backoff. So fn may run more
//   than once: it must keep its effects inside the transaction (or reset captured state first).
// - read() runs fn in a REPEATABLE READ READ ONLY transaction: one snapshot, writes refused.
// - Unlike SQLite, a failed statement aborts the whole transaction: later statements in the same
//   fn fail too, and the transaction rolls back even if fn swallows the error.
// - Changes queued with Tx::notify reach this node's subscribers right after the commit, on the
//   committing thread, and the other nodes' subscribers through NOTIFY on channel
//   switchboard_changes, sent inside the transaction so that only committed changes travel.
//   Other nodes' changes arrive on the store's listener thread (started by the first
//   subscribe()), so subscribers must be thread-safe; the thread runs until the Database is
//   destroyed. After the listener reconnects it announces a change
//   with subject 0 on every channel, since notifications may have been lost meanwhile.
// - Connections come from a bounded pool; a connection found broken is replaced and the
//   transaction retried when nothing of it can have been committed.
#include <memory>
#include <string>

#include "store/database.hpp"

namespace sb::store::postgres {

// `url`: see settings.hpp. Fails with Errc::unavailable when the server cannot be reached.
Result<std::unique_ptr<Database>> open(const std::string& url);

}  // namespace sb::store::postgres
