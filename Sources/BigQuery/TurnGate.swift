/// Lets tasks through one at a time in ticket order (0, 1, 2, …): each waits for its turn and
/// passes it on when done.
actor TurnGate {
    private var turn = 0
    private var waiting: [Int: CheckedContinuation<Void, Never>] = [:]

    /// Returns once it is `ticket`'s turn.
    func wait(for ticket: Int) async {
        guard ticket != turn else { return }
        await withCheckedContinuation { waiting[ticket] = $0 }
    }

    /// Ends the current turn: the next ticket may go.
    func pass() {
        turn += 1
        waiting.removeValue(forKey: turn)?.resume()
    }
}
