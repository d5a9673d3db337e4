"""A citizen's app (SMART App Launch, standalone, public client with PKCE S256) as a third party writes it: Authlib's
OAuth 2.0 client; the test plays the browser (requests) on the platform's login page. Driven by
Tests/PlatformTests/ThirdPartyClientTests.swift; prints one JSON object per step on stdout.

  smart_app.py BASE CLIENT REDIRECT_URI USER FHIR_URL
"""

import json
import re
import sys

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError


def say(**fields):
    print(json.dumps(fields))


def login(url, user, decision="allow"):
    """The browser: the page, then the form posted as the user, up to the redirect (not followed)."""
    browser = requests.Session()
    page = browser.get(url, allow_redirects=False, timeout=30)
    if page.status_code != 200:
        return page, None
    request = re.search(r'name="request" value="([^"]+)"', page.text).group(1)
    answer = browser.post(BASE + "/auth/smart/authorize", data={"request": request, "user": user, "decision": decision},
                          allow_redirects=False, timeout=30)
    return page, answer


BASE, CLIENT, REDIRECT, USER, FHIR = sys.argv[1:6]
TOKEN = BASE + "/auth/smart/token"
AUTHORIZE = BASE + "/auth/smart/authorize"
SCOPE = "launch/patient patient/Immunization.rs patient/Patient.rs openid fhirUser"

config = requests.get(BASE + "/.well-known/smart-configuration", timeout=30).json()
say(step="discovery", authorize=config.get("authorization_endpoint"), pkce=config.get("code_challenge_methods_supported"))

session = OAuth2Session(CLIENT, redirect_uri=REDIRECT, scope=SCOPE, code_challenge_method="S256")
verifier = generate_token(64)
url, state = session.create_authorization_url(config["authorization_endpoint"], code_verifier=verifier, aud=BASE)
page, answer = login(url, USER)
say(step="page", status=page.status_code, asks="Vaccin" in page.text or "Immunization" in page.text)
location = answer.headers.get("Location", "")
say(step="redirect", status=answer.status_code, to_app=location.startswith(REDIRECT), has_code="code=" in location)
try:
    token = session.fetch_token(TOKEN, authorization_response=location, state=state, code_verifier=verifier)
    say(step="token", ok=True, scope=token.get("scope"), patient=token.get("patient"),
        banner=token.get("need_patient_banner"), expires_in=token.get("expires_in"))
    read = requests.get(FHIR, headers={"Authorization": "Bearer " + token["access_token"]}, timeout=30)
    say(step="read", status=read.status_code, entries=len(read.json().get("entry", [])))
except OAuthError as error:
    say(step="token", ok=False, error=error.error, description=error.description)

# The same code again: invalid_grant.
try:
    session.fetch_token(TOKEN, authorization_response=location, state=state, code_verifier=verifier)
    say(step="code-again", ok=True)
except OAuthError as error:
    say(step="code-again", ok=False, error=error.error)

# A fresh code with the wrong verifier: invalid_grant.
other = OAuth2Session(CLIENT, redirect_uri=REDIRECT, scope=SCOPE, code_challenge_method="S256")
url, state = other.create_authorization_url(AUTHORIZE, code_verifier=generate_token(64), aud=BASE)
_, answer = login(url, USER)
try:
    other.fetch_token(TOKEN, authorization_response=answer.headers.get("Location", ""), state=state,
                      code_verifier=generate_token(64))
    say(step="wrong-verifier", ok=True)
except OAuthError as error:
    say(step="wrong-verifier", ok=False, error=error.error)

# PKCE `plain` (Authlib can send it): refused back to the app with invalid_request.
plain = OAuth2Session(CLIENT, redirect_uri=REDIRECT, scope=SCOPE, code_challenge_method="plain")
url, _ = plain.create_authorization_url(AUTHORIZE, code_verifier=generate_token(64), aud=BASE)
refused = requests.get(url, allow_redirects=False, timeout=30)
say(step="plain", status=refused.status_code, location=refused.headers.get("Location", ""))

# No PKCE at all.
bare = OAuth2Session(CLIENT, redirect_uri=REDIRECT, scope=SCOPE)
url, _ = bare.create_authorization_url(AUTHORIZE, aud=BASE)
refused = requests.get(url, allow_redirects=False, timeout=30)
say(step="no-pkce", status=refused.status_code, location=refused.headers.get("Location", ""))

# A redirect URI not registered: a page, never a redirect there.
evil = OAuth2Session(CLIENT, redirect_uri="https://attacker.example/cb", scope=SCOPE, code_challenge_method="S256")
url, _ = evil.create_authorization_url(AUTHORIZE, code_verifier=generate_token(64), aud=BASE)
refused = requests.get(url, allow_redirects=False, timeout=30)
say(step="evil-redirect", status=refused.status_code, location=refused.headers.get("Location", ""))

# The user says no: access_denied back to the app.
no = OAuth2Session(CLIENT, redirect_uri=REDIRECT, scope=SCOPE, code_challenge_method="S256")
url, _ = no.create_authorization_url(AUTHORIZE, code_verifier=generate_token(64), aud=BASE)
_, answer = login(url, USER, decision="deny")
say(step="denied", status=answer.status_code, location=answer.headers.get("Location", ""))
