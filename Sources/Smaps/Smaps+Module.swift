// Smaps: a byte-level parser and model of /proc/PID/smaps and smaps_rollup.
//
// Reading
//   SmapsSnapshot.read(pid:procRoot:)         live /proc/PID/smaps (read ahead on a second thread)
//   SmapsSnapshot.readRollup(pid:procRoot:)   /proc/PID/smaps_rollup: one `[rollup]` Mapping
//   SmapsSnapshot.read(path:)                 a saved smaps or smaps_rollup file
//   SmapsSnapshot(parsing:source:)            bytes in memory
//   readWholeFile(_:)                         a read(2) loop; Foundation truncates /proc files
//
// Model
//   Mapping: the header (range, perms, offset, device, inode, pathname with
//   spaces, ` (deleted)` flagged), every `Key: N kB` line in file order
//   (unknown keys kept), VmFlags, THPeligible, ProtectionKey, Android `Name:`,
//   and other non-kB lines as attributes. Kernels 2.6 (no Pss) to 6.18, 32-
//   and 64-bit addresses.
//   SmapsSnapshot: lookups by address (binary search when sorted), sums over
//   all / named / unnamed / one pathname, totals(), invariantViolations().
//   SmapsDiff: new / changed / gone, matched by start address like Perl's
//   Linux::Smaps, with each changed field and its delta.
//   clearRefs(pid:value:): writes 1-5 to /proc/PID/clear_refs.
//
// Which Pss
//   The kernel truncates each mapping's Pss to whole kB. smaps_rollup adds up
//   the exact values and truncates once, so the Pss summed over smaps comes
//   out a little below the rollup's Pss (LiveTests shows this on
//   /proc/self). Every total here is a plain sum of what the file says.
//
// Errors
//   SmapsError: every malformed input gives `FILE:LINE: byte OFF: message`
//   and never a trap. That covers binary garbage, a cut-off file, a kB line
//   before any header, numbers that overflow, and an empty file. Reading a
//   pid gives distinct errors for no such pid, a process that exited during
//   the read, and EACCES/EPERM.
//
// The prometheus fixture
//   It ends with the framing of the ttar archive it was cut from: a
//   `Mode: 644` line, then `# ttar - - -`. The parser rejects the `#` line
//   with a located error (`…:254: byte 7577: unexpected comment or archive
//   line`) instead of skipping it, because a parser that skips lines it does
//   not know accepts input that is not smaps without a word. `Mode: 644` on
//   its own is a well-formed unknown non-kB line and would be kept as an
//   attribute. ErrorTests.prometheusArchiveLineIsRejected is the test for
//   this; the fixture tests parse the file without its last two lines.
//
// Output
//   SmapsTable (pmap -X-like, with totals), SmapsDiffTable, SmapsJSON
//   (format cowlab-smaps/1), and SmapsFrontend. The frontend is what the CLI
//   subcommands `snapshot` and `diff` call: exit status 3 for bad input, 64
//   for bad usage.
//
// Performance: see BENCHMARKS.md.
