import DocumentMapping

/// Starts BigQuery jobs under client-generated ids and waits for them to finish.
///
/// The job id is chosen before `jobs.insert`, so a retried insert names the same job: BigQuery
/// answers 409 Already Exists and the runner goes on with that job instead of starting it twice.
struct JobRunner: Sendable {
    let rest: JobsREST
    let clock: any JobClock

    /// A job id `conveyor_<execution>_<document>_<random>`, valid for BigQuery (letters, digits, `_`, `-`).
    static func newJobID(execution: String, document: Int, random: UInt32 = .random(in: 0...UInt32.max)) -> String {
        let cleaned = String(execution.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        let hex = String(random, radix: 16)
        return "conveyor_\(cleaned)_\(document)_\(String(repeating: "0", count: 8 - hex.count))\(hex)"
    }

    /// Inserts `job` (whose `jobReference` names project, id and location) and waits until it is
    /// DONE. Throws ``BigQueryJobError`` when the job fails or `timeout` passes first (nil: no limit).
    func run(job: JSONValue, project: String, jobID: String, location: String?, timeout: Duration?,
             purpose: String) async throws -> JSONValue {
        try await run(project: project, jobID: jobID, location: location, timeout: timeout, purpose: purpose) {
            try await rest.insertJob(project: project, job: job)
        }
    }

    /// Starts a job with `insert` (a plain insert or an upload) and waits as ``run(job:project:jobID:location:timeout:purpose:)``.
    func run(project: String, jobID: String, location: String?, timeout: Duration?, purpose: String,
             insert: () async throws -> JobsREST.InsertAnswer) async throws -> JSONValue {
        let start = clock.now()
        var current: JSONValue?
        switch try await insert() {
        case .created(let created): current = created
        case .alreadyExists: current = nil
        }
        var step = 0
        while true {
            if let job = current, Self.isDone(job) {
                if let failure = BigQueryJobError.failure(of: job, jobID: jobID, purpose: purpose) { throw failure }
                return job
            }
            let elapsed = clock.now() - start
            let target = PollSchedule.offset(ofPoll: step)
            if let timeout, elapsed >= timeout, current != nil {
                throw BigQueryJobError(jobID: jobID, purpose: purpose, kind: .stillRunning(timeout: timeout))
            }
            let wake = timeout.map { min(target, $0) } ?? target
            if wake > elapsed { try await clock.sleep(for: wake - elapsed) }
            current = try await rest.getJob(project: project, jobID: jobID, location: location)
            step += 1
        }
    }

    static func isDone(_ job: JSONValue) -> Bool {
        job[key: "status"]?[key: "state"]?.stringValue == "DONE"
    }
}
