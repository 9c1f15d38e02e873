import Foundation
import HTTPTypes
import TestSupport
import Testing
import VecCore

@testable import VecAPI

/// The pool's bounds: one request per connection, a queue of a set length, a deadline for waiting; past them,
/// `PoolBusy` (503 with Retry-After through the API).
@Suite struct DatabasePoolTests {
    static func pool(connections: Int, queue: Int, deadline: Duration) throws -> DatabasePool {
        var configuration = API.configuration()
        configuration.connections = connections
        configuration.maxQueuedRequests = queue
        configuration.requestDeadline = deadline
        return APIServer.pool(configuration: configuration, url: try FixtureDatabase.connectionURL())
    }

    /// Holds a worker until opened, and says when it has one, so the tests do not depend on timing.
    final class Gate: @unchecked Sendable {  // `entered` under the lock; the semaphore is thread-safe
        private let lock = NSLock()
        private var entered = false
        private let release = DispatchSemaphore(value: 0)

        func hold() {
            lock.withLock { entered = true }
            _ = release.wait(timeout: .now() + 30)
        }

        func open() { release.signal() }

        func waitUntilHeld() async throws {
            while !lock.withLock({ entered }) { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    @Test func aFullQueueRefusesAtOnce() async throws {
        let pool = try Self.pool(connections: 1, queue: 0, deadline: .seconds(30))
        let gate = Gate()
        async let holder: Void = pool.withWorker { _ in gate.hold() }
        try await gate.waitUntilHeld()
        let started = ContinuousClock.now
        await #expect(throws: PoolBusy.self) { try await pool.withWorker { _ in } }
        #expect(ContinuousClock.now - started < .seconds(5), "it waited for the 30 s deadline instead")
        gate.open()
        try await holder
        try await pool.withWorker { worker in try worker.connection.ping() }  // free again
        try await pool.shutdown()
    }

    @Test func aQueuedRequestGivesUpAtItsDeadline() async throws {
        let pool = try Self.pool(connections: 1, queue: 4, deadline: .milliseconds(200))
        let gate = Gate()
        async let holder: Void = pool.withWorker { _ in gate.hold() }
        try await gate.waitUntilHeld()
        let error = await #expect(throws: PoolBusy.self) { try await pool.withWorker { _ in } }
        #expect(error?.reason == .waitedTooLong)
        gate.open()
        try await holder
        try await pool.shutdown()
    }

    @Test func busyIsA503WithRetryAfter() {
        for reason in [PoolBusy.Reason.queueFull, .waitedTooLong] {
            let error = APIError(PoolBusy(reason: reason))
            #expect(error.status == .serviceUnavailable)
            #expect(error.code == "busy")
            #expect(error.headers[.retryAfter] == "5")
        }
    }

    @Test func requestsBeyondTheConnectionsWaitTheirTurn() async throws {
        let pool = try Self.pool(connections: 2, queue: 16, deadline: .seconds(120))
        let backends = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<10 {
                group.addTask { try await pool.withWorker { worker in try worker.connection.backendPID } }
            }
            return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
        }
        #expect(backends.count <= 2)
        try await pool.shutdown()
    }
}
