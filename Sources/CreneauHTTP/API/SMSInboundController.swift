import CreneauDomain
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /api/v1/sms/inbound`: the SMS gateway forwards patients' replies here (JSON
/// `{"from": "+336…", "text": "STOP"}`), with the shared secret in `Creneau-Inbound-Token`
/// (`CRENEAU_SMS_INBOUND_TOKEN`). Registered only when that secret is configured.
struct SMSInboundController: Sendable {
    let replies: SMSReplies
    let token: String

    static let header = HTTPField.Name("Creneau-Inbound-Token")!

    struct Body: Decodable {
        let from: String?
        let text: String?
    }

    func register(on router: Router<AppRequestContext>) {
        router.post("/api/v1/sms/inbound") { request, context in
            guard let given = request.headers[Self.header], BrowserSession.constantTimeEquals(given, token) else {
                throw APIError(.unauthorized, code: "unauthorized", message: "The inbound token is missing or wrong.")
            }
            let body: Body = try await JSONRequest.read(request)
            guard let from = body.from, let text = body.text else {
                throw APIError.badRequest("Send \"from\" (the sender's number) and \"text\".", code: "missing_field")
            }
            guard let outcome = try await replies.received(from: from, text: text) else {
                throw APIError(.unprocessableContent, code: "invalid_field", message: "\"from\" is not a phone number.")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: .init(string: "{\"outcome\":\"\(outcome.rawValue)\"}")))
        }
    }
}
