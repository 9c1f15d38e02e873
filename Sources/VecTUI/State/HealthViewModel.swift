import VecCore

/// The health view (h): the report `vecscope stats` prints, read on the background queue.
public struct HealthViewModel: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        case loading
        case loaded(StatsBody)
        case failed(TUIError)
    }

    public var phase: Phase = .loading
    /// First visible line of the report.
    public var scroll = 0

    public init() {}
}
