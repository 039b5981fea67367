/// The way an appointment reaches the agenda. A motive and an opening
/// each list the channels they accept; an appointment records the one it came by.
public enum Channel: String, CaseIterable, Codable, Sendable {
    /// A patient on the web or the app.
    case online
    /// A secretary or call-centre agent on the phone.
    case phone
    /// A secretary at the desk, patient in front of them.
    case desk
    /// A referring (city) doctor through the referral portal.
    case referral
    /// A practitioner at the end of a visit ("internal only" motives).
    case practitioner
}

/// A set of channels, stored as a bit mask so that the database can check it
/// with a plain integer CHECK on both SQLite and PostgreSQL.
public struct ChannelSet: OptionSet, Hashable, Sendable, Codable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let online = ChannelSet(rawValue: 1 << 0)
    public static let phone = ChannelSet(rawValue: 1 << 1)
    public static let desk = ChannelSet(rawValue: 1 << 2)
    public static let referral = ChannelSet(rawValue: 1 << 3)
    public static let practitioner = ChannelSet(rawValue: 1 << 4)

    /// Every channel a secretary or practitioner books through.
    public static let staff: ChannelSet = [.phone, .desk, .practitioner]
    public static let all: ChannelSet = [.online, .phone, .desk, .referral, .practitioner]
    /// The largest valid raw value; the schema's CHECK uses it.
    public static let maximumRawValue = all.rawValue

    public init(_ channel: Channel) {
        switch channel {
        case .online: self = .online
        case .phone: self = .phone
        case .desk: self = .desk
        case .referral: self = .referral
        case .practitioner: self = .practitioner
        }
    }

    public init<S: Sequence>(channels: S) where S.Element == Channel {
        self = channels.reduce(into: ChannelSet()) { $0.insert(ChannelSet($1)) }
    }

    public func contains(_ channel: Channel) -> Bool { contains(ChannelSet(channel)) }

    /// The channels in declaration order, for JSON and display.
    public var channels: [Channel] { Channel.allCases.filter { contains($0) } }
}
