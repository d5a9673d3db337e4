import Crypto
import DemoSources
import FHIR
import Foundation
import Platform
import Testing

/// Hostile input over real loopback HTTP to every route of every server (gateway, engine, demo identity provider,
/// demo sources, their control endpoint, the websocket upgrade): malformed bodies, queries, paths,
/// percent-encodings, headers and tokens, deep and huge JSON, invalid UTF-8 and raw protocol garbage. Each is
/// answered with a 4xx (an OperationOutcome where a route answered), never a 5xx, never a hang, and the node answers
/// `/health` after every one.
@Suite(.timeLimit(.minutes(5))) struct HostileInputTests {
    /// One hostile request: where it goes and the bytes it is.
    struct Input: Sendable {
        var name: String
        var port: Int
        var bytes: [UInt8]
        /// Protocol-level garbage: the HTTP layer may answer 400 without a body, or close.
        var raw = false
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: Substring) -> Data? {
        var base = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.count % 4 != 0 { base += "=" }
        return Data(base64Encoded: base)
    }

    /// HS256 over `header.payload` with `secret`.
    static func sign(_ header: String, _ payload: String, secret: String) -> String {
        let input = base64URL(Data(header.utf8)) + "." + base64URL(Data(payload.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return input + "." + base64URL(Data(mac))
    }

    /// Forged and broken tokens, from a real one: unsigned, `alg: none`, another key, changed claims, expired,
    /// huge, not a JWT.
    static func forgedTokens(from token: String) -> [(String, String)] {
        let parts = token.split(separator: ".")
        let payload = parts.count == 3 ? String(decoding: decodeBase64URL(parts[1]) ?? Data(), as: UTF8.self) : "{}"
        let elevated = payload.replacingOccurrences(of: "\"citizen\"", with: "\"ed-doctor\"")
        let otherUser = payload.replacingOccurrences(of: "borger-bruno", with: "akutlaege")
        let expired =
            (try? JSONValue.parse(Data(payload.utf8))).map { json -> String in
                guard case .object(var members) = json else { return payload }
                members["exp"] = .number(1_000_000_000)
                return String(decoding: JSONValue.object(members).serialized(), as: UTF8.self)
            } ?? payload
        let none = base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + base64URL(Data(elevated.utf8)) + "."
        let tampered = parts.count == 3 ? parts[0] + "." + base64URL(Data(elevated.utf8)) + "." + parts[2] : token
        return [
            ("unsigned", String(parts.first ?? "") + "." + String(parts.dropFirst().first ?? "")),
            ("alg-none", none),
            ("alg-none-signed-with-empty", none + "AAAA"),
            ("wrong-key", sign(#"{"alg":"HS256","typ":"JWT"}"#, elevated, secret: "an-attackers-own-secret-0123456789abcdef")),
            ("changed-role", tampered),
            (
                "changed-subject",
                parts.count == 3 ? parts[0] + "." + base64URL(Data(otherUser.utf8)) + "." + parts[2] : token
            ),
            ("expired-resigned-wrong-key", sign(#"{"alg":"HS256","typ":"JWT"}"#, expired, secret: "x")),
            ("rs256-header", sign(#"{"alg":"RS256","typ":"JWT"}"#, payload, secret: GW.secret)),
            ("huge", token + String(repeating: "A", count: 60_000)),
            ("three-dots", "..."),
            ("not-base64", "%%%.***.$$$"),
            ("json-header-garbage", base64URL(Data("{{{".utf8)) + "." + base64URL(Data("[]".utf8)) + ".x"),
            ("deep-payload", sign(#"{"alg":"HS256"}"#, String(repeating: "[", count: 5000), secret: GW.secret)),
            ("empty", ""),
            ("spaces", "    "),
        ]
    }

    static let queries = [
        "=", "&&&", "a=%", "a=%ZZ", "%=%", "a=%C3%28", "a=%FF%FE", "a=%00", "_count=-1", "_count=99999999999999999999",
        "_count=abc", "patient=", "identifier=%7C", "identifier=urn:oid:1.2.208.176.1.2%7C", "identifier=%7C%7C%7C",
        "_sort=", "_sort=-", "date=ge", "date=ge9999-99-99", "date=2024-13-45T99:99", "x=" + String(repeating: "a", count: 8000),
        "a[]=1", "_summary=count", "patient=a,b,c", "patient:identifier=%7C", "_offset=-5", "_offset=9223372036854775807",
        "lastEventId=-1", "eventsSinceNumber=abc", "eventsSinceNumber=9223372036854775808", "eventsUntilNumber=-3",
        "_id=", "subject=Patient/", "patient=Patient/../../x", "=&=&=", "a==b", "%26=%3D", "code:not=", "_lastUpdated=lt",
        "_format=xml", "emergency=maybe", "_count=0",
    ]

    static let bodies: [(String, [UInt8])] = [
        ("empty", []), ("equals", Array("=".utf8)), ("brace", Array("{".utf8)), ("array", Array("[]".utf8)),
        ("null", Array("null".utf8)), ("string", Array("\"x\"".utf8)),
        ("resourceType-number", Array(#"{"resourceType":1}"#.utf8)),
        ("deep", Array(String(repeating: "[", count: 100_000).utf8)),
        ("deep-objects", Array(String(repeating: "{\"a\":", count: 20_000).utf8)),
        ("invalid-utf8", [0x7B, 0x22, 0xC3, 0x28, 0xFF, 0x22, 0x3A, 0x31, 0x7D]), ("nul", Array("{\"a\":\"\\u0000\"}".utf8)),
        ("bom", [0xEF, 0xBB, 0xBF] + Array("{}".utf8)),
        ("history-empty-entry", Array(#"{"resourceType":"Bundle","type":"history","entry":[{}]}"#.utf8)),
        ("huge-number", Array("[1e999999999]".utf8)), ("duplicate-keys", Array(#"{"a":1,"a":2,"resourceType":"X"}"#.utf8)),
        ("form", Array("user=&user=%ZZ&=".utf8)), ("lone-surrogate", Array(#"{"a":"\ud800"}"#.utf8)),
        (
            "batch-garbage",
            Array(#"{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"GET","url":"//x"}},1]}"#.utf8)
        ),
        ("subscription-garbage", Array(#"{"resourceType":"Subscription","criteria":["x"],"channel":7}"#.utf8)),
        ("big", Array(repeating: UInt8(ascii: "a"), count: 1_100_000)),
    ]

    static let paths = [
        "/sources/../../etc/passwd", "/sources/%2e%2e/fhir/Patient", "/sources/hospital/fhir/%00",
        "/sources/hospital/fhir/Patient/%ZZ", "/sources/hospital/fhir/Patient/" + String(repeating: "9", count: 5000),
        "//", "/sources/hospital/fhir/Patient/1/_history/1/extra", "/Subscription/%00/$status",
        "/Subscription/..%2f..%2f/$events", "/no/such/route", "/sources/hospital/fhir/", "/sources//fhir/Patient",
        "/sources/ukendt/fhir/Patient", "/SubscriptionTopic/%ZZ", "/sources/hospital/fhir/patient",
        "/sources/hospital/fhir/Patient?_count=%", "/%C3%28", "/health/%00", "/auth/token/x", "/AuditEvent/1",
        "/AuditEvent/%24checkpoint", "/AuditEvent/$checkpoint/x", "/Patient/%00/$summary", "/Patient/../$summary",
        "/Patient/$summary/x", "/Patient/" + String(repeating: "9", count: 5000) + "/$summary",
    ]

    static let rawGarbage: [(String, [UInt8])] = {
        var items: [(String, [UInt8])] = [
            // The first bytes of a TLS ClientHello, to a plain port.
            (
                "tls-hello",
                [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03] + Array(repeating: 0x42, count: 64)
            ),
            ("binary", [0x00, 0x01, 0x02, 0x03, 0xFF]), ("bare-get", Array("GET\r\n\r\n".utf8)),
            ("http-9", Array("GET / HTTP/9.9\r\nHost: x\r\n\r\n".utf8)),
            ("no-colon", Array("GET /health HTTP/1.1\r\nHost x\r\nConnection: close\r\n\r\n".utf8)),
            (
                "huge-header",
                Array("GET /health HTTP/1.1\r\nHost: x\r\nX-A: \(String(repeating: "a", count: 100_000))\r\n\r\n".utf8)
            ),
            ("huge-line", Array("GET /\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
            ("h2-preface", Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)),
            (
                "negative-length",
                Array("POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n".utf8)
            ),
            (
                "text-length",
                Array("POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n".utf8)
            ),
            (
                "two-lengths",
                Array(
                    "POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 5\r\nConnection: close\r\n\r\n="
                        .utf8)
            ),
            (
                "bad-chunk",
                Array(
                    "POST /auth/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZ\r\n=\r\n0\r\n\r\n"
                        .utf8)
            ),
            ("lf-only", Array("GET /health HTTP/1.1\nHost: x\nConnection: close\n\n".utf8)),
            ("nul-in-path", Array("GET /he\u{0}alth HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)),
            ("space-in-path", Array("GET /sources /fhir HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)),
            ("absolute-form", Array("GET http://evil.example/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)),
            ("connect", Array("CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)),
            ("unknown-method", Array("BREW /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)),
        ]
        var generator = SeededGenerator(seed: 0x5EED)
        for index in 0..<20 {
            let count = Int.random(in: 1...2000, using: &generator)
            items.append(("random-\(index)", (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        }
        return items
    }()

    /// A deterministic generator, so a failing random input is the same in the next run.
    typealias SeededGenerator = SplitMix64

    static func port(of url: String) -> Int { URLComponents(string: url)?.port ?? 0 }

    /// Every hostile input for the servers of one started platform.
    static func inputs(_ h: GatewayHarness, token: String) async throws -> [Input] {
        let node = port(of: h.base)
        let source = port(of: h.sourceURLs["hospital"] ?? "")
        let control = port(of: await h.cluster.controlURL ?? "")
        let auth = [("Authorization", "Bearer \(token)")]
        var inputs: [Input] = []
        func add(_ name: String, _ port: Int, _ bytes: [UInt8], raw: Bool = false) {
            inputs.append(Input(name: name, port: port, bytes: bytes, raw: raw))
        }
        // Queries on every GET route of the node (signed in, so that the query is read), the source and control.
        let nodeGets = [
            "/health", "/health/live", "/health/ready", "/SubscriptionTopic", "/Subscription", "/Subscription/none/$status",
            "/Subscription/none/$events",
            "/Subscription/none/$sse", "/auth/users", "/sources", "/sources/hospital/fhir/Patient",
            "/sources/hospital/fhir/Encounter", "/sources/hospital/fhir/Patient/\(GW.brunoHospital)", "/AuditEvent",
            "/AuditEvent/$checkpoint", "/Patient/$summary", "/research/projects",
        ]
        for route in nodeGets {
            for query in queries {
                add("GET \(route)?\(query.prefix(40))", node, RawHTTP.request("GET", "\(route)?\(query)", headers: auth))
            }
        }
        // A summary by id reads every source when the query is harmless: a few of them.
        for query in queries.prefix(6) {
            add(
                "GET summary by id ?\(query.prefix(40))", node,
                RawHTTP.request("GET", "/Patient/\(GW.bruno)/$summary?\(query)", headers: auth))
        }
        for route in ["/fhir/Patient", "/fhir/Observation", "/fhir/metadata"] {
            for query in queries {
                add("source GET \(route)?\(query.prefix(40))", source, RawHTTP.request("GET", "\(route)?\(query)"))
            }
        }
        for query in queries.prefix(10) {
            add("control GET ?\(query)", control, RawHTTP.request("GET", "/_demo/sources?\(query)"))
        }
        // Bulk Data with the export credential, so that the query is read (a kick-off that passes starts a real
        // export; more than four at once are 429).
        let export = [("Authorization", "Bearer \(try h.source("hospital").exportSecret)"), ("Prefer", "respond-async")]
        for route in ["/fhir/$export", "/fhir/Group/x/$export", "/fhir/$export-status/x", "/fhir/$export-file/x/y"] {
            for query in queries {
                add(
                    "source GET \(route)?\(query.prefix(40))", source,
                    RawHTTP.request("GET", "\(route)?\(query)", headers: export))
            }
        }
        // Bodies on every route that reads one.
        let researcher = [("Authorization", "Bearer \(try await h.token("forsker"))")]
        let controller = [("Authorization", "Bearer \(try await h.token("dataansvarlig"))")]
        let preferences = port(of: h.sourceURLs["preferences"] ?? "")
        let posts: [(String, Int, String, [(String, String)])] = [
            ("POST", node, "/auth/token", []), ("POST", node, "/notify/hospital", h.notifyAuthorization("hospital")),
            ("POST", node, "/notify/hospital", []), ("POST", node, "/Subscription", auth),
            ("PUT", node, "/Subscription/none", auth), ("POST", node, "/Subscription/none/$events", auth),
            ("POST", node, "/Patient/$summary", auth),
            ("POST", source, "/fhir", []), ("POST", source, "/fhir/Patient/_search", []),
            ("PUT", control, "/_demo/sources/hospital/fault", []),
            // The analysis platform's routes and a citizen's opt-out, each as the role that gets to the body.
            ("PUT", node, "/me/research-opt-out", [("Authorization", "Bearer \(try await h.token("borger-nancy"))")]),
            ("POST", node, "/research/projects", researcher), ("POST", node, "/research/projects/none/$query", researcher),
            ("POST", node, "/research/projects/none/$approve", controller),
            ("PUT", preferences, "/fhir/Consent/x", []), ("PUT", preferences, "/fhir/Patient/x", []),
        ]
        for (method, port, route, headers) in posts {
            for (name, body) in bodies {
                add(
                    "\(method) \(route) body \(name)", port,
                    RawHTTP.request(method, route, headers: headers + [("Content-Type", "application/fhir+json")], body: body))
            }
        }
        // The app cloud's OAuth routes answer as OAuth does (RFC 6749 JSON errors, an HTML page for the authorization
        // endpoint), not with an OperationOutcome: never a 5xx, though.
        for route in [
            "/auth/smart/authorize", "/.well-known/smart-configuration", "/AppStore", "/demo-apps/mine-vaccinationer/launch",
            "/demo-apps/vaccinationsstatus/callback", "/demo-apps/%00/launch",
        ] {
            for query in queries {
                add("GET \(route)?\(query.prefix(40))", node, RawHTTP.request("GET", "\(route)?\(query)"), raw: true)
            }
        }
        let forms: [(String, String)] = [
            ("grant-twice", "grant_type=client_credentials&grant_type=authorization_code"),
            (
                "assertion-garbage",
                "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c"
            ),
            (
                "assertion-huge",
                "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion="
                    + String(repeating: "eyJ", count: 9000)
            ),
            (
                "assertion-deep",
                "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJhbGciOiJFUzM4NCIsImtpZCI6ImsifQ."
                    + Data(String(repeating: "[", count: 5000).utf8).base64EncodedString() + ".x"
            ),
            ("code-garbage", "grant_type=authorization_code&code=%ZZ&code_verifier=" + String(repeating: "v", count: 5000)),
            ("scope-huge", "grant_type=client_credentials&scope=" + String(repeating: "system/Patient.rs?a=b ", count: 1000)),
            ("request-unknown", "request=nope&user=borger-bruno&decision=allow"),
            ("percent-garbage", "%ZZ=%ZZ&&&=&client_id=%00"),
        ]
        for route in ["/auth/smart/token", "/auth/smart/authorize", "/auth/smart/introspect", "/auth/smart/launch"] {
            for (name, form) in forms {
                add(
                    "POST \(route) form \(name)", node,
                    RawHTTP.request(
                        "POST", route, headers: auth + [("Content-Type", "application/x-www-form-urlencoded")],
                        body: Array(form.utf8)),
                    raw: true)
            }
            for (name, body) in bodies {
                add(
                    "POST \(route) body \(name)", node,
                    RawHTTP.request("POST", route, headers: [("Content-Type", "application/fhir+json")], body: body), raw: true)
            }
        }
        // Tokens on the routes that need one.
        for (name, forged) in forgedTokens(from: token) {
            for route in [
                "/sources", "/sources/hospital/fhir/Patient/\(GW.brunoHospital)", "/AuditEvent", "/Subscription",
                "/Patient/\(GW.bruno)/$summary",
            ] {
                add(
                    "token \(name) \(route)", node,
                    RawHTTP.request("GET", route, headers: [("Authorization", "Bearer \(forged)")]))
            }
        }
        // Headers.
        let headerSets: [(String, [(String, String)])] = [
            ("basic", [("Authorization", "Basic YWRtaW46YWRtaW4=")]), ("bearer-alone", [("Authorization", "Bearer")]),
            ("non-ascii-auth", [("Authorization", "Bearer æøå")]),
            ("emergency-garbage", auth + [("X-Purpose-Of-Use", "EMERGENCY"), ("X-Emergency-Reason", "%ZZ%00\u{1b}[2J")]),
            (
                "emergency-huge",
                auth + [("X-Purpose-Of-Use", "EMERGENCY"), ("X-Emergency-Reason", String(repeating: "x", count: 50_000))]
            ),
            ("if-none-match-huge", auth + [("If-None-Match", String(repeating: "\"x\",", count: 10_000))]),
            ("last-event-id", auth + [("Last-Event-ID", "-99999999999999999999")]),
            ("accept-garbage", auth + [("Accept", "\u{7f}\u{7f}/;;;q=x")]),
            ("content-type-garbage", auth + [("Content-Type", "multipart/form-data; boundary=")]),
            ("many-headers", auth + (0..<500).map { ("X-H\($0)", "v") }),
        ]
        for (name, headers) in headerSets {
            for route in ["/sources/hospital/fhir/Patient/\(GW.brunoHospital)", "/Subscription/none/$sse", "/AuditEvent"] {
                add("headers \(name) \(route)", node, RawHTTP.request("GET", route, headers: headers))
            }
        }
        // Paths, signed in.
        for path in paths { add("path \(path.prefix(50))", node, RawHTTP.request("GET", path, headers: auth)) }
        for path in ["/fhir/%00", "/fhir/Patient/%ZZ", "/fhir/../etc", "/fhir/Patient/1/_history/%2e%2e", "/%C3%28", "/fhir//"] {
            add("source path \(path)", source, RawHTTP.request("GET", path))
        }
        for path in ["/_demo/sources/%00/fault", "/_demo/sources/../fault", "/_demo/x"] {
            add("control path \(path)", control, RawHTTP.request("PUT", path, body: Array("{}".utf8)))
        }
        // The websocket upgrade, broken in several ways.
        let upgrade = [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Version", "13")]
        add("ws no key", node, RawHTTP.request("GET", "/ws", headers: upgrade), raw: true)
        add("ws bad key", node, RawHTTP.request("GET", "/ws", headers: upgrade + [("Sec-WebSocket-Key", "%%%")]), raw: true)
        add(
            "ws version 99", node,
            RawHTTP.request(
                "GET", "/ws",
                headers: [
                    ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Version", "99"),
                    ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                ]), raw: true)
        add(
            "ws on an http route", node,
            RawHTTP.request("GET", "/health", headers: upgrade + [("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")]), raw: true)
        // Raw garbage to every server.
        for (name, bytes) in rawGarbage {
            add("raw \(name) node", node, bytes, raw: true)
            add("raw \(name) source", source, bytes, raw: true)
            if name.hasPrefix("tls") || name.hasPrefix("binary") || name.hasPrefix("huge") {
                add("raw \(name) control", control, bytes, raw: true)
            }
        }
        return inputs
    }

    @Test("Fjendtligt input til alle ruter: altid 4xx, aldrig 5xx, aldrig hæng, og noden svarer bagefter")
    func everyHostileInputIsRefusedAndTheNodeStaysUp() async throws {
        var limits = Gateway.Limits()
        limits.userBurst = 1_000_000
        limits.clientBurst = 1_000_000
        try await GatewayHarness.with(limits: limits) { h in
            let token = try await h.token("borger-bruno")
            let inputs = try await Self.inputs(h, token: token)
            #expect(inputs.count >= 300, "only \(inputs.count) inputs")
            let node = Self.port(of: h.base)
            let health = RawHTTP.request("GET", "/health")
            var failures: [String] = []
            var statuses: [Int: Int] = [:]
            for input in inputs {
                // A websocket that upgrades and never binds is closed by the node after 10 s (plus its close handshake).
                let answer = await RawHTTP.exchange(port: input.port, input.bytes, timeout: input.name.hasPrefix("ws") ? 40 : 8)
                if let status = answer.status { statuses[status, default: 0] += 1 }
                if answer.timedOut {
                    failures.append("\(input.name): hung (\(answer))")
                } else if let status = answer.status {
                    if status >= 500 { failures.append("\(input.name): \(answer)") }
                    if !input.raw, status >= 400, !answer.isOperationOutcome {
                        failures.append("\(input.name): \(status) without an OperationOutcome: \(answer)")
                    }
                } else if !input.raw {
                    failures.append("\(input.name): no answer (\(answer))")
                }
                let alive = await RawHTTP.exchange(port: node, health, timeout: 10)
                if alive.status != 200 {
                    failures.append("after \(input.name): /health answered \(alive)")
                    break
                }
            }
            #expect(failures.isEmpty, "\(failures.count) of \(inputs.count):\n\(failures.prefix(40).joined(separator: "\n"))")
            // The sources and the control endpoint are still there too.
            let source = await RawHTTP.exchange(
                port: Self.port(of: h.sourceURLs["hospital"] ?? ""), RawHTTP.request("GET", "/fhir/metadata"))
            #expect(source.status == 200, "\(source)")
            print("Fjendtligt input: \(inputs.count) forespørgsler, svar \(statuses.sorted { $0.key < $1.key })")
        }
    }

    @Test("Forbindelser der intet sender, sender halvt, eller sender TLS til en almindelig port lukkes inden for sekunder")
    func idleAndHalfConnectionsAreClosed() async throws {
        try await GatewayHarness.with { h in
            let node = Self.port(of: h.base)
            let half: [(String, [UInt8])] = [
                ("nothing", []), ("half a request line", Array("GET /hea".utf8)),
                ("headers never ended", Array("GET /health HTTP/1.1\r\nHost: x\r\n".utf8)),
                ("body promised", Array("POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{".utf8)),
                ("tls hello", [0x16, 0x03, 0x01, 0x00, 0x50, 0x01, 0x00, 0x00, 0x4C, 0x03, 0x03]),
            ]
            // 40 of each at once: they are all closed by the node within its idle limit, while it keeps answering.
            let answers = await withTaskGroup(of: (String, RawHTTP.Answer).self) { group in
                for (name, bytes) in half {
                    for _ in 0..<40 { group.addTask { (name, await RawHTTP.exchange(port: node, bytes, timeout: 25)) } }
                }
                let meanwhile = await RawHTTP.exchange(port: node, RawHTTP.request("GET", "/health"), timeout: 10)
                #expect(meanwhile.status == 200, "the node answers while 200 idle connections are open: \(meanwhile)")
                var all: [(String, RawHTTP.Answer)] = []
                for await item in group { all.append(item) }
                return all
            }
            var open: [String: Int] = [:]
            for (name, answer) in answers where answer.timedOut || answer.seconds >= 20 { open[name, default: 0] += 1 }
            #expect(open.isEmpty, "still open after 20 s (of 40 each): \(open.sorted { $0.key < $1.key })")
            let after = await RawHTTP.exchange(port: node, RawHTTP.request("GET", "/health"))
            #expect(after.status == 200)
        }
    }
}
