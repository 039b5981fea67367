import CreneauDomain
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The one mapping from domain, repository and framework errors to what a client is told:
/// a status, a stable code and a sentence. Every surface renders the same `APIError` its
/// own way (`ErrorRenderer`: JSON for the API, a page for the site, an OperationOutcome
/// for FHIR to come).
enum ErrorMapping {
    static func map(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as RepositoryError:
            switch error {
            case .notFound: return .notFound("This record does not exist.")
            case .duplicate: return .conflict("This record already exists.", code: "duplicate")
            case .missingReference: return .unprocessable("This refers to a record that does not exist.", code: "missing_reference")
            case .invalidValue: return .unprocessable("A value is outside what is allowed.", code: "invalid_value")
            case .unavailable: return .unavailable("The database is not answering. Please try again in a moment.")
            }
        case let error as BookingError:
            return map(error)
        case let error as AccountError:
            switch error {
            case .refused(let problem): return .unprocessable(problem.message, code: problem.code.rawValue)
            case .notFound(let message): return .notFound(message)
            case .conflict(let code, let message): return .conflict(message, code: code)
            }
        case let error as SignInError:
            return map(error)
        case let error as AdminError:
            switch error {
            case .refused(let problem): return .unprocessable(problem.message, code: "invalid_" + problem.field)
            case .notFound(let message): return .notFound(message)
            case .forbidden(let message): return APIError(.forbidden, code: "forbidden", message: message)
            }
        case let error as StatisticsError:
            switch error {
            case .invalid(let code, let message): return .unprocessable(message, code: code)
            case .notFound(let message): return .notFound(message)
            case .forbidden(let message): return APIError(.forbidden, code: "forbidden", message: message)
            }
        case is IdempotencyKeyUsed:
            return .conflict("A request with this Idempotency-Key is already being processed. Wait for its answer before retrying.", code: "idempotency_key_in_use")
        case is PageSignInRequired:
            return APIError(.unauthorized, code: PageSignInRequired.code, message: "Sign in first.")
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "body_too_large", message: "The request body is too large.")
        case is DecodingError:
            return .badRequest("The request body is not valid JSON of the expected shape.", code: "malformed_body")
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .notFound("There is nothing at this address.")
            case .methodNotAllowed: return APIError(.methodNotAllowed, code: "method_not_allowed", message: "This method is not allowed here.")
            case .contentTooLarge: return APIError(.contentTooLarge, code: "body_too_large", message: "The request body is too large.")
            case .badRequest: return .badRequest(error.body ?? "The request is malformed.")
            default: return APIError(error.status, code: "http_\(error.status.code)", message: error.status.reasonPhrase)
            }
        default:
            return APIError(.internalServerError, code: "internal_error", message: "Something went wrong on our side. The request id helps us find it.")
        }
    }

    static func map(_ error: SignInError) -> APIError {
        switch error {
        case .failed:
            return APIError(.unauthorized, code: "sign_in_failed", message: "The email, password or code is not right.")
        case .tooManyAttempts(let wait):
            var error = APIError(.tooManyRequests, code: "too_many_attempts", message: "Too many attempts. Wait a little and try again.")
            error.retryAfter = wait
            return error
        case .secondFactorMissing:
            return APIError(.forbidden, code: "second_factor_missing", message: "Your account has no authenticator app set up yet. Ask your site administrator.")
        case .emailNotVerified:
            return APIError(.forbidden, code: "email_not_verified", message: "Confirm your email address first: we have sent you a new link.")
        case .wrongCode(let left):
            return APIError(.unauthorized, code: "wrong_code", message: "This code is not right. You can try \(left) more time\(left == 1 ? "" : "s").")
        case .codeExpired:
            return APIError(.unauthorized, code: "code_expired",
                            message: "This code has expired or was tried too many times. Sign in again to receive a new one.")
        case .wrongPassword:
            return .unprocessable("The current password is not right.", code: "wrong_password")
        case .wrongEnrolmentCode:
            return .unprocessable("The code from the app does not match. Check that the phone's clock is right, scan the code again and type the six digits it shows.",
                                  code: "wrong_enrolment_code")
        case .invalidLink:
            return .unprocessable("This link has expired or was already used. Sign in to receive a new one, or ask for a new password.", code: "invalid_link")
        }
    }

    static func map(_ error: BookingError) -> APIError {
        switch error {
        case .notFound(let message):
            return .notFound(message)
        case .refused(let violation):
            return .unprocessable(violation.message, code: violation.code.rawValue)
        case .slotTaken(let next, let timeZone):
            let message = next.isEmpty
                ? "This slot has just been taken, and no other is free soon. Try another practitioner or a later date."
                : "This slot has just been taken by someone else. Here are the next free ones."
            return APIError(.conflict, code: "slot_taken", message: message, alternatives: next.map {
                APIError.Alternative(start: RFC3339.format($0.start, in: timeZone), end: RFC3339.format($0.end, in: timeZone))
            })
        case .invalidTransition(let message):
            return .conflict(message, code: "invalid_transition")
        case .changedMeanwhile:
            return .conflict("This appointment was changed by someone else meanwhile. Reload it and try again.", code: "changed_meanwhile")
        case .forbidden(let message):
            return APIError(.forbidden, code: "forbidden", message: message)
        }
    }
}
