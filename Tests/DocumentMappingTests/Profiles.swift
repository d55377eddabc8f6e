import ProcessModel

/// Profiles and maps built in code, mirroring the format documentation's example.
enum Profiles {
    static func here(_ line: Int) -> SourceLocation { SourceLocation(file: "profiles/order.xml", line: line, column: 3) }

    static func element(_ name: String, _ type: String, required: Bool = false, format: String? = nil,
                        _ children: [ProfileElement] = []) -> ProfileElement {
        ProfileElement(name: name, type: type, required: required, format: format, children: children, location: here(1))
    }

    static func field(_ name: String, _ type: String, mode: String? = nil, _ children: [ProfileElement] = []) -> ProfileElement {
        ProfileElement(name: name, type: type, mode: mode, children: children, location: here(1))
    }

    static let order = ProfileDefinition(id: "order", type: .json, elements: [
        element("id", "number", required: true),
        element("customer", "object", [element("name", "character")]),
        element("items", "array", [element("sku", "character"), element("qty", "number")]),
        element("placedAt", "datetime", format: "yyyy-MM-dd'T'HH:mm:ssXXX"),
    ], location: here(1))

    static let orderRow = ProfileDefinition(id: "order-row", type: .bigQueryTable, elements: [
        field("order_id", "INT64", mode: "REQUIRED"),
        field("customer", "STRING"),
        field("items", "RECORD", mode: "REPEATED", [field("sku", "STRING"), field("qty", "INT64")]),
    ], location: here(20))

    static let orderToRow = MapDefinition(id: "order-to-row", fromProfile: "order", toProfile: "order-row", mappings: [
        MappingRule(from: "/id", to: "/order_id", location: here(30)),
        MappingRule(from: "/customer/name", to: "/customer",
                    functions: [MapFunctionCall(name: "uppercase", location: here(32))], location: here(31)),
        MappingRule(from: "/items/*/sku", to: "/items/*/sku", location: here(33)),
        MappingRule(from: nil, to: "/total", functions: [
            MapFunctionCall(name: "multiply", arguments: [.path("/price"), .path("/qty")], location: here(35)),
        ], location: here(34)),
    ], defaults: [MapDefault(to: "/source", value: "web", location: here(37))], location: here(29))

    static var all: [String: ProfileDefinition] { [order.id: order, orderRow.id: orderRow] }
}
