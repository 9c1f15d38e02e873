import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import VecCore

/// The API's database connections: a fixed set of workers, each owning one connection and a `SearchEngine` on it,
/// lent to one request at a time and run on a thread of their own, so libpq's blocking calls never hold an event
/// loop. Requests beyond the workers wait in a bounded queue, each until its deadline; past either, 503.
public final class DatabasePool: Sendable {
    /// One connection and the engine on it. Only the pool hands a worker out, to one request at a time, which is
    /// what makes the unsynchronised state safe to share.
    public final class Worker: @unchecked Sendable {
        private let connect: @Sendable () throws -> Connection
        private let makeEmbedder: (@Sendable (EmbeddingModel) throws -> any Embedder)?
        private let keywordIndexes: KeywordIndexStore
        private var current: SearchEngine?

        init(
            connect: @escaping @Sendable () throws -> Connection,
            makeEmbedder: (@Sendable (EmbeddingModel) throws -> any Embedder)?, keywordIndexes: KeywordIndexStore
        ) {
            self.connect = connect
            self.makeEmbedder = makeEmbedder
            self.keywordIndexes = keywordIndexes
        }

        /// The engine on a live connection, connecting again when the last one broke.
        public func engine() throws -> SearchEngine {
            if let current, current.connection.isAlive { return current }
            current = nil
            let connection = try connect()
            let engine =
                if let makeEmbedder {
                    SearchEngine(connection: connection, makeEmbedder: makeEmbedder)
                } else {
                    SearchEngine(connection: connection)
                }
            engine.keywordIndexes = keywordIndexes  // a server searches many texts; one index for all workers
            current = engine
            return engine
        }

        public var connection: Connection {
            get throws { try engine().connection }
        }

        /// Forgets a connection that failed, so the next request connects afresh.
        func discardIfBroken(after error: any Error) {
            if let error = error as? PostgresError, error.kind == .connection { current = nil }
        }
    }

    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Worker, any Error>
    }

    private struct State {
        var idle: [Worker]
        var waiters: [Waiter] = []
        var nextWaiterID = 0
    }

    private let state: NIOLockedValueBox<State>
    private let threads: NIOThreadPool
    private let maxQueued: Int
    private let deadline: Duration

    /// `connect` opens one connection (called lazily per worker, and again after a connection breaks).
    public init(configuration: APIConfiguration, connect: @escaping @Sendable () throws -> Connection) {
        let keywordIndexes = KeywordIndexStore()
        let workers = (0..<max(1, configuration.connections)).map { _ in
            Worker(connect: connect, makeEmbedder: configuration.makeEmbedder, keywordIndexes: keywordIndexes)
        }
        state = NIOLockedValueBox(State(idle: workers))
        threads = NIOThreadPool(numberOfThreads: workers.count)
        threads.start()
        maxQueued = configuration.maxQueuedRequests
        deadline = configuration.requestDeadline
    }

    /// Runs `body` on a worker's thread with the worker lent to it alone.
    public func withWorker<T: Sendable>(_ body: @escaping @Sendable (Worker) throws -> T) async throws -> T {
        let worker = try await acquire()
        defer { release(worker) }
        return try await threads.runIfActive {
            do {
                return try body(worker)
            } catch {
                worker.discardIfBroken(after: error)
                throw error
            }
        }
    }

    /// Opens every connection and warms it (`SearchEngine.warmUp`), all at once, so the first requests find them
    /// ready; returns how many were warmed. A connection that fails is logged and left to connect on first use.
    public func warmUp(model: String, logger: Logger) async -> Int {
        let count = state.withLockedValue { $0.idle.count }
        return await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<count {
                group.addTask {
                    do {
                        try await self.withWorker { try $0.engine().warmUp(model: model) }
                        return true
                    } catch {
                        logger.warning("warming a connection failed: \(ErrorReport(error).oneLine)")
                        return false
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
    }

    /// Stops the threads once the requests on them have finished.
    public func shutdown() async throws {
        try await threads.shutdownGracefully()
    }

    private func acquire() async throws -> Worker {
        enum Outcome {
            case ready(Worker)
            case full
            case queued(Int)
        }
        let deadline = self.deadline
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Worker, any Error>) in
            let outcome = state.withLockedValue { state -> Outcome in
                if let worker = state.idle.popLast() { return .ready(worker) }
                guard state.waiters.count < maxQueued else { return .full }
                state.nextWaiterID += 1
                state.waiters.append(Waiter(id: state.nextWaiterID, continuation: continuation))
                return .queued(state.nextWaiterID)
            }
            switch outcome {
            case .ready(let worker):
                continuation.resume(returning: worker)
            case .full:
                continuation.resume(throwing: PoolBusy(reason: .queueFull))
            case .queued(let id):
                Task {
                    try? await Task.sleep(for: deadline)
                    self.expire(id)
                }
            }
        }
    }

    private func expire(_ id: Int) {
        let waiter = state.withLockedValue { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: PoolBusy(reason: .waitedTooLong))
    }

    private func release(_ worker: Worker) {
        let waiter = state.withLockedValue { state -> Waiter? in
            if state.waiters.isEmpty {
                state.idle.append(worker)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: worker)
    }
}

/// No connection was free in time: the server is saturated, and the client should retry later.
public struct PoolBusy: Error, ReportableError {
    public enum Reason: Sendable { case queueFull, waitedTooLong }
    public var reason: Reason

    public var report: ErrorReport {
        switch reason {
        case .queueFull:
            ErrorReport(
                what: "the server is busy", why: "every database connection is in use and the queue is full",
                fix: "Retry after the Retry-After seconds, or start serve with more --connections.")
        case .waitedTooLong:
            ErrorReport(
                what: "the server is busy", why: "no database connection came free before the request's deadline",
                fix: "Retry after the Retry-After seconds, or start serve with more --connections.")
        }
    }
}
