import VecCore

/// The set-up screen, drawn instead of the panes while the database is being prepared: on the first run it loads
/// and embeds the fixtures at once, and a few missing vectors (new or changed artifacts) are embedded at once too;
/// above `askAbove` it asks first (thousands of texts take many minutes, and the user may only want to look around).
public struct SetupModel: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        /// Waiting for Enter (embed now) or Esc (skip).
        case asking
        case running
        case failed(String)
    }

    public var plan: DemoSetup.Plan
    public var phase: Phase
    /// Start without asking as soon as the TUI is up (the first run on an empty database).
    public var startsAutomatically: Bool
    public var progress: DemoSetup.Progress?
    /// When the run and the current step started (monotonic seconds), for elapsed time and rate.
    public var startedAt: Double = 0
    public var stepStartedAt: Double = 0
    /// One line per finished step.
    public var finishedSteps: [String] = []

    /// Missing vectors embedded without asking (MiniLM does ~20–60 artifacts/s here: under two minutes).
    public static let askAbove = 2_000

    public init(plan: DemoSetup.Plan) {
        self.plan = plan
        self.startsAutomatically = plan.loadsFixtures || plan.artifactsToEmbed <= Self.askAbove
        self.phase = .asking
    }
}
