// The mapping between a WorkspaceRecord and a row of the `workspaces` table:
// the column list the store's statements share, and binding and reading it.
#pragma once

#include "controller/state/sqlite_statement.h"
#include "controller/state/state_store.h"

namespace wsop::state::sqlite {

// Every column of `workspaces`, in the order bind_record() and read_record()
// use: SELECT kWorkspaceColumns ... reads a record, and INSERT (...)
// VALUES (?1..?kWorkspaceColumnCount) writes one.
extern const char* const kWorkspaceColumns;
inline constexpr int kWorkspaceColumnCount = 27;

// Binds `record` to parameters 1..kWorkspaceColumnCount.
void bind_record(StatementUse& use, const WorkspaceRecord& record);

// Binds `conditions` to eight parameters from `first` (ready, then synced:
// status, reason, message, last transition).
void bind_conditions(StatementUse& use, int first, const model::Conditions& conditions);

// Reads the current row, selected as kWorkspaceColumns. kInternal when a
// stored value is not one this binary can read (a damaged or foreign file).
Outcome<WorkspaceRecord> read_record(const StatementUse& use);

// Milliseconds since the Unix epoch, as stored.
int64_t to_millis(Time time);
Time from_millis(int64_t millis);

}  // namespace wsop::state::sqlite
