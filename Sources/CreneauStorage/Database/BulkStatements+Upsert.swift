import NIOCore
import PostgresKit

extension BulkStatements {
    /// Inserts `rows` into `table`, or updates the row a key already names: `columns` are the
    /// rows' values then `constants` (SQL literals closing every row: the run, the source). SQLite
    /// takes `INSERT … VALUES (…), (…) ON CONFLICT … DO UPDATE SET …`, as many rows a statement as
    /// its placeholders allow. PostgreSQL takes the rows by `COPY` into a temporary table, then
    /// one `INSERT … SELECT`: planning a VALUES list of thousands of placeholders cost it more
    /// than the writes. No key may appear twice in `rows`.
    public func upsert(into table: String, columns: [String], constants: [String], rows: [[String]], conflict: String, set: String,
                       maximumBinds: Int, touch: Touch? = nil) async throws {
        guard let width = rows.first?.count else { return }
        let update = " ON CONFLICT (\(conflict)) DO UPDATE SET \(set)" + (touch.map { " WHERE \($0.changed)" } ?? "")
        switch connection {
        case .sqlite:
            let perStatement = max(1, maximumBinds / width)
            for start in stride(from: 0, to: rows.count, by: perStatement) {
                let chunk = rows[start..<min(rows.count, start + perStatement)]
                var sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                var values: [String?] = []
                values.reserveCapacity(chunk.count * width)
                for (row, fields) in chunk.enumerated() {
                    sql += row == 0 ? "(" : ", ("
                    for field in fields {
                        values.append(field)
                        sql += "?, "
                    }
                    sql += constants.joined(separator: ", ") + ")"
                }
                try await execute(sql + update, values)
                if let touch {
                    let positions = touch.keys.compactMap { columns.firstIndex(of: $0) }
                    let keys = chunk.flatMap { row in positions.map { row[$0] } }
                    let tuple = "(" + positions.map { _ in "?" }.joined(separator: ", ") + ")"
                    try await execute("UPDATE \(table) SET \(touch.set) WHERE NOT (\(touch.done)) AND (\(touch.keys.joined(separator: ", "))) IN (VALUES "
                                      + Array(repeating: tuple, count: chunk.count).joined(separator: ", ") + ")", keys)
                }
            }
        case .postgres(let connection, let logger):
            let copied = Array(columns.prefix(width)), staging = "bulk_\(table)"
            try await execute("CREATE TEMP TABLE IF NOT EXISTS \(staging) (\(copied.map { "\($0) TEXT" }.joined(separator: ", "))) ON COMMIT DELETE ROWS", [])
            try await Self.copy(rows, into: staging, columns: copied, connection: connection, logger: logger)
            let select = (copied + constants).joined(separator: ", ")
            try await execute("INSERT INTO \(table) (\(columns.joined(separator: ", "))) SELECT \(select) FROM \(staging)" + update, [])
            if let touch {
                let join = touch.keys.map { "\(table).\($0) = s.\($0)" }.joined(separator: " AND ")
                try await execute("UPDATE \(table) SET \(touch.set) FROM \(staging) s WHERE \(join) AND NOT (\(touch.done))", [])
            }
            try await execute("TRUNCATE \(staging)", [])
        }
    }

    /// Appends `rows` to `table` (no conflict possible: a log without keys): multi-row inserts on
    /// SQLite, `COPY` straight into the table on PostgreSQL. `constants` close every row.
    /// Fields are text, or optional text (nil: NULL).
    public func append<Field: CopyField>(into table: String, columns: [String], constants: [String], rows: [[Field]], maximumBinds: Int) async throws {
        guard let width = rows.first?.count else { return }
        switch connection {
        case .sqlite:
            let perStatement = max(1, maximumBinds / width)
            for start in stride(from: 0, to: rows.count, by: perStatement) {
                let chunk = rows[start..<min(rows.count, start + perStatement)]
                let tuple = "(" + (Array(repeating: "?", count: width) + constants).joined(separator: ", ") + ")"
                try await execute("INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES " + Array(repeating: tuple, count: chunk.count).joined(separator: ", "),
                                  chunk.flatMap { $0.map(\.copyText) })
            }
        case .postgres(let connection, let logger):
            // COPY takes no expressions: the constants go in as text values of their own.
            let literals = constants.map { $0.hasPrefix("'") && $0.hasSuffix("'") ? String($0.dropFirst().dropLast()) : $0 }
            try await Self.copy(rows, into: table, columns: columns, connection: connection, logger: logger, closing: literals)
        }
    }

    /// Rows an upsert finds unchanged are left alone but for `set` (a run mark no index holds):
    /// rewriting them would rewrite their index entries too, which made a re-import of two million
    /// lines three times slower than the first. `changed` (on `table` and `excluded`) says when
    /// the upsert's own update applies; `done` (on `table`) when `set` is already true; `keys` are
    /// the conflict columns.
    public struct Touch: Sendable {
        public var changed: String
        public var set: String
        public var done: String
        public var keys: [String]

        public init(changed: String, set: String, done: String, keys: [String]) {
            self.changed = changed
            self.set = set
            self.done = done
            self.keys = keys
        }
    }

    /// `rows` sent by `COPY … FROM STDIN` in its text format, a megabyte at a time.
    /// `closing` values end every row; a nil field is NULL (`\N`).
    static func copy<Field: CopyField>(_ rows: [[Field]], into table: String, columns: [String], connection: PostgresConnection, logger: Logger,
                                       closing: [String] = []) async throws {
        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(1 << 20)
            for fields in rows {
                for (index, field) in fields.enumerated() {
                    if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                    if let text = field.copyText { writeCopyText(text, to: &buffer) } else { buffer.writeBytes([0x5C, UInt8(ascii: "N")]) }
                }
                for text in closing {
                    buffer.writeInteger(UInt8(ascii: "\t"))
                    writeCopyText(text, to: &buffer)
                }
                buffer.writeInteger(UInt8(ascii: "\n"))
                if buffer.readableBytes >= 1 << 20 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
    }

    /// A value in `COPY`'s text format: backslash, tab and line breaks escaped.
    static func writeCopyText(_ text: String, to buffer: inout ByteBuffer) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeBytes([0x5C, 0x5C])
            case UInt8(ascii: "\t"): buffer.writeBytes([0x5C, UInt8(ascii: "t")])
            case UInt8(ascii: "\n"): buffer.writeBytes([0x5C, UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): buffer.writeBytes([0x5C, UInt8(ascii: "r")])
            default: buffer.writeInteger(byte)
            }
        }
    }
}

/// A value `BulkStatements` sends as text: a `String`, or an optional one (nil: NULL).
public protocol CopyField: Sendable {
    var copyText: String? { get }
}

extension String: CopyField {
    public var copyText: String? { self }
}

extension Optional: CopyField where Wrapped == String {
    public var copyText: String? { self }
}
