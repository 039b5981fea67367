import CreneauDomain
import Foundation
import SQLKit

/// A value bound as a query parameter.
typealias SQLValue = any Encodable & Sendable

/// How a domain value maps to one table row. Conformances live in storage so
/// the domain stays free of SQL; each is written out column by column because
/// the mapping is part of the schema contract and should read like it.
protocol SQLRecord: Sendable {
    static var table: String { get }
    /// The column that identifies a row for `update` and `find`.
    static var keyColumn: String { get }
    var key: String { get }
    /// Every column with its value, key included, in a fixed order.
    var columns: [(String, SQLValue)] { get }
    init(row: any SQLRow) throws
}

extension SQLRecord {
    static var keyColumn: String { "id" }
}

/// Encoding conventions shared by every table: UUIDs as lower-case text,
/// instants as whole Unix seconds, calendar days as ISO text.
enum Column {
    static func id(_ value: UUID) -> String { UUIDText.format(value) }
    static func id(_ value: UUID?) -> String? { value.map(id) }
    static func instant(_ value: Date) -> Int64 { Int64(value.timeIntervalSince1970.rounded(.down)) }
    static func instant(_ value: Date?) -> Int64? { value.map(instant) }
}

extension SQLRow {
    func uuid(_ column: String) throws -> UUID {
        let text = try decode(column: column, as: String.self)
        guard let value = UUIDText.parse(text) else { throw CorruptRow(column: column, value: text) }
        return value
    }

    func optionalUUID(_ column: String) throws -> UUID? {
        guard let text = try decode(column: column, as: String?.self) else { return nil }
        guard let value = UUIDText.parse(text) else { throw CorruptRow(column: column, value: text) }
        return value
    }

    func instant(_ column: String) throws -> Date {
        Date(timeIntervalSince1970: TimeInterval(try decode(column: column, as: Int64.self)))
    }

    func optionalInstant(_ column: String) throws -> Date? {
        try decode(column: column, as: Int64?.self).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    func day(_ column: String) throws -> LocalDate {
        let text = try decode(column: column, as: String.self)
        guard let value = LocalDate(text) else { throw CorruptRow(column: column, value: text) }
        return value
    }

    func optionalDay(_ column: String) throws -> LocalDate? {
        guard let text = try decode(column: column, as: String?.self) else { return nil }
        guard let value = LocalDate(text) else { throw CorruptRow(column: column, value: text) }
        return value
    }

    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }
    func int(_ column: String) throws -> Int { try decode(column: column, as: Int.self) }
    func optionalInt(_ column: String) throws -> Int? { try decode(column: column, as: Int?.self) }
    func bool(_ column: String) throws -> Bool { try decode(column: column, as: Bool.self) }

    func enumeration<E: RawRepresentable>(_ column: String, as type: E.Type = E.self) throws -> E where E.RawValue == String {
        let text = try decode(column: column, as: String.self)
        guard let value = E(rawValue: text) else { throw CorruptRow(column: column, value: text) }
        return value
    }

    func optionalEnumeration<E: RawRepresentable>(_ column: String, as type: E.Type = E.self) throws -> E? where E.RawValue == String {
        guard let text = try decode(column: column, as: String?.self) else { return nil }
        guard let value = E(rawValue: text) else { throw CorruptRow(column: column, value: text) }
        return value
    }
}

/// A stored value that no longer parses: a bug or a hand edit, never user input.
struct CorruptRow: Error, CustomStringConvertible {
    let column: String
    let value: String
    var description: String { "Stored value in column \(column) cannot be read." }
}
