import Foundation

/// How storage keeps a practitioner, room or piece of equipment out of two
/// overlapping bookings: every holder (an appointment or a hold) claims the
/// five-minute quanta its visit and buffers cover, on each resource it takes,
/// and the database keeps one row per resource and quantum. Holders that may
/// share a quantum (the seats of one group session, the visits of a room with
/// several places) share its row and count up to its capacity.
public enum Occupancy {
    public static let quantumSeconds: Int64 = 300

    /// The quanta `[from, to)` touches, widened outwards: two spans that overlap always share one.
    public static func quanta(from: Date, to: Date) -> ClosedRange<Int64> {
        let start = Int64(from.timeIntervalSince1970.rounded(.down))
        let end = Int64(to.timeIntervalSince1970.rounded(.up))
        let first = floorDivide(start, quantumSeconds)
        let last = floorDivide(end + quantumSeconds - 1, quantumSeconds) - 1
        return first...max(first, last)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// What a visit of `motive` from `start` to `end` claims on its practitioner and on
    /// each resource it needs (`resourceCapacities`: id → places).
    public static func claims(
        holderID: UUID, practitionerID: UUID, motive: MotiveFootprint, resourceCapacities: [UUID: Int], start: Date, end: Date
    ) -> [OccupancyClaim] {
        let window = quanta(
            from: start.addingTimeInterval(-TimeInterval(motive.bufferBeforeMinutes * 60)),
            to: end.addingTimeInterval(TimeInterval(motive.bufferAfterMinutes * 60)))
        let holder = holderID.uuidString.lowercased()
        // The seats of one group session share a key: same motive, same start.
        let groupKey = motive.capacity > 1
            ? "group:\(motive.id.uuidString.lowercased()):\(Int64(start.timeIntervalSince1970.rounded(.down)))"
            : nil
        var result = [OccupancyClaim(
            holderID: holderID, ownerID: practitionerID, quanta: window,
            shareKey: groupKey ?? holder, capacity: groupKey == nil ? 1 : motive.capacity)]
        for (resourceID, places) in resourceCapacities.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            let shareKey: String, capacity: Int
            if let groupKey {
                (shareKey, capacity) = (groupKey, motive.capacity)
            } else if places > 1 {
                (shareKey, capacity) = ("shared", places)
            } else {
                (shareKey, capacity) = (holder, 1)
            }
            result.append(OccupancyClaim(holderID: holderID, ownerID: resourceID, quanta: window, shareKey: shareKey, capacity: capacity))
        }
        return result
    }
}

/// The part of a motive that decides what a visit occupies.
public struct MotiveFootprint: Hashable, Sendable {
    public var id: UUID
    public var capacity: Int
    public var bufferBeforeMinutes: Int
    public var bufferAfterMinutes: Int

    public init(id: UUID, capacity: Int, bufferBeforeMinutes: Int, bufferAfterMinutes: Int) {
        self.id = id
        self.capacity = capacity
        self.bufferBeforeMinutes = bufferBeforeMinutes
        self.bufferAfterMinutes = bufferAfterMinutes
    }

    public init(_ motive: Motive) {
        self.init(id: motive.id, capacity: motive.capacity, bufferBeforeMinutes: motive.bufferBeforeMinutes, bufferAfterMinutes: motive.bufferAfterMinutes)
    }
}

/// One holder's claim on one resource: a run of quanta under a share key.
public struct OccupancyClaim: Hashable, Sendable {
    public var holderID: UUID
    public var ownerID: UUID
    public var quanta: ClosedRange<Int64>
    /// Holders with the same key may share a quantum, up to `capacity`.
    public var shareKey: String
    public var capacity: Int

    public init(holderID: UUID, ownerID: UUID, quanta: ClosedRange<Int64>, shareKey: String, capacity: Int) {
        self.holderID = holderID
        self.ownerID = ownerID
        self.quanta = quanta
        self.shareKey = shareKey
        self.capacity = capacity
    }
}
