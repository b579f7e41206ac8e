import Foundation
import Hummingbird

/// The applicants' web app (Sources/LoanAPI/Web: plain HTML, CSS and JavaScript modules, no
/// build step): `GET /` serves the page, `GET /web/{file}` its modules and styles.
///
/// The files are embedded in the binary (SwiftPM `embedInCode`), so `loan-api` needs nothing
/// beside it at run time. These routes are not API operations: they stay out of the OpenAPI
/// document and of the route table its sync test compares.
enum WebFrontEnd {
    struct Asset: Sendable {
        let bytes: [UInt8]
        let contentType: String
        /// A strong validator of the content, so revalidation answers 304 without a body.
        let etag: String

        init(_ bytes: [UInt8], _ contentType: String) {
            self.bytes = bytes
            self.contentType = contentType
            etag = "\"" + String(WebFrontEnd.fnv1a(bytes), radix: 16) + "\""
        }
    }

    /// Every served file by name. A test checks that it lists exactly the files of Web/.
    static let assets: [String: Asset] = [
        "index.html": Asset(PackageResources.index_html, "text/html; charset=utf-8"),
        "app.css": Asset(PackageResources.app_css, "text/css; charset=utf-8"),
        "icon.svg": Asset(PackageResources.icon_svg, "image/svg+xml"),
        "app.js": Asset(PackageResources.app_js, javaScript),
        "api.js": Asset(PackageResources.api_js, javaScript),
        "dom.js": Asset(PackageResources.dom_js, javaScript),
        "form.js": Asset(PackageResources.form_js, javaScript),
        "format.js": Asset(PackageResources.format_js, javaScript),
        "rules.js": Asset(PackageResources.rules_js, javaScript),
        "live.js": Asset(PackageResources.live_js, javaScript),
        "chart.js": Asset(PackageResources.chart_js, javaScript),
        "view-auth.js": Asset(PackageResources.view_auth_js, javaScript),
        "view-account.js": Asset(PackageResources.view_account_js, javaScript),
        "view-loan-form.js": Asset(PackageResources.view_loan_form_js, javaScript),
        "view-loan-list.js": Asset(PackageResources.view_loan_list_js, javaScript),
        "view-loan.js": Asset(PackageResources.view_loan_js, javaScript),
    ]

    static let javaScript = "text/javascript; charset=utf-8"

    /// Only this origin: no CDN, no inline script or style, no framing. `connect-src 'self'`
    /// also covers the same-origin WebSocket (CSP level 3).
    static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    static func register(on router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in try serve("index.html", request) }
        router.get("/web/{file}") { request, context in try serve(context.parameters.get("file") ?? "", request) }
    }

    /// The file with its type, validator and security headers; 304 when the browser's copy is current.
    static func serve(_ name: String, _ request: Request) throws -> Response {
        guard let asset = assets[name] else { throw APIError.notFound("no such file") }
        // No content hash in the file names (there is no build step), so browsers revalidate
        // every time: a 304 costs little, and a new deployment is never mixed with stale modules.
        var headers: HTTPFields = [
            .contentType: asset.contentType, .eTag: asset.etag, .cacheControl: "no-cache",
            .contentSecurityPolicy: contentSecurityPolicy, .xContentTypeOptions: "nosniff",
            referrerPolicy: "no-referrer", xFrameOptions: "DENY",
        ]
        if let tags = request.headers[.ifNoneMatch], tags.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == asset.etag || $0.trimmingCharacters(in: .whitespaces) == "*"
        }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(asset.bytes.count)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    static let referrerPolicy = HTTPFields.Element.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPFields.Element.Name("X-Frame-Options")!

    /// 64-bit FNV-1a: a cheap content hash for the ETag (not a security boundary).
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
