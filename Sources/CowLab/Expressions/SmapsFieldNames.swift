/// The `Key: N kB` fields the kernel prints in /proc/PID/smaps (Linux 2.6 to 6.18).
/// Expectations may name only these, so `Shared_Dirt` is refused at load time.
public enum SmapsFieldNames {
    public static let ordered: [String] = [
        "Size", "KernelPageSize", "MMUPageSize", "Rss", "Pss", "Pss_Dirty", "Pss_Anon", "Pss_File",
        "Pss_Shmem", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Referenced",
        "Anonymous", "KSM", "LazyFree", "AnonHugePages", "ShmemPmdMapped", "FilePmdMapped",
        "Shared_Hugetlb", "Private_Hugetlb", "Swap", "SwapPss", "Locked",
    ]
    public static let all: Set<String> = Set(ordered)

    /// The fields a lab report shows for a region, in this order.
    public static let reported: [String] = [
        "Size", "Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty",
        "Referenced", "Anonymous", "AnonHugePages", "Swap", "Locked",
    ]
}
