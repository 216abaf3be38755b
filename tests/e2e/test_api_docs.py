"""The interactive API docs render in Chromium from our own origin: Swagger UI's files are served by the
app itself, nothing is fetched from anywhere else, and the page breaks no rule of the strict CSP."""

from playwright.sync_api import expect

# Recorded in the page before any of its scripts run: what the CSP refused, as the browser reports it.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
    (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def test_api_docs_render_locally_under_the_csp(browser, server):
    context = browser.new_context()
    context.add_init_script(CSP_LISTENER)
    elsewhere: list[str] = []

    def only_our_server(route):
        # Nothing may leave for another host; stop it here, so the test never touches the network.
        if route.request.url.startswith(server.url + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_our_server)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda err: console.append(f"pageerror: {err}"))
    try:
        page.goto(server.url + "/api/docs")
        expect(page.get_by_role("heading", name="Undercover")).to_be_visible()
        # The operations are listed, each with its method and path.
        for path in ("/api/auth/token", "/api/visits", "/api/pain-points"):
            expect(page.get_by_text(path, exact=True).first).to_be_visible()
        assert page.locator(".opblock").count() > 20
        # An operation opens, with its parameters: the page is alive, not just painted.
        page.get_by_text("/api/visits/{visit_id}", exact=True).first.click()
        expect(page.get_by_role("heading", name="Parameters").first).to_be_visible()
        expect(page.get_by_role("button", name="Try it out").first).to_be_visible()

        assert elsewhere == [], f"requests left the server: {elsewhere}"
        assert page.evaluate("window.__cspViolations") == []
        refused = [line for line in console if "Content Security Policy" in line or "Refused to" in line]
        assert refused == [], refused
        assert not [line for line in console if line.startswith(("error", "pageerror"))], console
    finally:
        context.close()
        print("---- browser console ----\n" + "\n".join(console[-40:]))
