// PageMap: see ARCHITECTURE.md
//
// Frame-level truth for copy-on-write experiments (issue #6). smaps gives sums;
// this module says which pages were copied.
//
//   PageMapEntry, PageFlags       decoding of /proc/PID/pagemap and /proc/kpageflags words
//   PageMapReader                 one pread of a region's pagemap
//   KPageCount, KPageFlags        per-frame tables, contiguous frames batched
//   FrameTable, FrameIndex        one lookup shared by all regions of a step
//   PageInfo, RegionPages         per page and per region, with counts
//   FrameJoin                     parent vs child: shared, copied, only one side
//   FrameCrossCheck               smaps figures against the frames, as findings
//   FrameCapabilities             what this process may read (root or not)
//
// Without CAP_SYS_ADMIN pagemap frame numbers read as 0 and the kpage files are
// unreadable: that is a capability, not an error. Present and exclusive bits are
// still known, and FrameJoin falls back on them (`.framesHidden`).
