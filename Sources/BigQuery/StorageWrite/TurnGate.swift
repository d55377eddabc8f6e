/// Tickets served in order (0, 1, 2, …), for state isolated to one actor: a ticket's holder
/// waits until its turn (``isTurn(_:)``, else ``park(_:_:)``) and ``pass()``es it on when done.
struct TurnOrder {
    private var issued = 0
    private var turn = 0
    private var waiting: [Int: CheckedContinuation<Void, Never>] = [:]

    /// The next ticket.
    mutating func issue() -> Int {
        defer { issued += 1 }
        return issued
    }

    func isTurn(_ ticket: Int) -> Bool { ticket == turn }

    /// Keeps `continuation` until `ticket`'s turn comes.
    mutating func park(_ ticket: Int, _ continuation: CheckedContinuation<Void, Never>) {
        waiting[ticket] = continuation
    }

    /// Ends the current turn: the next ticket's holder, if it waits, goes on.
    mutating func pass() {
        turn += 1
        waiting.removeValue(forKey: turn)?.resume()
    }
}

/// Lets tasks through one at a time in ticket order (see ``TurnOrder``), across tasks that share
/// no actor.
actor TurnGate {
    private var order = TurnOrder()

    /// Returns once it is `ticket`'s turn.
    func wait(for ticket: Int) async {
        guard !order.isTurn(ticket) else { return }
        await withCheckedContinuation { order.park(ticket, $0) }
    }

    /// Ends the current turn: the next ticket may go.
    func pass() {
        order.pass()
    }
}
