import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Words

/// Every error that leaves a route is answered as an OperationOutcome with its status: the router's own 404 (no such
/// route) and 405, Hummingbird's 413 for a body over its limit, a decoding error (400). Only what is really ours to
/// fix is a 500, said without internals (they go to the log).
struct OutcomeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.response(for: error, method: request.method.rawValue, path: request.uri.path, logger: context.logger)
        }
    }

    /// The one place a thrown error becomes an answer, for the middleware and the routes' own `answer` alike.
    static func response(for error: any Error, method: String?, path: String?, logger: Logger?) -> Response {
        let shownPath = TextSanitizer.cleanLine(path ?? "", maxLength: 200)
        switch error {
        case let error as PlatformError:
            return FHIRResponse.error(error)
        case let denial as GatewayDenial:
            return GatewayRoutes.refusal(denial)
        case is NIOTooManyBytesError:
            return FHIRResponse.error(PlatformError(status: 413, code: "too-costly", Phrase("outcome.too-large")))
        case is HTTPParserError:
            return FHIRResponse.error(PlatformError(status: 400, code: "structure", Phrase("outcome.http-unreadable")))
        case let error as HTTPError:
            let status = Int(error.status.code)
            let message: Phrase
            switch status {
            case 404: message = Phrase("outcome.no-route", ["path": .text(shownPath)])
            case 405:
                message = Phrase(
                    "outcome.method-not-allowed",
                    ["method": .text(TextSanitizer.cleanLine(method ?? "-", maxLength: 20)), "path": .text(shownPath)])
            case 413: message = Phrase("outcome.too-large")
            default:
                message =
                    error.body.map { .verbatim(TextSanitizer.cleanLine($0, maxLength: 300)) }
                    ?? Phrase("outcome.unanswerable")
            }
            let code = status == 404 ? "not-found" : status == 413 ? "too-costly" : status < 500 ? "invalid" : "exception"
            return FHIRResponse.error(PlatformError(status: status, code: code, message))
        case is DecodingError:
            return FHIRResponse.error(PlatformError.invalid(Phrase("outcome.content-unreadable")))
        default:
            logger?.error("Uventet fejl på \(method ?? "-") \(path ?? "-"): \(error)")
            return FHIRResponse.error(PlatformError(status: 500, code: "exception", Phrase("outcome.internal")))
        }
    }
}
