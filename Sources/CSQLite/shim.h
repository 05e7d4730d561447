#ifndef AEROLITH_CSQLITE_SHIM_H
#define AEROLITH_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro that casts -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type aerolith_sqlite_transient(void) { return SQLITE_TRANSIENT; }
/// Turns off SQLite's memory statistics, which take one process-wide mutex on every allocation:
/// a low-priority thread holding it would make every other connection wait (priority inversion).
/// Must run before SQLite initializes, that is before the first connection opens.
static inline int aerolith_sqlite_disable_memory_statistics(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }
#endif
