/// Sizes, vertical positions, columns, rows of ranks and edge routes.
extension LayoutBuilder {
    static let paddingX = 10
    static let paddingY = 8
    static let minimumBoxWidth = 96
    /// Vertical distance between the exits (or entries) of one box.
    static let portSpacing = 18
    /// Horizontal distance between the vertical pieces of edges in one gap.
    static let channelSpacing = 8
    /// Horizontal room before the first and after the last piece of an edge.
    static let stub = 10

    /// Box sizes from their text and their number of exits and entries (even numbers, so centres are whole).
    mutating func sizeItems() {
        itemWidth = Array(repeating: 0, count: itemCount)
        itemHeight = Array(repeating: 0, count: itemCount)
        for node in 0..<nodeCount {
            let lines = graph.nodes[node].lines
            let text = lines.map { metrics.width(of: $0) }.max() ?? 0
            let loops = selfLoops(of: node).count
            let ports = max(successors[node].count, predecessors[node].count) + loops
            let width = max(Self.minimumBoxWidth, text + 2 * Self.paddingX)
            let height = max(lines.count * metrics.lineHeight + 2 * Self.paddingY, ports * Self.portSpacing + 8)
            itemWidth[node] = width + width % 2
            itemHeight[node] = height + height % 2
        }
    }

    /// The edges from `node` to itself.
    func selfLoops(of node: Int) -> [Int] {
        graph.edges.indices.filter { graph.edges[$0].from == node && graph.edges[$0].to == node }
    }

    /// The least distance between the centres of two neighbours of a rank.
    func separation(_ a: Int, _ b: Int) -> Double {
        let gap = a < nodeCount && b < nodeCount ? 24 : (a < nodeCount || b < nodeCount ? 16 : 10)
        return Double(itemHeight[a] + itemHeight[b]) / 2 + Double(gap)
    }

    /// Vertical centres: each rank is pulled towards the centres of its neighbours (down, up,
    /// then both ways), keeping its order and separations (a weighted isotonic fit).
    mutating func assignY() {
        var y = Array(repeating: 0.0, count: itemCount)
        for layer in layers {
            for (index, item) in layer.enumerated() where index > 0 {
                y[item] = y[layer[index - 1]] + separation(layer[index - 1], item)
            }
        }
        for sweep in 0..<12 {
            let down = sweep % 2 == 0, both = sweep >= 8
            let order = down ? Array(layers.indices) : Array(layers.indices.reversed())
            for layerIndex in order {
                let layer = layers[layerIndex]
                guard !layer.isEmpty else { continue }
                let desired = layer.map { item -> Double in
                    let neighbours = both ? predecessors[item] + successors[item]
                        : (down ? predecessors[item] : successors[item])
                    guard !neighbours.isEmpty else { return y[item] }
                    return neighbours.reduce(0.0) { $0 + y[$1.item] } / Double(neighbours.count)
                }
                let separations = zip(layer, layer.dropFirst()).map { separation($0, $1) }
                let weights = layer.map { $0 < nodeCount ? 1.0 : 2.0 }
                let fitted = Self.isotonicFit(desired, weights: weights, separations: separations)
                for (item, value) in zip(layer, fitted) { y[item] = value }
            }
        }
        centerY = Array(repeating: 0, count: itemCount)
        for layer in layers {
            for (index, item) in layer.enumerated() {
                var value = Int(y[item].rounded())
                if index > 0 {
                    let previous = layer[index - 1]
                    value = max(value, centerY[previous] + Int(separation(previous, item).rounded(.up)))
                }
                centerY[item] = value
            }
        }
        straighten()
    }

    /// Removes small steps: an item with one edge in (or out) moves to the height of the exit
    /// (or entry) it is joined to, when its neighbours in the rank leave room.
    mutating func straighten() {
        for pass in 0..<3 {
            let forward = pass != 1
            for layer in forward ? layers : layers.reversed() {
                for (index, item) in layer.enumerated() {
                    let links = forward ? predecessors[item] : successors[item]
                    guard links.count == 1, loopCount(item) == 0 else { continue }
                    let other = links[0].item
                    let target = portY(of: other, edge: links[0].edge, outgoing: forward)
                    let lower = index > 0
                        ? centerY[layer[index - 1]] + Int(separation(layer[index - 1], item).rounded(.up)) : Int.min
                    let upper = index + 1 < layer.count
                        ? centerY[layer[index + 1]] - Int(separation(item, layer[index + 1]).rounded(.up)) : Int.max
                    if target >= lower && target <= upper { centerY[item] = target }
                }
            }
        }
    }

    /// The number of edges from a node to itself (none for dummies).
    func loopCount(_ item: Int) -> Int { item < nodeCount ? selfLoops(of: item).count : 0 }

    /// The height where `edge` leaves (`outgoing`) or enters `item`, as ``Ports`` places it.
    func portY(of item: Int, edge: Int, outgoing: Bool) -> Int {
        guard item < nodeCount else { return centerY[item] }
        let links = (outgoing ? successors[item] : predecessors[item]).map { (centerY[$0.item], $0.edge) }.sorted { $0 < $1 }
        let loops = loopCount(item)
        let index = loops + (links.firstIndex { $0.1 == edge } ?? 0)
        let top = centerY[item] - itemHeight[item] / 2
        return top + (index + 1) * itemHeight[item] / (links.count + loops + 1)
    }

    /// The values closest to `desired` (least weighted squares) that keep at least
    /// `separations[i]` between value `i` and value `i + 1` (pool adjacent violators).
    static func isotonicFit(_ desired: [Double], weights: [Double], separations: [Double]) -> [Double] {
        var offsets: [Double] = [0]
        var running = 0.0
        for separation in separations {
            running += separation
            offsets.append(running)
        }
        var blocks: [(sum: Double, weight: Double, count: Int)] = []
        for index in desired.indices {
            blocks.append(((desired[index] - offsets[index]) * weights[index], weights[index], 1))
            while blocks.count > 1 {
                let last = blocks[blocks.count - 1], before = blocks[blocks.count - 2]
                guard before.sum / before.weight > last.sum / last.weight else { break }
                blocks.removeLast(2)
                blocks.append((before.sum + last.sum, before.weight + last.weight, before.count + last.count))
            }
        }
        var result: [Double] = []
        for block in blocks {
            result += Array(repeating: block.sum / block.weight, count: block.count)
        }
        return zip(result, offsets).map { $0 + $1 }
    }

    /// One piece of an edge between neighbouring ranks.
    struct Segment {
        var from: Int
        var to: Int
        var edge: Int
    }

    /// Columns, rows of ranks, boxes and routes.
    mutating func placeAndRoute() {
        let layerCount = layers.count
        var segments = Array(repeating: [Segment](), count: layerCount)
        for (edge, chain) in chains.enumerated() {
            for (a, b) in zip(chain, chain.dropFirst()) { segments[rank[a]].append(Segment(from: a, to: b, edge: edge)) }
        }
        var ports = Ports(builder: self)

        // Label room on each side of each gap, and the gaps' widths when they do not wrap.
        var labelOut = Array(repeating: 0, count: layerCount), labelIn = Array(repeating: 0, count: layerCount)
        for (index, edge) in graph.edges.enumerated() where !edge.label.isEmpty {
            let width = metrics.labelWidth(of: edge.label) + 6
            if edge.from == edge.to || !isBack[index] {
                labelOut[rank[edge.from]] = max(labelOut[rank[edge.from]], width)
            } else {
                let gap = max(0, rank[edge.from] - 1)
                labelIn[gap] = max(labelIn[gap], width)
            }
        }
        let columnWidth = layers.map { $0.map { itemWidth[$0] }.max() ?? 0 }
        let bends = segments.map { $0.filter { ports.start($0) != ports.end($0) }.count }
        let gapWidth = (0..<layerCount).map { layer in
            max(40, 2 * Self.stub + labelOut[layer] + 6 + bends[layer] * Self.channelSpacing + labelIn[layer])
        }

        // Rows of ranks: a new row when the next column would pass the maximum width.
        var row = Array(repeating: 0, count: layerCount)
        var rowStarts = [0]
        var cursor = 0
        let available = metrics.maximumWidth - 2 * DiagramLayout.margin
        for layer in 0..<layerCount {
            // The room the edges leaving this column take if the row ends after it.
            let trailing = 2 * Self.stub + labelOut[layer] + 6 + segments[layer].count * Self.channelSpacing
            if layer > (rowStarts.last ?? 0), cursor + columnWidth[layer] + trailing > available {
                rowStarts.append(layer)
                cursor = 2 * Self.stub + segments[layer - 1].count * Self.channelSpacing + labelIn[layer - 1]
            }
            row[layer] = rowStarts.count - 1
            cursor += columnWidth[layer] + gapWidth[layer]
        }
        let wrapsInto = rowStarts.map { start in start == 0 ? 0 : segments[start - 1].count }
        var columnX = Array(repeating: 0, count: layerCount)
        for layer in 0..<layerCount {
            if layer == rowStarts[row[layer]] {
                let room = layer == 0 ? 0
                    : 2 * Self.stub + wrapsInto[row[layer]] * Self.channelSpacing + labelIn[layer - 1]
                columnX[layer] = DiagramLayout.margin + room
            } else {
                columnX[layer] = columnX[layer - 1] + columnWidth[layer - 1] + gapWidth[layer - 1]
            }
        }

        // Each row below the one before it, with room between for the edges that wrap.
        var shift = Array(repeating: 0, count: rowStarts.count), rowBottom = Array(repeating: 0, count: rowStarts.count)
        var top = DiagramLayout.margin + DiagramLayout.titleHeight
        for rowIndex in rowStarts.indices {
            let items = (0..<itemCount).filter { row[rank[$0]] == rowIndex }
            let minimum = items.map { centerY[$0] - itemHeight[$0] / 2 }.min() ?? 0
            let maximum = items.map { centerY[$0] + itemHeight[$0] / 2 }.max() ?? 0
            shift[rowIndex] = top + 12 - minimum
            rowBottom[rowIndex] = maximum + shift[rowIndex]
            let wraps = rowIndex + 1 < rowStarts.count ? wrapsInto[rowIndex + 1] : 0
            top = rowBottom[rowIndex] + 24 + wraps * Self.channelSpacing
        }
        centerX = Array(repeating: 0, count: itemCount)
        for item in 0..<itemCount {
            centerY[item] += shift[row[rank[item]]]
            centerX[item] = columnX[rank[item]] + columnWidth[rank[item]] / 2
        }
        ports = Ports(builder: self)
        boxes = (0..<nodeCount).map { box($0) }

        // The pieces of each edge, gap by gap.
        var pieces = Array(repeating: [[DiagramPoint]](), count: graph.edges.count)
        for layer in 0..<layerCount {
            let gapStart = columnX[layer] + columnWidth[layer]
            let firstChannel = gapStart + Self.stub + labelOut[layer] + 6
            let wraps = layer + 1 < layerCount && row[layer + 1] != row[layer]
            let here = segments[layer]
            var points: [(start: DiagramPoint, end: DiagramPoint)] = []
            for segment in here {
                let start = point(at: segment.from, y: ports.start(segment))
                let end = point(at: segment.to, y: ports.end(segment), entering: true)
                points.append((start, end))
            }
            // Sort keys: the start height (descending or ascending), then the edge.
            func downKey(_ index: Int) -> (Int, Int) { (-points[index].start.y, here[index].edge) }
            func upKey(_ index: Int) -> (Int, Int) { (points[index].start.y, here[index].edge) }
            if wraps {
                let order = here.indices.sorted { downKey($0) < downKey($1) }
                for (lane, index) in order.enumerated() {
                    let (p, q) = points[index]
                    let x = firstChannel + lane * Self.channelSpacing
                    let y = rowBottom[row[layer]] + 12 + lane * Self.channelSpacing
                    let back = DiagramLayout.margin + 4 + lane * Self.channelSpacing
                    let route: [DiagramPoint] = [
                        p, DiagramPoint(x: x, y: p.y), DiagramPoint(x: x, y: y),
                        DiagramPoint(x: back, y: y), DiagramPoint(x: back, y: q.y), q,
                    ]
                    pieces[here[index].edge].append(route)
                }
                continue
            }
            let bending = here.indices.filter { points[$0].start.y != points[$0].end.y }
            let downward = bending.filter { points[$0].end.y > points[$0].start.y }.sorted { downKey($0) < downKey($1) }
            let upward = bending.filter { points[$0].end.y < points[$0].start.y }.sorted { upKey($0) < upKey($1) }
            var channel: [Int: Int] = [:]
            for (lane, index) in (downward + upward).enumerated() { channel[index] = lane }
            for index in here.indices {
                let (p, q) = points[index]
                if let lane = channel[index] {
                    let x = firstChannel + lane * Self.channelSpacing
                    pieces[here[index].edge].append([p, DiagramPoint(x: x, y: p.y), DiagramPoint(x: x, y: q.y), q])
                } else {
                    pieces[here[index].edge].append([p, q])
                }
            }
        }
        routes = graph.edges.indices.map { route(of: $0, pieces: pieces[$0], ports: ports) }
        let labelRight = routes.indices.map { index -> Int in
            let route = routes[index]
            return route.labelEndsAtPosition ? route.labelPosition.x
                : route.labelPosition.x + metrics.labelWidth(of: graph.edges[index].label)
        }
        let rightmost = (boxes.map(\.maxX) + routes.flatMap { $0.points.map(\.x) } + labelRight).max() ?? 0
        let title = metrics.width(of: DiagramLayout.title(of: graph)) * 11 / 10
        canvasWidth = max(rightmost, DiagramLayout.margin + title) + DiagramLayout.margin
        let lowest = (boxes.map(\.maxY) + routes.flatMap { $0.points.map(\.y) }).max() ?? 0
        canvasHeight = max(lowest, DiagramLayout.margin + DiagramLayout.titleHeight) + DiagramLayout.margin
    }

    func box(_ node: Int) -> DiagramRect {
        DiagramRect(x: centerX[node] - itemWidth[node] / 2, y: centerY[node] - itemHeight[node] / 2,
                    width: itemWidth[node], height: itemHeight[node])
    }

    /// Where a piece leaves (right side) or enters (left side) an item: a box's side at `y`, a dummy's centre.
    func point(at item: Int, y: Int, entering: Bool = false) -> DiagramPoint {
        guard item < nodeCount else { return DiagramPoint(x: centerX[item], y: centerY[item]) }
        let box = box(item)
        return DiagramPoint(x: entering ? box.x : box.maxX, y: y)
    }

    /// The whole route of an edge from its pieces, turned around for a back edge.
    func route(of edge: Int, pieces: [[DiagramPoint]], ports: Ports) -> EdgeRoute {
        if graph.edges[edge].from == graph.edges[edge].to {
            let box = box(graph.edges[edge].from)
            let out = ports.loopOut[edge] ?? box.y, entry = ports.loopIn[edge] ?? box.y
            let points = [
                DiagramPoint(x: box.maxX, y: out), DiagramPoint(x: box.maxX + Self.stub, y: out),
                DiagramPoint(x: box.maxX + Self.stub, y: box.y - 10), DiagramPoint(x: box.x - Self.stub, y: box.y - 10),
                DiagramPoint(x: box.x - Self.stub, y: entry), DiagramPoint(x: box.x, y: entry),
            ]
            return EdgeRoute(points: points, labelPosition: DiagramPoint(x: box.maxX + 4, y: out - 4),
                             labelEndsAtPosition: false, isBackEdge: true)
        }
        var points: [DiagramPoint] = []
        for piece in pieces {
            for point in piece where points.last != point { points.append(point) }
        }
        points = Self.withoutStraightJoints(points)
        let back = isBack[edge]
        if back { points.reverse() }
        let first = points.first ?? DiagramPoint(x: 0, y: 0)
        return EdgeRoute(points: points,
                         labelPosition: DiagramPoint(x: back ? first.x - 4 : first.x + 4, y: first.y - 4),
                         labelEndsAtPosition: back, isBackEdge: back)
    }

    /// The points without those in the middle of a straight run.
    static func withoutStraightJoints(_ points: [DiagramPoint]) -> [DiagramPoint] {
        guard points.count > 2 else { return points }
        var result = [points[0]]
        for index in 1..<(points.count - 1) {
            let (a, b, c) = (result[result.count - 1], points[index], points[index + 1])
            let straight = (a.x == b.x && b.x == c.x) || (a.y == b.y && b.y == c.y)
            if !straight { result.append(b) }
        }
        result.append(points[points.count - 1])
        return result
    }

    /// The heights where each edge leaves and enters a box: a box's exits spread down its right
    /// side in the order of the items they lead to, its entries down its left side likewise.
    struct Ports {
        var startY: [Int: Int] = [:]
        var endY: [Int: Int] = [:]
        var loopOut: [Int: Int] = [:]
        var loopIn: [Int: Int] = [:]
        let centerY: [Int]
        let nodeCount: Int

        init(builder: LayoutBuilder) {
            centerY = builder.centerY
            nodeCount = builder.nodeCount
            for node in 0..<builder.nodeCount {
                let top = builder.centerY[node] - builder.itemHeight[node] / 2
                let height = builder.itemHeight[node]
                let loops = builder.selfLoops(of: node)
                let outs = loops.map { (Int.min, $0) }
                    + builder.successors[node].map { (builder.centerY[$0.item], $0.edge) }.sorted { $0 < $1 }
                for (index, out) in outs.enumerated() {
                    let y = top + (index + 1) * height / (outs.count + 1)
                    if out.0 == Int.min { loopOut[out.1] = y } else { startY[out.1] = y }
                }
                let ins = loops.map { (Int.min, $0) }
                    + builder.predecessors[node].map { (builder.centerY[$0.item], $0.edge) }.sorted { $0 < $1 }
                for (index, entry) in ins.enumerated() {
                    let y = top + (index + 1) * height / (ins.count + 1)
                    if entry.0 == Int.min { loopIn[entry.1] = y } else { endY[entry.1] = y }
                }
            }
        }

        /// The height where a segment leaves its first item (a dummy's centre).
        func start(_ segment: Segment) -> Int { y(segment.from, segment.edge, start: true) }

        /// The height where a segment enters its last item.
        func end(_ segment: Segment) -> Int { y(segment.to, segment.edge, start: false) }

        private func y(_ item: Int, _ edge: Int, start: Bool) -> Int {
            guard item < nodeCount else { return centerY[item] }
            return (start ? startY[edge] : endY[edge]) ?? centerY[item]
        }
    }
}
