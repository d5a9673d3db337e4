import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Every error that leaves a route is answered as an OperationOutcome with its status: the router's own 404 (no such
/// route) and 405, Hummingbird's 413 for a body over its limit, a decoding error (400). Only what is really ours to
/// fix is a 500, said without internals (they go to the log).
struct OutcomeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as PlatformError {
            return FHIRResponse.error(error)
        } catch let denial as GatewayDenial {
            return GatewayRoutes.refusal(denial)
        } catch let error as HTTPError {
            let status = Int(error.status.code)
            let path = TextSanitizer.cleanLine(request.uri.path, maxLength: 200)
            let message: String
            switch status {
            case 404: message = "Ingen ressource eller operation på \(path)"
            case 405: message = "\(request.method.rawValue) understøttes ikke på \(path)"
            case 413: message = "Forespørgslen er for stor"
            default: message = error.body.map { TextSanitizer.cleanLine($0, maxLength: 300) } ?? "Forespørgslen kan ikke besvares"
            }
            let code = status == 404 ? "not-found" : status == 413 ? "too-costly" : status < 500 ? "invalid" : "exception"
            return FHIRResponse.error(PlatformError(status: status, code: code, message))
        } catch is NIOTooManyBytesError {
            return FHIRResponse.error(PlatformError(status: 413, code: "too-costly", "Forespørgslen er for stor"))
        } catch is DecodingError {
            return FHIRResponse.error(PlatformError.invalid("Indholdet kan ikke læses"))
        } catch {
            context.logger.error("Uventet fejl på \(request.method.rawValue) \(request.uri.path): \(error)")
            return FHIRResponse.error(PlatformError(status: 500, code: "exception", "Intern fejl; den er logget"))
        }
    }
}
