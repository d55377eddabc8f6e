import BigQueryStorage
import GoogleAuth
import GRPCCore
import GRPCProtobuf
import Synchronization

/// One bidirectional `AppendRows` call: requests are written in order and their responses
/// come back in the same order, so several requests can be in flight at once.
///
/// Requests and responses flow through async streams; the call runs in its own task until
/// ``close()`` or an error ends it.
final class AppendConnection: Sendable {
    typealias Request = AppendRequest
    typealias Response = Google_Cloud_Bigquery_Storage_V1_AppendRowsResponse

    private let requests: AsyncStream<Request>.Continuation
    let responses: AsyncThrowingStream<Response, any Error>
    private let call: Task<Void, Never>
    /// The token the call was opened with (to invalidate on UNAUTHENTICATED).
    let token: AccessToken?

    init(client: GRPCClient<StorageWriteClient.Transport>, metadata: Metadata, token: AccessToken?) {
        let (requestStream, requests) = AsyncStream<Request>.makeStream()
        let (responses, responseSink) = AsyncThrowingStream<Response, any Error>.makeStream()
        self.requests = requests
        self.responses = responses
        self.token = token
        let request = StreamingClientRequest<Request>(metadata: metadata) { writer in
            for await message in requestStream { try await writer.write(message) }
        }
        call = Task {
            do {
                try await client.bidirectionalStreaming(
                    request: request, descriptor: Google_Cloud_Bigquery_Storage_V1_BigQueryWrite.Method.AppendRows.descriptor,
                    serializer: AppendRequestSerializer(), deserializer: ProtobufDeserializer<Response>(), options: .defaults
                ) { response in
                    for try await message in response.messages { responseSink.yield(message) }
                }
                responseSink.finish()
            } catch {
                responseSink.finish(throwing: error)
            }
        }
    }

    /// Queues a request; its response arrives on ``responses`` after those of earlier requests.
    func send(_ request: Request) {
        requests.yield(request)
    }

    /// Ends the request side and waits for the call to finish, at most `limit`: a far end that
    /// stopped answering would keep the call open for ever (the run with it), so after `limit` the
    /// call is cancelled.
    func close(within limit: Duration) async {
        requests.finish()
        await call.end(within: limit)
    }

    /// Ends the call at once.
    func cancel() {
        requests.finish()
        call.cancel()
    }

    /// Ends the call because a response took longer than the request timeout: every request
    /// still waiting on it failed for that reason, whichever call sent it (``timedOut``).
    func cancelForTimeout() {
        timeout.store(true, ordering: .releasing)
        cancel()
    }

    /// Set when ``cancelForTimeout()`` ended the call.
    var timedOut: Bool { timeout.load(ordering: .acquiring) }
    private let timeout = Atomic<Bool>(false)
}
