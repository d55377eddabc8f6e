import ProcessModel
@testable import DocumentMapping

/// Profiles and maps for the byte-level path tests.
enum FastMapFixtures {
    static let here = SourceLocation(file: "profiles/fast.xml", line: 1, column: 1)

    static func element(_ name: String, _ type: String, required: Bool = false, mode: String? = nil,
                        _ children: [ProfileElement] = []) -> ProfileElement {
        ProfileElement(name: name, type: type, required: required, mode: mode, children: children, location: here)
    }

    static func rule(_ from: String, _ to: String, _ functions: String...) -> MappingRule {
        MappingRule(from: from, to: to, functions: functions.map { MapFunctionCall(name: $0, location: here) },
                    location: here)
    }

    static let order = ProfileDefinition(id: "order", type: .json, elements: [
        element("id", "number", required: true),
        element("customer", "object", [element("name", "character"), element("country", "character")]),
        element("items", "array", [element("sku", "character"), element("qty", "number")]),
        element("price", "number"),
        element("placedAt", "character"),
    ], location: here)

    static let orderOut = ProfileDefinition(id: "order-out", type: .json, elements: [
        element("order_id", "number"),
        element("customer", "character"),
        element("country", "character"),
        element("items", "array", [element("sku", "character"), element("qty", "number")]),
        element("total", "number"),
        element("placed_at", "character"),
    ], location: here)

    static let row = ProfileDefinition(id: "row", type: .bigQueryTable, elements: [
        element("order_id", "INT64", mode: "REQUIRED"),
        element("customer", "STRING"),
        element("items", "RECORD", mode: "REPEATED", [element("sku", "STRING"), element("qty", "INT64")]),
        element("total", "NUMERIC"),
        element("when", "TIMESTAMP"),
        element("skus", "STRING", mode: "REPEATED"),
        element("flag", "BOOL"),
    ], location: here)

    /// The order as a BigQuery table: INT64 and REPEATED checks on the source side.
    static let orderTable = ProfileDefinition(id: "order-table", type: .bigQueryTable, elements: [
        element("id", "INT64", mode: "REQUIRED"),
        element("customer", "RECORD", [element("name", "STRING"), element("country", "STRING", mode: "REQUIRED")]),
        element("items", "RECORD", mode: "REPEATED", [element("sku", "STRING"), element("qty", "INT64")]),
        element("price", "NUMERIC"),
        element("placedAt", "STRING"),
    ], location: here)

    static let loose = ProfileDefinition(id: "loose", type: .json, elements: [
        element("name", "character", required: true),
        element("meta", "object"),
    ], location: here)

    static let any = ProfileDefinition(id: "any", type: .json, elements: [], location: here)

    /// The benchmark's map.
    static let benchMap = MapDefinition(id: "bench", fromProfile: "order", toProfile: "order-out", mappings: [
        rule("/id", "/order_id"),
        rule("/customer/name", "/customer", "uppercase"),
        rule("/customer/country", "/country"),
        rule("/items/*/sku", "/items/*/sku"),
        rule("/items/*/qty", "/items/*/qty"),
        rule("/price", "/total"),
        rule("/placedAt", "/placed_at"),
    ], location: here)

    /// Conversions to BigQuery types, REPEATED records and scalars, text functions.
    static let rowMap = MapDefinition(id: "row", fromProfile: "order", toProfile: "row", mappings: [
        rule("/id", "/order_id"),
        rule("/customer/name", "/customer", "trim", "lowercase"),
        rule("/items/*/qty", "/items/*/qty"),
        rule("/items/*/sku", "/items/*/sku"),
        rule("/price", "/total"),
        rule("/placedAt", "/when"),
        rule("/items/*/sku", "/skus/*"),
    ], location: here)

    /// Undeclared targets, nested objects whose member order depends on what is present, whole containers.
    static let looseMap = MapDefinition(id: "loose", fromProfile: "order", toProfile: "loose", mappings: [
        rule("/customer/country", "/address/country"),
        rule("/customer/name", "/name", "uppercase"),
        rule("/id", "/address/ref"),
        rule("/customer", "/buyer"),
        rule("/items", "/meta/lines"),
        rule("/extra/*/*", "/grid/*/*"),
        rule("/items/*/sku", "/lines/*/code", "trim"),
        rule("/price", "/meta/price"),
    ], location: here)

    /// Reads from a source without a profile: every value passes through as it is.
    static let anyMap = MapDefinition(id: "any", fromProfile: "any", toProfile: "any", mappings: [
        rule("/a", "/x"),
        rule("/b/c", "/y/z"),
        rule("/list/*", "/list/*", "lowercase"),
        rule("/a", "/y/a"),
    ], location: here)

    /// From a BigQuery table profile to another.
    static let tableMap = MapDefinition(id: "table", fromProfile: "order-table", toProfile: "row", mappings: [
        rule("/id", "/order_id"),
        rule("/customer/name", "/customer", "uppercase"),
        rule("/items/*/sku", "/items/*/sku"),
        rule("/items/*/qty", "/items/*/qty"),
        rule("/price", "/total"),
        rule("/items/*/sku", "/skus/*"),
    ], location: here)

    /// A flat row, as JSON and as a BigQuery table.
    static let flat = ProfileDefinition(id: "flat", type: .json, elements: [
        element("id", "number", required: true),
        element("name", "character"),
        element("amount", "character"),
        element("pad", "character"),
        element("flag", "boolean"),
    ], location: here)

    static let flatTable = ProfileDefinition(id: "flat-table", type: .bigQueryTable, elements: [
        element("id", "INT64", mode: "REQUIRED"),
        element("name", "STRING"),
        element("amount", "NUMERIC"),
        element("pad", "STRING"),
        element("flag", "BOOL"),
    ], location: here)

    /// Every member onto itself, in order: a canonical document maps to itself.
    static let identityMap = MapDefinition(id: "identity", fromProfile: "flat", toProfile: "flat", mappings: [
        rule("/id", "/id"), rule("/name", "/name"), rule("/amount", "/amount"), rule("/pad", "/pad"), rule("/flag", "/flag"),
    ], location: here)

    /// The same onto a BigQuery table profile (its types may convert).
    static let identityTableMap = MapDefinition(id: "identity-table", fromProfile: "flat", toProfile: "flat-table", mappings: [
        rule("/id", "/id"), rule("/name", "/name"), rule("/amount", "/amount"), rule("/pad", "/pad"), rule("/flag", "/flag"),
    ], location: here)

    /// The same members in another order: no document maps to itself.
    static let reorderMap = MapDefinition(id: "reorder", fromProfile: "flat", toProfile: "flat", mappings: [
        rule("/name", "/name"), rule("/id", "/id"), rule("/amount", "/amount"), rule("/pad", "/pad"), rule("/flag", "/flag"),
    ], location: here)

    static let profiles: [String: ProfileDefinition] = [
        orderTable.id: orderTable, order.id: order, orderOut.id: orderOut, row.id: row, loose.id: loose, any.id: any,
        flat.id: flat, flatTable.id: flatTable,
    ]
}
