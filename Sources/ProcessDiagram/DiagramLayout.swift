/// A point of a diagram, in pixels from its top-left corner.
public struct DiagramPoint: Sendable, Hashable {
    public var x: Int
    public var y: Int

    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
}

/// A rectangle of a diagram, in pixels.
public struct DiagramRect: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }

    /// Whether the two rectangles share any area (touching edges do not count).
    public func overlaps(_ other: DiagramRect) -> Bool {
        x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
    }

    /// Whether `point` lies on the rectangle's border.
    public func hasOnBorder(_ point: DiagramPoint) -> Bool {
        let inX = point.x >= x && point.x <= maxX, inY = point.y >= y && point.y <= maxY
        return (inY && (point.x == x || point.x == maxX)) || (inX && (point.y == y || point.y == maxY))
    }
}

/// How an edge is drawn: a polyline of horizontal and vertical pieces from its source's box to
/// its target's box, and where its label goes.
public struct EdgeRoute: Sendable, Hashable {
    /// From a point on the source's border to a point on the target's border.
    public var points: [DiagramPoint]
    /// The label's anchor point, next to the start of the edge.
    public var labelPosition: DiagramPoint
    /// Whether the label's text ends at ``labelPosition`` (an edge leaving to the left) rather than starting there.
    public var labelEndsAtPosition: Bool
    /// Whether the edge goes back against the left-to-right flow (a loop).
    public var isBackEdge: Bool
}

/// The sizes a layout assumes for text: a monospace font whose characters are `characterWidth`
/// pixels wide at `fontSize`.
public struct DiagramMetrics: Sendable, Hashable {
    public var fontSize = 12
    public var characterWidth = 7.3
    public var lineHeight = 16
    public var labelFontSize = 10
    public var labelCharacterWidth = 6.1
    /// Diagrams wider than this continue on another row of ranks below.
    public var maximumWidth = 1600

    public init() {}

    /// The width of `text` at the box font, rounded up.
    func width(of text: String) -> Int { Int((Double(text.count) * characterWidth).rounded(.up)) }

    /// The width of `text` at the label font, rounded up.
    func labelWidth(of text: String) -> Int { Int((Double(text.count) * labelCharacterWidth).rounded(.up)) }
}

/// A left-to-right layered layout of a ``DiagramGraph``.
///
/// Shapes are put in ranks by their longest path from the start (the edges that close a loop
/// are turned around for this, and drawn back), ordered within each rank by barycenter sweeps
/// that break ties by the order of the file, and sized from their text. Edges longer than one
/// rank pass through reserved slots of the ranks between, so they never cross a box. A diagram
/// wider than ``DiagramMetrics/maximumWidth`` wraps onto further rows of ranks. The layout
/// depends only on the graph: the same process always gives the same picture.
public struct DiagramLayout: Sendable {
    public var graph: DiagramGraph
    public var metrics: DiagramMetrics
    /// The box of each node of the graph, by index.
    public var boxes: [DiagramRect]
    /// The rank (column) of each node.
    public var ranks: [Int]
    /// How each edge of the graph is drawn, by index.
    public var routes: [EdgeRoute]
    public var width: Int
    public var height: Int

    /// Room above the first row for the title.
    static let titleHeight = 28
    static let margin = 16

    public init(graph: DiagramGraph, metrics: DiagramMetrics = DiagramMetrics()) {
        var builder = LayoutBuilder(graph: graph, metrics: metrics)
        builder.run()
        self.graph = graph
        self.metrics = metrics
        boxes = builder.boxes
        ranks = Array(builder.rank.prefix(graph.nodes.count))
        routes = builder.routes
        width = builder.canvasWidth
        height = builder.canvasHeight
    }
}

/// The working state of a layout. Items are the real nodes (indexes `0..<nodeCount`) followed by
/// the dummy items that carry long edges through the ranks they span.
struct LayoutBuilder {
    let graph: DiagramGraph
    let metrics: DiagramMetrics
    let nodeCount: Int

    /// Whether each edge closes a loop (found by a depth-first walk from the start).
    var isBack: [Bool] = []
    /// Rank of each item.
    var rank: [Int] = []
    /// Each edge's items in layered order (for a back edge: from its target to its source); empty for a self-loop.
    var chains: [[Int]] = []
    /// Per item: the segments leaving it (next item, edge) and entering it (previous item, edge).
    var successors: [[(item: Int, edge: Int)]] = []
    var predecessors: [[(item: Int, edge: Int)]] = []
    /// The items of each rank, in order.
    var layers: [[Int]] = []
    /// Position of each item within its rank.
    var position: [Int] = []
    /// Discovery order of each real node in a walk from the start (ties of the ordering).
    var discovery: [Int] = []

    // Geometry (filled by the extension in DiagramLayout+Geometry.swift).
    var itemWidth: [Int] = []
    var itemHeight: [Int] = []
    var centerY: [Int] = []
    var centerX: [Int] = []
    var boxes: [DiagramRect] = []
    var routes: [EdgeRoute] = []
    var canvasWidth = 0
    var canvasHeight = 0

    init(graph: DiagramGraph, metrics: DiagramMetrics) {
        self.graph = graph
        self.metrics = metrics
        nodeCount = graph.nodes.count
    }

    var itemCount: Int { rank.count }

    mutating func run() {
        findBackEdges()
        assignRanks()
        buildChains()
        order()
        sizeItems()
        assignY()
        placeAndRoute()
    }

    /// The real nodes in walking order: the start first, then every node not reached, in file order.
    private var roots: [Int] { (graph.start.map { [$0] } ?? []) + Array(0..<nodeCount) }

    /// Out-edges of each node, in edge order.
    private var outEdges: [[Int]] {
        var result = Array(repeating: [Int](), count: nodeCount)
        for (index, edge) in graph.edges.enumerated() { result[edge.from].append(index) }
        return result
    }

    /// Marks the edges that reach a node still on the walk's path (loops, self-loops included)
    /// and numbers the nodes in the order the walk discovers them.
    mutating func findBackEdges() {
        isBack = Array(repeating: false, count: graph.edges.count)
        discovery = Array(repeating: -1, count: nodeCount)
        let out = outEdges
        var state = Array(repeating: 0, count: nodeCount)  // 0 new, 1 on the path, 2 done
        var counter = 0
        for root in roots where state[root] == 0 {
            var stack: [(node: Int, next: Int)] = [(root, 0)]
            state[root] = 1
            discovery[root] = counter
            counter += 1
            while let top = stack.last {
                if top.next < out[top.node].count {
                    stack[stack.count - 1].next += 1
                    let edge = out[top.node][top.next]
                    let target = graph.edges[edge].to
                    switch state[target] {
                    case 1: isBack[edge] = true
                    case 0:
                        state[target] = 1
                        discovery[target] = counter
                        counter += 1
                        stack.append((target, 0))
                    default: break
                    }
                } else {
                    state[top.node] = 2
                    stack.removeLast()
                }
            }
        }
    }

    /// Longest path from the sources over the forward edges (a topological walk taking the
    /// smallest ready node first).
    mutating func assignRanks() {
        rank = Array(repeating: 0, count: nodeCount)
        var incoming = Array(repeating: 0, count: nodeCount)
        var forward = Array(repeating: [Int](), count: nodeCount)
        for (index, edge) in graph.edges.enumerated() where !isBack[index] {
            forward[edge.from].append(edge.to)
            incoming[edge.to] += 1
        }
        var ready = (0..<nodeCount).filter { incoming[$0] == 0 }
        while !ready.isEmpty {
            let node = ready.removeFirst()
            for target in forward[node] {
                rank[target] = max(rank[target], rank[node] + 1)
                incoming[target] -= 1
                if incoming[target] == 0 {
                    let at = ready.firstIndex { $0 > target } ?? ready.endIndex
                    ready.insert(target, at: at)
                }
            }
        }
    }

    /// Splits each edge into segments between neighbouring ranks, adding a dummy item per rank
    /// crossed.
    mutating func buildChains() {
        chains = []
        successors = Array(repeating: [], count: nodeCount)
        predecessors = Array(repeating: [], count: nodeCount)
        for (index, edge) in graph.edges.enumerated() {
            guard edge.from != edge.to else {
                chains.append([])
                continue
            }
            let (low, high) = isBack[index] ? (edge.to, edge.from) : (edge.from, edge.to)
            var chain = [low]
            for layer in (rank[low] + 1)..<max(rank[low] + 1, rank[high]) {
                chain.append(rank.count)
                rank.append(layer)
                successors.append([])
                predecessors.append([])
            }
            chain.append(high)
            for (a, b) in zip(chain, chain.dropFirst()) {
                successors[a].append((b, index))
                predecessors[b].append((a, index))
            }
            chains.append(chain)
        }
    }

    /// Orders each rank: first by the discovery order, then by barycenter sweeps down and up,
    /// keeping the order with the fewest crossings.
    mutating func order() {
        let layerCount = (rank.max() ?? 0) + 1
        // A dummy sorts where the walk found its chain's first item.
        var key = Array(repeating: 0.0, count: itemCount)
        for item in 0..<nodeCount { key[item] = Double(discovery[item]) }
        for chain in chains where chain.count > 2 {
            for (offset, dummy) in chain.dropFirst().dropLast().enumerated() {
                key[dummy] = Double(discovery[chain[0]]) + 0.5 + Double(offset) * 0.001
            }
        }
        layers = Array(repeating: [], count: layerCount)
        for item in 0..<itemCount { layers[rank[item]].append(item) }
        for layer in layers.indices {
            layers[layer].sort { (key[$0], $0) < (key[$1], $1) }
        }
        updatePositions()
        var best = layers, fewest = crossings()
        for sweep in 0..<8 {
            let down = sweep % 2 == 0
            let order = down ? Array(layers.indices.dropFirst()) : Array(layers.indices.dropLast().reversed())
            for layer in order {
                sortByBarycenter(layer, usingPredecessors: down)
            }
            let count = crossings()
            if count < fewest {
                fewest = count
                best = layers
            }
        }
        layers = best
        updatePositions()
    }

    mutating func updatePositions() {
        position = Array(repeating: 0, count: itemCount)
        for layer in layers {
            for (index, item) in layer.enumerated() { position[item] = index }
        }
    }

    /// Where a segment attaches to `item` relative to its position: its exits spread a little
    /// around it, in exit order, so a decision's `true` path sorts above its `false` path.
    private func portOffset(of edge: Int, at item: Int, outgoing: Bool) -> Double {
        let list = outgoing ? successors[item] : predecessors[item]
        guard list.count > 1, let index = list.firstIndex(where: { $0.edge == edge }) else { return 0 }
        return (Double(index + 1) / Double(list.count + 1) - 0.5) * 0.8
    }

    private mutating func sortByBarycenter(_ layer: Int, usingPredecessors: Bool) {
        var barycenter: [Int: Double] = [:]
        for item in layers[layer] {
            let neighbours = usingPredecessors ? predecessors[item] : successors[item]
            guard !neighbours.isEmpty else {
                barycenter[item] = Double(position[item])
                continue
            }
            let sum = neighbours.reduce(0.0) { total, neighbour in
                total + Double(position[neighbour.item])
                    + portOffset(of: neighbour.edge, at: neighbour.item, outgoing: usingPredecessors)
            }
            barycenter[item] = sum / Double(neighbours.count)
        }
        layers[layer].sort {
            (barycenter[$0] ?? 0, position[$0]) < (barycenter[$1] ?? 0, position[$1])
        }
        for (index, item) in layers[layer].enumerated() { position[item] = index }
    }

    /// The number of pairs of segments that cross between neighbouring ranks.
    func crossings() -> Int {
        var total = 0
        for layer in layers.dropLast() {
            var segments: [(Double, Double)] = []
            for item in layer {
                for next in successors[item] {
                    segments.append((Double(position[item]) + portOffset(of: next.edge, at: item, outgoing: true),
                                     Double(position[next.item])))
                }
            }
            for i in segments.indices {
                for j in segments.indices where j > i {
                    let (a, b) = (segments[i], segments[j])
                    if (a.0 - b.0) * (a.1 - b.1) < 0 { total += 1 }
                }
            }
        }
        return total
    }
}

extension DiagramLayout {
    /// The diagram's title: the process name and, when it differs, its id.
    static func title(of graph: DiagramGraph) -> String {
        graph.processName == graph.processID || graph.processName.isEmpty
            ? graph.processID : "\(graph.processName) (\(graph.processID))"
    }
}
