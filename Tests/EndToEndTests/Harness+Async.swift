import Foundation

// Async overloads of the harness's blocking calls. An async test runs on the shared task pool, which
// has as many threads as cores: a test waiting there for a command (or a browser, or curl) keeps a
// thread from every other test, and the in-process hosts of other suites stop answering. In an async
// context Swift picks these overloads, which wait on a thread of their own (see `offloaded`).

extension Harness {
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in directory: String? = nil,
                    environment extra: [String: String] = [:]) async throws -> Output {
        try await offloaded { try run(executable, arguments, in: directory, environment: extra) }
    }

    @discardableResult
    static func conveyor(_ arguments: [String], in directory: String? = nil,
                         environment extra: [String: String] = [:]) async throws -> Output {
        try await offloaded { try conveyor(arguments, in: directory, environment: extra) }
    }

    static func bq(_ arguments: [String], in directory: String) async throws -> String {
        try await offloaded { try bq(arguments, in: directory) }
    }
}

extension ServeHost {
    static func curl(_ arguments: [String]) async throws -> String {
        try await offloaded { try curl(arguments) }
    }
}

extension Chromium {
    static func dumpDOM(_ url: String) async throws -> String {
        try await offloaded { try dumpDOM(url) }
    }

    @discardableResult
    static func screenshot(_ url: String, name: String) async throws -> String {
        try await offloaded { try screenshot(url, name: name) }
    }
}
