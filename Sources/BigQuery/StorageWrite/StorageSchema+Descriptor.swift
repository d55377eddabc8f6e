import SwiftProtobuf

extension StorageSchema {
    /// The self-contained proto2 row message for this schema: one field per column, numbered in
    /// schema order, RECORDs as nested types (`Record<number>`), REPEATED as repeated fields.
    func descriptor(name: String = "Row") -> Google_Protobuf_DescriptorProto {
        Self.descriptor(name: name, fields: fields)
    }

    private static func descriptor(name: String, fields: [Field]) -> Google_Protobuf_DescriptorProto {
        var message = Google_Protobuf_DescriptorProto()
        message.name = name
        for field in fields {
            var proto = Google_Protobuf_FieldDescriptorProto()
            proto.name = field.name
            proto.number = field.number
            proto.label = field.mode == .repeated ? .repeated : .optional
            proto.type = protoType(field.kind)
            if field.kind == .record {
                let nestedName = "Record\(field.number)"
                message.nestedType.append(descriptor(name: nestedName, fields: field.fields))
                proto.typeName = nestedName
            }
            message.field.append(proto)
        }
        return message
    }

    /// BigQuery's documented proto type for each column type.
    static func protoType(_ kind: Field.Kind) -> Google_Protobuf_FieldDescriptorProto.TypeEnum {
        switch kind {
        case .int64, .timestamp: .int64
        case .float64: .double
        case .bool: .bool
        case .bytes: .bytes
        case .date: .int32
        case .record: .message
        case .numeric, .bignumeric, .string, .datetime, .time, .json, .geography: .string
        }
    }
}
