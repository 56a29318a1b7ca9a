import CCowlabShim

/// SIGINT, SIGTERM and SIGHUP during a run: the handler only records the signal;
/// the run notices it (a poll on a subject returns EINTR, or between steps),
/// kills and reaps its subjects, removes its files, and the CLI exits 128 + signal.
public enum Interrupts {
    /// Installs the recording handlers. Call once, from the thread that runs scenarios.
    public static func install() {
        _ = cowlab_install_interrupt_handlers()
    }

    /// The signal received, if any.
    public static var pending: Int32? {
        let s = cowlab_interrupted_signal()
        return s == 0 ? nil : s
    }
}
